import Foundation
import ZOCheck

/// A non-quadratic test bed for `BiasVsEpsilon`: ∇f, the exact smoothed gradient ∇f_ε, the Hessian's
/// quadratic form zᵀHz (for the one-sided control variate), the leading-order bias ½∇Δf, and one
/// measurement of MeZO (coefficient c and direction z) through `ZOEstimator`.
public struct BiasBed {
    public let label: String
    public let gradient: [Double]
    /// ½∇(Δf)(θ): ∇f_ε − ∇f = ε²·halfGradLaplacian + O(ε⁴) (SMOOTHING-BIAS).
    public let halfGradLaplacian: [Double]
    public let smoothedGradient: (Double) -> [Double]
    public let hessianForm: ([Double]) -> Double
    /// Exact E[(c − ⟨g, z⟩)²] for a scheme and ε, where derived in closed form (CosineSum).
    public let coefficientErrorSquared: ((Double, DifferenceScheme) -> Double)?
    public let measure: (Double, DifferenceScheme, Int, PRNGKey) throws -> (c: Double, z: [Double])
    /// One estimate ĝ of any estimator (a registered one) at the bed's point: (estimator, step, key).
    public let estimate: (any GradientEstimator, Int, PRNGKey) throws -> [Double]

    static func estimator<O: Objective>(_ problem: O, at theta: Parameters<Double>) -> (
        any GradientEstimator, Int, PRNGKey
    ) throws -> [Double] where O.Scalar == Double {
        { estimator, step, key in
            try estimator.estimateGradient(problem, at: theta, step: step, key: key, batch: .full).gradient
        }
    }

    static func measurer<O: Objective>(_ problem: O, at theta: Parameters<Double>) -> (
        Double, DifferenceScheme, Int, PRNGKey
    ) throws -> (c: Double, z: [Double]) where O.Scalar == Double {
        { epsilon, scheme, step, key in
            let e = try ZOEstimator(GaussianRGE(), epsilon: epsilon, scheme: scheme).measure(
                problem, at: theta, step: step, key: key)
            return (e.coefficients[0], e.samples[0].materialize())
        }
    }

    /// f = Σ aᵢcos(bᵢθᵢ) at its keyed initial point (COSINESUM-SMOOTHED; CENTRAL-COEFFICIENT-ORDER's closed form).
    public static func cosineSum(dimension d: Int, key: PRNGKey) throws -> BiasBed {
        let problem = try CosineSum<Double>(dimension: d, key: key)
        let theta = problem.initialPoint()
        let a = problem.amplitudes
        let b = problem.frequencies
        let x = theta.values
        let s = (0..<d).map { a[$0] * Foundation.sin(b[$0] * x[$0]) }  // aᵢ sin(bᵢθᵢ)
        let k = (0..<d).map { a[$0] * Foundation.cos(b[$0] * x[$0]) }  // aᵢ cos(bᵢθᵢ)
        let smoothed: (Double) -> [Double] = { eps in problem.smoothedGradient(theta, epsilon: eps) ?? [] }
        return BiasBed(
            label: "CosineSum d=\(d)", gradient: try problem.gradient(theta),
            halfGradLaplacian: (0..<d).map { 0.5 * s[$0] * b[$0] * b[$0] * b[$0] },
            smoothedGradient: smoothed,
            hessianForm: { z in (0..<d).reduce(0.0) { $0 - k[$1] * b[$1] * b[$1] * z[$1] * z[$1] } },
            coefficientErrorSquared: { eps, scheme in
                cosineCoefficientError(s: s, k: k, b: b, epsilon: eps, scheme: scheme)
            },
            measure: measurer(problem, at: theta), estimate: estimator(problem, at: theta))
    }

    /// E[(c − ⟨g, z⟩)²] for CosineSum, exactly. With tᵢ = εbᵢ, the central error is Σ sᵢ(bᵢzᵢ − sin(tᵢzᵢ)/ε),
    /// independent zero-mean terms: E = Σ sᵢ² bᵢ² φ(tᵢ²), φ(x) = 1 − 2e^{−x/2} + (1 − e^{−2x})/(2x).
    /// One-sided adds uᵢ = kᵢ(cos(tᵢzᵢ) − 1)/ε (even, uncorrelated with the odd terms):
    /// E uᵢ = kᵢ(e^{−tᵢ²/2} − 1)/ε, Var uᵢ = kᵢ²(1 − e^{−tᵢ²})²/(2ε²).
    public static func cosineCoefficientError(
        s: [Double], k: [Double], b: [Double], epsilon eps: Double, scheme: DifferenceScheme
    ) -> Double {
        var total = 0.0
        var meanU = 0.0
        for i in s.indices {
            let x = eps * eps * b[i] * b[i]
            total += s[i] * s[i] * b[i] * b[i] * phi(x)
            if scheme == .forward {
                meanU += k[i] * Foundation.expm1(-x / 2) / eps
                let v = -Foundation.expm1(-x)
                total += k[i] * k[i] * v * v / (2 * eps * eps)
            }
        }
        return total + meanU * meanU
    }

    /// φ(x) = 1 − 2e^{−x/2} + (1 − e^{−2x})/(2x) = 5x²/12 − 7x³/24 + 41x⁴/320 − …; the series below
    /// x = 0.02 (where the direct form cancels), truncation < x⁵/20.
    static func phi(_ x: Double) -> Double {
        if x < 0.02 { return x * x * (5.0 / 12 - x * (7.0 / 24 - x * 41.0 / 320)) }
        return 1 - 2 * Foundation.exp(-x / 2) - Foundation.expm1(-2 * x) / (2 * x)
    }

    /// L2-regularised logistic regression (N examples, d features + bias) at its keyed initial point.
    /// Its smoothed gradient is exact up to quadrature: along z only the margins move, mᵢ + ε‖x̃ᵢ‖γ
    /// with γ ~ N(0, 1), so ∇f_ε = (1/N) Σ E_γ[ℓᵢ'(mᵢ + ε‖x̃ᵢ‖γ)] x̃ᵢ + λ(w, 0) (`LogisticSmoothing`).
    public static func logistic(samples: Int, dimension: Int, key: PRNGKey) throws -> BiasBed {
        let problem = try LogisticRegression<Double>(samples: samples, dimension: dimension, key: key)
        let theta = problem.initialPoint()
        let smoothing = LogisticSmoothing(problem, at: theta.values)
        return BiasBed(
            label: "logistic N=\(samples) d=\(dimension + 1)", gradient: try problem.gradient(theta),
            halfGradLaplacian: smoothing.halfGradLaplacian(),
            smoothedGradient: { smoothing.smoothedGradient(epsilon: $0) },
            hessianForm: { smoothing.hessianForm($0) }, coefficientErrorSquared: nil,
            measure: measurer(problem, at: theta), estimate: estimator(problem, at: theta))
    }
}

/// Exact Gaussian smoothing of `LogisticRegression` by one-dimensional quadrature per example.
public struct LogisticSmoothing {
    let x: [Double], y: [Double], n: Int, d: Int, lambda: Double, theta: [Double]
    let margins: [Double], norms: [Double]

    public init(_ p: LogisticRegression<Double>, at theta: [Double]) {
        x = p.features
        y = p.labels
        n = p.samples
        d = p.dimension
        lambda = p.regularization
        self.theta = theta
        margins = (0..<p.samples).map { i in
            (0..<p.dimension).reduce(theta[p.dimension]) { $0 + p.features[i * p.dimension + $1] * theta[$1] }
        }
        norms = (0..<p.samples).map { i in
            (1
                + (0..<p.dimension).reduce(0.0) {
                    $0 + p.features[i * p.dimension + $1] * p.features[i * p.dimension + $1]
                }).squareRoot()
        }
    }

    static func sigmoid(_ u: Double) -> Double {
        u >= 0 ? 1 / (1 + Foundation.exp(-u)) : Foundation.exp(u) / (1 + Foundation.exp(u))
    }

    /// Σᵢ wᵢ x̃ᵢ/N + λ(w, 0).
    func combine(_ weights: [Double]) -> [Double] {
        var g = [Double](repeating: 0, count: d + 1)
        for i in 0..<n {
            for j in 0..<d { g[j] += weights[i] * x[i * d + j] }
            g[d] += weights[i]
        }
        for j in 0..<d { g[j] = g[j] / Double(n) + lambda * theta[j] }
        g[d] /= Double(n)
        return g
    }

    /// ∇f_ε: E_γ[−yσ(−y(m + εsγ))] by the trapezoid rule on [−12, 12] with step 1/32 (the integrand is
    /// analytic in a strip of half-width π/(εs), so the error is ≈ e^{−2π·32·π/(εs)}: below rounding for εs ≤ 20).
    public func smoothedGradient(epsilon eps: Double) -> [Double] {
        let h = 1.0 / 32
        let nodes = (-384...384).map { Double($0) * h }
        let w = nodes.map { h * Foundation.exp(-0.5 * $0 * $0) / (2 * Double.pi).squareRoot() }
        return combine(
            (0..<n).map { i in
                zip(nodes, w).reduce(0.0) { acc, nw in
                    acc - nw.1 * y[i] * Self.sigmoid(-y[i] * (margins[i] + eps * norms[i] * nw.0))
                }
            })
    }

    /// ½∇Δf = (1/2N) Σ ℓᵢ'''(mᵢ) ‖x̃ᵢ‖² x̃ᵢ with ℓ''' = −y σ''(−ym), σ'' = σ'(1 − 2σ).
    public func halfGradLaplacian() -> [Double] {
        var g = combine(
            (0..<n).map { i in
                let u = -y[i] * margins[i]
                let s = Self.sigmoid(u)
                return 0.5 * -y[i] * s * (1 - s) * (1 - 2 * s) * norms[i] * norms[i]
            })
        for j in 0..<d { g[j] -= lambda * theta[j] }
        return g
    }

    /// zᵀHz = (1/N) Σ σ'(mᵢ)(x̃ᵢᵀz)² + λ‖z_w‖².
    public func hessianForm(_ z: [Double]) -> Double {
        var total = 0.0
        for i in 0..<n {
            var p = z[d]
            for j in 0..<d { p += x[i * d + j] * z[j] }
            let s = Self.sigmoid(margins[i])
            total += s * (1 - s) * p * p
        }
        return total / Double(n) + lambda * (0..<d).reduce(0.0) { $0 + z[$1] * z[$1] }
    }
}
