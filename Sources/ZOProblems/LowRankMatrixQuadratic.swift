import ZOCore

/// A matrix quadratic whose gradient is low rank everywhere (LOZO's premise, made exact).
///
///     f(W) = ½‖A (W − W*) B‖²_F,   W ∈ R^{m×n}, A ∈ R^{p×m}, B ∈ R^{n×q}
///     ∇f(W) = Aᵀ A (W − W*) B Bᵀ        rank ≤ min(r_A, r_B), at every W
///     f* = 0 at W = W*
///
/// A = U_A diag(σ_A) V_Aᵀ and B = P_B diag(σ_B) Q_Bᵀ with orthonormal factors (keyed Gaussian
/// matrices, Gram–Schmidt twice), so rank A = r_A, rank B = r_B and the singular values are
/// exactly the ones passed. W* is a keyed N(0, 1) matrix.
///
/// Hessian spectrum: on row-major vec(W) the Hessian is (AᵀA) ⊗ (BBᵀ); the eigenvalues of a
/// Kronecker product are the products of the factors' eigenvalues, here σ_A,i² (i < r_A, zeros
/// for the other m − r_A) times σ_B,j² (j < r_B, zeros for the other n − r_B): m·n values, of which
/// r_A·r_B are nonzero. L = λ_max = σ_A,max² σ_B,max²; effective rank tr H / L = (Σσ_A²)(Σσ_B²)/L.
/// Gaussian smoothing adds the constant ε² tr H / 2, so ∇f_ε = ∇f exactly.
///
/// Cost: loss O(r_A·m·n), gradient O((r_A + r_B)·m·n), from the factored form (see
/// `KroneckerQuadratic`); `denseReferenceLoss`/`denseReferenceGradient` are the naive formulas.
/// The problem is deterministic: the batch selection is ignored.
///
/// Parameters: one matrix tensor "W" (m, n).
public struct LowRankMatrixQuadratic<T: ZOScalar>: SyntheticProblem {
    public typealias Scalar = T
    public let layout: ParameterLayout
    let quadratic: KroneckerQuadratic
    let startKey: PRNGKey

    /// - Parameters:
    ///   - m, n: W is (m, n). p: rows of A. q: columns of B.
    ///   - rankA, rankB: 1 ≤ r_A ≤ min(p, m), 1 ≤ r_B ≤ min(n, q).
    ///   - singularValuesA, singularValuesB: the nonzero singular values (r_A resp. r_B positive
    ///     values); nil means all ones.
    ///   - key: determines A, B, W* and the initial point.
    public init(
        m: Int, n: Int, p: Int, q: Int, rankA: Int, rankB: Int,
        singularValuesA: [Double]? = nil, singularValuesB: [Double]? = nil,
        key: PRNGKey
    ) throws(ZOError) {
        let location = "LowRankMatrixQuadratic.init"
        try Validate.sizes([("m", m), ("n", n), ("p", p), ("q", q)], at: location)
        try Validate.rank(rankA, "rankA", limit: min(p, m), at: location)
        try Validate.rank(rankB, "rankB", limit: min(n, q), at: location)
        let sa = singularValuesA ?? [Double](repeating: 1, count: rankA)
        let sb = singularValuesB ?? [Double](repeating: 1, count: rankB)
        try Validate.count(sa, rankA, "singularValuesA", at: location)
        try Validate.count(sb, rankB, "singularValuesB", at: location)
        self.quadratic = try KroneckerQuadratic(m: m, n: n, p: p, q: q, sigmaA: sa, sigmaB: sb, key: key, at: location)
        self.layout = try ParameterLayout.matrix("W", rows: m, cols: n)
        self.startKey = key.tagged(.initial)
    }

    /// Square A (m, m) and B (n, n) with unit singular values: ∇f = P_A (W − W*) P_B for two
    /// orthogonal projections of ranks r_A and r_B; L = 1.
    public init(m: Int, n: Int, rankA: Int, rankB: Int, key: PRNGKey) throws(ZOError) {
        try self.init(m: m, n: n, p: m, q: n, rankA: rankA, rankB: rankB, key: key)
    }

    public var name: String {
        "low-rank-matrix-quadratic(m=\(quadratic.m), n=\(quadratic.n), rA=\(quadratic.a.rank), rB=\(quadratic.b.rank))"
    }
    public var rows: Int { quadratic.m }
    public var cols: Int { quadratic.n }
    public var rankA: Int { quadratic.a.rank }
    public var rankB: Int { quadratic.b.rank }
    /// An upper bound on the rank of ∇f at every point: min(r_A, r_B).
    public var gradientRankBound: Int { min(rankA, rankB) }
    public var singularValuesA: [Double] { quadratic.a.sigma }
    public var singularValuesB: [Double] { quadratic.b.sigma }
    /// A as a dense row-major (p, m) matrix.
    public var matrixA: [Double] { quadratic.a.dense }
    /// B as a dense row-major (n, q) matrix.
    public var matrixB: [Double] { quadratic.b.dense }

    /// W*, the minimiser (rounded to `T`).
    public var minimizer: Parameters<T> {
        (try? Parameters(layout: layout, values: scalars(quadratic.target))) ?? Parameters(zeros: layout)
    }

    public var optimalValue: Double? { 0 }
    public var smoothness: Double? { quadratic.largestEigenvalue }
    /// All m·n eigenvalues of (AᵀA) ⊗ (BBᵀ), descending (zeros included).
    public var hessianSpectrum: [Double]? { quadratic.spectrum }

    public func loss(_ parameters: Parameters<T>, batch: BatchSelection) throws -> Double {
        try checkLayout(parameters, layout, at: "LowRankMatrixQuadratic.loss")
        let d = quadratic.displacement(doubles(parameters.values))
        return d.withUnsafeBufferPointer { quadratic.loss(displacement: $0) }
    }

    public func gradient(_ parameters: Parameters<T>, batch: BatchSelection) throws -> [T] {
        try checkLayout(parameters, layout, at: "LowRankMatrixQuadratic.gradient")
        let d = quadratic.displacement(doubles(parameters.values))
        return scalars(d.withUnsafeBufferPointer { quadratic.hessianTimes($0) })
    }

    /// H v = Aᵀ A V B Bᵀ for v read as an (m, n) matrix V; nil if v does not have m·n entries.
    public func hessianVectorProduct(_ v: [T]) -> [T]? {
        guard let x = checkedVector(v, count: layout.count) else { return nil }
        return scalars(x.withUnsafeBufferPointer { quadratic.hessianTimes($0) })
    }

    /// ∇f_ε = ∇f: Gaussian smoothing of a quadratic only adds ε² tr H / 2. Nil on a layout mismatch.
    public func smoothedGradient(_ parameters: Parameters<T>, epsilon: Double) -> [T]? {
        try? gradient(parameters)
    }

    /// f_ε(W) = f(W) + ε² tr H / 2 with tr H = (Σσ_A²)(Σσ_B²).
    public func smoothedLoss(_ parameters: Parameters<T>, epsilon: Double) throws -> Double {
        let trace = singularValuesA.reduce(0) { $0 + $1 * $1 } * singularValuesB.reduce(0) { $0 + $1 * $1 }
        return try loss(parameters) + 0.5 * epsilon * epsilon * trace
    }

    /// W₀ with keyed N(0, 1) entries, independent of W*.
    public func initialPoint() -> Parameters<T> {
        var p = Parameters<T>(zeros: layout)
        p.withTensor(0) { T.fillGaussian($0, key: startKey, offset: 0) }
        return p
    }

    /// The naive reference for `loss`: ½‖A (W − W*) B‖²_F with dense A and B, O(p·m·n + p·n·q).
    public func denseReferenceLoss(_ parameters: Parameters<T>) throws -> Double {
        try checkLayout(parameters, layout, at: "LowRankMatrixQuadratic.denseReferenceLoss")
        return quadratic.denseLoss(displacement: quadratic.displacement(doubles(parameters.values)))
    }

    /// The naive reference for `gradient`: AᵀA (W − W*) BBᵀ with dense A and B.
    public func denseReferenceGradient(_ parameters: Parameters<T>) throws -> [Double] {
        try checkLayout(parameters, layout, at: "LowRankMatrixQuadratic.denseReferenceGradient")
        return quadratic.denseHessianTimes(quadratic.displacement(doubles(parameters.values)))
    }
}
