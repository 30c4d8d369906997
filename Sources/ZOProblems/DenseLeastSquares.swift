import ZOCore

/// Least squares with an explicit dense design: the small-d companion of `LeastSquares`.
///
///     f(θ) = (1/2N) ‖X θ − y‖²,   X ∈ R^{N×d}, y ∈ R^N
///     ∇f(θ) = Xᵀ (X θ − y) / N
///     H = XᵀX / N (constant): spectrum by GSL's symmetric eigensolver, L = λ_max(H)
///     f* = (1/2N) ‖X θ̂ − y‖² with θ̂ = H⁺ Xᵀy / N, the minimum-norm minimiser
///
/// θ̂ is computed at init from H's eigendecomposition (eigenvalues below λ_max·max(N, d)·2⁻⁵² are
/// treated as zero, as in LAPACK's gelsd) plus one step of iterative refinement, so f* is the
/// residual minimum to rounding even when N < d or X is rank deficient.
/// Gaussian smoothing adds ε² tr H / 2, so ∇f_ε = ∇f. The batch selection is ignored (f is the
/// full-data mean). Cost: loss and gradient O(N·d); init O(N·d² + d³), so d is limited to 2048.
///
/// Parameters: one vector tensor "theta" (d).
public struct DenseLeastSquares<T: ZOScalar>: SyntheticProblem {
    public typealias Scalar = T
    public let layout: ParameterLayout
    public let samples: Int
    /// X, row-major (N, d).
    public let design: [Double]
    /// y (N).
    public let targets: [Double]
    /// Eigenvalues of H = XᵀX/N, ascending.
    public let eigenvalues: [Double]
    /// θ̂, the minimum-norm minimiser.
    public let minimizerValues: [Double]
    public let optimalValue: Double?
    let startKey: PRNGKey

    public static var maxDimension: Int { 2048 }

    static func checkDimension(_ d: Int, at location: String) throws(ZOError) {
        guard d <= maxDimension else {
            throw ZOError(
                "dimension \(d) exceeds \(maxDimension) (init does an O(d³) eigendecomposition)",
                at: location, fix: "use LeastSquares (orthogonal design, O(d)) for large d")
        }
    }

    /// Generated data: X with keyed N(0, 1) entries, θ* keyed N(0, I), y = X θ* + noise · ξ with ξ
    /// keyed N(0, I). With noise = 0 and N ≥ d, f* = 0 at θ̂ = θ*.
    public init(samples: Int, dimension: Int, noise: Double = 0.1, key: PRNGKey) throws(ZOError) {
        let location = "DenseLeastSquares.init"
        try Validate.sizes([("samples", samples), ("dimension", dimension)], at: location)
        guard noise.isFinite, noise >= 0 else {
            throw ZOError("noise = \(noise) must be finite and ≥ 0", at: location, fix: "pass noise ≥ 0")
        }
        try Self.checkDimension(dimension, at: location)
        let x = RandomFill.gaussian(Double.self, count: samples * dimension, key: key.tagged(.features))
        let theta = RandomFill.gaussian(Double.self, count: dimension, key: key.tagged(.target))
        let xi = RandomFill.gaussian(Double.self, count: samples, key: key.tagged(.noise))
        var y = Dense.matmul(x, theta, m: samples, k: dimension, n: 1)
        for i in 0..<samples { y[i] += noise * xi[i] }
        try self.init(design: x, targets: y, samples: samples, dimension: dimension, key: key)
    }

    /// Explicit data. `design` is row-major (samples, dimension); `key` determines the initial point.
    public init(design: [Double], targets: [Double], samples: Int, dimension: Int, key: PRNGKey) throws(ZOError) {
        let location = "DenseLeastSquares.init"
        try Validate.sizes([("samples", samples), ("dimension", dimension)], at: location)
        try Self.checkDimension(dimension, at: location)
        try Validate.count(design, samples * dimension, "design (samples × dimension)", at: location)
        try Validate.count(targets, samples, "targets", at: location)
        try Validate.finite(design, "design", at: location)
        try Validate.finite(targets, "targets", at: location)
        self.layout = try ParameterLayout.vector("theta", count: dimension)
        self.samples = samples
        self.design = design
        self.targets = targets
        self.startKey = key.tagged(.initial)
        let (n, d) = (Double(samples), dimension)
        var gram = Dense.transposedTimes(design, design, k: samples, m: d, n: d)
        for i in gram.indices { gram[i] /= n }
        let eig = try Dense.symmetricEigen(gram, dimension: d, vectors: true, at: location)
        self.eigenvalues = eig.values
        // θ̂ = H⁺ b with b = Xᵀy/N, refined once with the residual's normal equations.
        let cutoff = (eig.values.last ?? 0) * Double(max(samples, d)) * Double.ulpOfOne
        func pseudoSolve(_ b: [Double]) -> [Double] {
            var out = [Double](repeating: 0, count: d)
            for k in 0..<d where eig.values[k] > cutoff {
                var c = 0.0
                for i in 0..<d { c += eig.vectors[i * d + k] * b[i] }
                c /= eig.values[k]
                for i in 0..<d { out[i] += c * eig.vectors[i * d + k] }
            }
            return out
        }
        func normalResidual(_ theta: [Double]) -> (b: [Double], r: [Double]) {
            var r = Dense.matmul(design, theta, m: samples, k: d, n: 1)
            for i in 0..<samples { r[i] = targets[i] - r[i] }
            return (Dense.transposedTimes(design, r, k: samples, m: d, n: 1).map { $0 / n }, r)
        }
        var theta = pseudoSolve(normalResidual([Double](repeating: 0, count: d)).b)
        let correction = pseudoSolve(normalResidual(theta).b)
        for i in 0..<d { theta[i] += correction[i] }
        self.minimizerValues = theta
        self.optimalValue = 0.5 * sumOfSquares(normalResidual(theta).r) / n
    }

    public var name: String { "dense-least-squares(N=\(samples), d=\(layout.count))" }
    public var dimension: Int { layout.count }
    public var smoothness: Double? { eigenvalues.last }
    public var hessianSpectrum: [Double]? { eigenvalues }
    /// θ̂ (rounded to `T`).
    public var minimizer: Parameters<T> {
        (try? Parameters(layout: layout, values: scalars(minimizerValues))) ?? Parameters(zeros: layout)
    }

    /// Xθ − y (N).
    private func residual(_ theta: [Double]) -> [Double] {
        var r = Dense.matmul(design, theta, m: samples, k: dimension, n: 1)
        for i in 0..<samples { r[i] -= targets[i] }
        return r
    }

    public func loss(_ parameters: Parameters<T>, batch: BatchSelection) throws -> Double {
        try checkLayout(parameters, layout, at: "DenseLeastSquares.loss")
        return 0.5 * sumOfSquares(residual(doubles(parameters.values))) / Double(samples)
    }

    public func gradient(_ parameters: Parameters<T>, batch: BatchSelection) throws -> [T] {
        try checkLayout(parameters, layout, at: "DenseLeastSquares.gradient")
        let r = residual(doubles(parameters.values))
        return scalars(Dense.transposedTimes(design, r, k: samples, m: dimension, n: 1).map { $0 / Double(samples) })
    }

    /// H v = Xᵀ(X v)/N in O(N·d); nil if v does not have d entries.
    public func hessianVectorProduct(_ v: [T]) -> [T]? {
        guard let x = checkedVector(v, count: dimension) else { return nil }
        let xv = Dense.matmul(design, x, m: samples, k: dimension, n: 1)
        return scalars(Dense.transposedTimes(design, xv, k: samples, m: dimension, n: 1).map { $0 / Double(samples) })
    }

    /// ∇f_ε = ∇f (quadratic); nil on a layout mismatch.
    public func smoothedGradient(_ parameters: Parameters<T>, epsilon: Double) -> [T]? {
        try? gradient(parameters)
    }

    /// f_ε(θ) = f(θ) + ε² tr H / 2, tr H = ‖X‖²_F / N.
    public func smoothedLoss(_ parameters: Parameters<T>, epsilon: Double) throws -> Double {
        try loss(parameters) + 0.5 * epsilon * epsilon * sumOfSquares(design) / Double(samples)
    }

    /// θ₀ with keyed N(0, 1) entries.
    public func initialPoint() -> Parameters<T> {
        var p = Parameters<T>(zeros: layout)
        p.withTensor(0) { T.fillGaussian($0, key: startKey, offset: 0) }
        return p
    }
}
