import ZOCore

/// Low-rank matrix factorisation: a nonconvex problem with f* = 0 and no constant Hessian.
///
///     f(U, V) = ½‖U Vᵀ − M‖²_F,   U ∈ R^{m×k}, V ∈ R^{n×k},   R = U Vᵀ − M
///     ∇_U f = R V,   ∇_V f = Rᵀ U
///     f* = 0, attained at U = [U*, 0], V = [V*, 0] (target rank ≤ k)
///
/// M = U* V*ᵀ with U* (m, r), V* (n, r) keyed N(0, 1/√r) entries, so that M_ij has variance 1.
///
/// Hessian: along a direction (X, Y), d²/dt² f(U + tX, V + tY)|₀ = ‖X Vᵀ + U Yᵀ‖² + 2⟨R, X Yᵀ⟩, which
/// depends on (U, V): not constant (`hessianSpectrum` is nil) and unbounded as ‖(U, V)‖ grows
/// (`smoothness` is nil). By Cauchy–Schwarz |d²f| ≤ (‖U‖₂² + ‖V‖₂² + ‖R‖₂)‖(X, Y)‖², and on the ball
/// ‖(U, V)‖_F ≤ ρ this is ≤ 3ρ²/2 + ‖M‖_F: the gradient is Lipschitz there with
/// `localSmoothness(radius: ρ)`. `hessianVectorProduct(at:_:)` gives the exact Hessian at a point.
///
/// Gaussian smoothing (X (m, k), Y (n, k) i.i.d. N(0, 1)) is a polynomial in ε: the odd moments vanish,
/// E XᵀX = m I_k, E YᵀY = n I_k and E‖X Yᵀ‖² = m n k, so
///     f_ε(U, V) = f(U, V) + (ε²/2)(n‖U‖²_F + m‖V‖²_F) + ε⁴ m n k / 2
///     ∇_U f_ε = R V + ε² n U,   ∇_V f_ε = Rᵀ U + ε² m V
/// The problem is deterministic: the batch selection is ignored.
///
/// Parameters: matrix tensors "U" (m, k) and "V" (n, k).
public struct MatrixFactorization<T: ZOScalar>: SyntheticProblem {
    public typealias Scalar = T
    public let layout: ParameterLayout
    public let m: Int
    public let n: Int
    /// Rank of the parameterisation (columns of U and V).
    public let rank: Int
    /// Rank of the target M.
    public let targetRank: Int
    /// M, row-major (m, n).
    public let target: [Double]
    let planted: [Double]
    let startKey: PRNGKey

    /// - Parameters:
    ///   - m, n: M is (m, n).
    ///   - rank: k, columns of U and V, 1 ≤ k ≤ min(m, n).
    ///   - targetRank: rank r of M, 1 ≤ r ≤ k (nil: r = k), so that f* = 0 is attainable.
    ///   - key: determines M and the initial point.
    public init(m: Int, n: Int, rank: Int, targetRank: Int? = nil, key: PRNGKey) throws(ZOError) {
        let location = "MatrixFactorization.init"
        try Validate.sizes([("m", m), ("n", n)], at: location)
        try Validate.rank(rank, "rank", limit: min(m, n), at: location)
        let r = targetRank ?? rank
        try Validate.rank(r, "targetRank (at most the parameter rank)", limit: rank, at: location)
        self.m = m
        self.n = n
        self.rank = rank
        self.targetRank = r
        let scale = 1 / Double(r).squareRoot().squareRoot()
        let u = RandomFill.gaussian(Double.self, count: m * r, key: key.tagged(.leftA)).map { $0 * scale }
        let v = RandomFill.gaussian(Double.self, count: n * r, key: key.tagged(.leftB)).map { $0 * scale }
        self.target = Dense.timesTransposed(u, v, m: m, k: r, n: n)
        // (U*, V*) padded with zero columns up to k, in layout order: a global minimiser.
        var planted = [Double](repeating: 0, count: (m + n) * rank)
        for i in 0..<m { for l in 0..<r { planted[i * rank + l] = u[i * r + l] } }
        for j in 0..<n { for l in 0..<r { planted[(m + j) * rank + l] = v[j * r + l] } }
        self.planted = planted
        self.layout = try ParameterLayout([("U", [m, rank]), ("V", [n, rank])])
        self.startKey = key.tagged(.initial)
    }

    public var name: String { "matrix-factorization(m=\(m), n=\(n), k=\(rank), r=\(targetRank))" }
    public var optimalValue: Double? { 0 }

    /// A global minimiser: the planted (U*, V*), zero-padded to k columns (rounded to `T`).
    public var plantedFactors: Parameters<T> {
        (try? Parameters(layout: layout, values: scalars(planted))) ?? Parameters(zeros: layout)
    }

    /// A Lipschitz constant of ∇f on the ball ‖(U, V)‖_F ≤ radius: 3·radius²/2 + ‖M‖_F (see above).
    public func localSmoothness(radius: Double) -> Double {
        1.5 * radius * radius + sumOfSquares(target).squareRoot()
    }

    /// R = U Vᵀ − M (m, n) and the Double copies of U (m, k), V (n, k).
    private func residual(_ parameters: Parameters<T>) -> (r: [Double], u: [Double], v: [Double]) {
        let x = doubles(parameters.values)
        let u = Array(x[0..<(m * rank)])
        let v = Array(x[(m * rank)...])
        var r = Dense.timesTransposed(u, v, m: m, k: rank, n: n)
        for i in r.indices { r[i] -= target[i] }
        return (r, u, v)
    }

    public func loss(_ parameters: Parameters<T>, batch: BatchSelection) throws -> Double {
        try checkLayout(parameters, layout, at: "MatrixFactorization.loss")
        return 0.5 * sumOfSquares(residual(parameters).r)
    }

    public func gradient(_ parameters: Parameters<T>, batch: BatchSelection) throws -> [T] {
        try checkLayout(parameters, layout, at: "MatrixFactorization.gradient")
        let (r, u, v) = residual(parameters)
        let gu = Dense.matmul(r, v, m: m, k: n, n: rank)
        let gv = Dense.transposedTimes(r, u, k: m, m: n, n: rank)
        return scalars(gu + gv)
    }

    /// ∇f_ε (see above); nil on a layout mismatch or non-finite ε.
    public func smoothedGradient(_ parameters: Parameters<T>, epsilon: Double) -> [T]? {
        guard parameters.layout == layout, epsilon.isFinite else { return nil }
        let (r, u, v) = residual(parameters)
        let e2 = epsilon * epsilon
        var gu = Dense.matmul(r, v, m: m, k: n, n: rank)
        var gv = Dense.transposedTimes(r, u, k: m, m: n, n: rank)
        for i in gu.indices { gu[i] += e2 * Double(n) * u[i] }
        for i in gv.indices { gv[i] += e2 * Double(m) * v[i] }
        return scalars(gu + gv)
    }

    /// f_ε(U, V) = f + (ε²/2)(n‖U‖²_F + m‖V‖²_F) + ε⁴ m n k / 2.
    public func smoothedLoss(_ parameters: Parameters<T>, epsilon: Double) throws -> Double {
        try checkLayout(parameters, layout, at: "MatrixFactorization.smoothedLoss")
        guard epsilon.isFinite else {
            throw ZOError(
                "ε = \(epsilon) is not finite", at: "MatrixFactorization.smoothedLoss", fix: "pass a finite ε")
        }
        let (r, u, v) = residual(parameters)
        let e2 = epsilon * epsilon
        return 0.5 * sumOfSquares(r) + 0.5 * e2 * (Double(n) * sumOfSquares(u) + Double(m) * sumOfSquares(v))
            + 0.5 * e2 * e2 * Double(m * n * rank)
    }

    /// ∇²f(U, V)[X, Y] = ((X Vᵀ + U Yᵀ) V + R Y,  (X Vᵀ + U Yᵀ)ᵀ U + Rᵀ X), the exact Hessian at a point
    /// applied to the direction (X, Y) given in layout order.
    public func hessianVectorProduct(at parameters: Parameters<T>, _ direction: [T]) throws -> [T] {
        let location = "MatrixFactorization.hessianVectorProduct"
        try checkLayout(parameters, layout, at: location)
        guard let d = checkedVector(direction, count: layout.count) else {
            throw ZOError(
                "direction has \(direction.count) entries, expected \(layout.count)", at: location,
                fix: "pass a direction in layout order (U then V)")
        }
        let (r, u, v) = residual(parameters)
        let x = Array(d[0..<(m * rank)])
        let y = Array(d[(m * rank)...])
        var s = Dense.timesTransposed(x, v, m: m, k: rank, n: n)
        let uy = Dense.timesTransposed(u, y, m: m, k: rank, n: n)
        for i in s.indices { s[i] += uy[i] }
        var hu = Dense.matmul(s, v, m: m, k: n, n: rank)
        let ry = Dense.matmul(r, y, m: m, k: n, n: rank)
        for i in hu.indices { hu[i] += ry[i] }
        var hv = Dense.transposedTimes(s, u, k: m, m: n, n: rank)
        let rx = Dense.transposedTimes(r, x, k: m, m: n, n: rank)
        for i in hv.indices { hv[i] += rx[i] }
        return scalars(hu + hv)
    }

    /// (U₀, V₀) with keyed N(0, 1/√k) entries, independent of M (same scale as the planted factors).
    public func initialPoint() -> Parameters<T> {
        let scale = 1 / Double(rank).squareRoot().squareRoot()
        let x = RandomFill.gaussian(Double.self, count: layout.count, key: startKey).map { $0 * scale }
        return (try? Parameters(layout: layout, values: scalars(x))) ?? Parameters(zeros: layout)
    }
}
