import Foundation
import ZOCore

/// The eigenvalue profile of `LeastSquares`' Hessian, before scaling by `largestEigenvalue`.
/// Index i runs over 0..<d; every profile has h₀ = 1 = max h.
public enum LeastSquaresSpectrum: Sendable, Hashable {
    /// h_i = 1: H = I, effective rank d.
    case identity
    /// h_i = ρ^i, 0 < ρ ≤ 1: effective rank (1 − ρ^d)/(1 − ρ).
    case geometric(ratio: Double)
    /// h_i = (i + 1)^(−α), α ≥ 0: effective rank H_d^(α), the generalised harmonic number.
    case powerLaw(exponent: Double)
    /// Geometric, with ρ solved (bisection on the closed form above) so that tr H / ‖H‖ = r,
    /// 1 ≤ r ≤ d. r = 1 gives h = (1, 0, …, 0); r = d gives H = I.
    case effectiveRank(Double)
    /// Explicit h (d values ≥ 0, at least one > 0), used as given (times `largestEigenvalue`).
    case custom([Double])
}

/// Least squares with orthogonal design: a quadratic in any dimension (8 … 10⁶ and beyond) whose
/// Hessian spectrum, and so its effective rank, is chosen exactly. Loss and gradient cost O(d).
///
///     f(θ) = ½‖X θ − y‖²   with X = Q diag(√h), Q orthogonal, y = X θ*
///          = ½ Σ_i h_i (θ_i − θ*_i)²          (Q drops out: ‖Q v‖ = ‖v‖)
///     ∇f(θ)_i = h_i (θ_i − θ*_i),   f* = 0 at θ = θ*
///
/// Hessian H = XᵀX = diag(h): the spectrum is h itself, L = max h = `largestEigenvalue`, and the
/// effective rank r_H = tr H / ‖H‖ = Σh / max h is what MeZO's Theorem 1 puts in place of d.
/// Gaussian smoothing adds the constant ε² tr H / 2, so ∇f_ε = ∇f exactly.
/// θ* is a keyed N(0, I) vector. The problem is deterministic: the batch selection is ignored.
///
/// Parameters: one vector tensor "theta" (d).
public struct LeastSquares<T: ZOScalar>: SyntheticProblem {
    public typealias Scalar = T
    public let layout: ParameterLayout
    /// The Hessian eigenvalues h (d values), in coordinate order (descending for the built-in profiles).
    public let eigenvalues: [Double]
    /// θ* (d values).
    public let center: [Double]
    let startKey: PRNGKey

    /// - Parameters:
    ///   - dimension: d ≥ 1.
    ///   - spectrum: the eigenvalue profile (see `LeastSquaresSpectrum`).
    ///   - largestEigenvalue: the scale: h = largestEigenvalue · profile, so L = largestEigenvalue
    ///     for the built-in profiles.
    ///   - key: determines θ* and the initial point.
    public init(
        dimension d: Int, spectrum: LeastSquaresSpectrum = .identity, largestEigenvalue: Double = 1,
        key: PRNGKey
    ) throws(ZOError) {
        let location = "LeastSquares.init"
        try Validate.sizes([("dimension", d)], at: location)
        try Check.positive(largestEigenvalue, "largestEigenvalue", at: location)
        let profile = try Self.profile(spectrum, dimension: d, at: location)
        self.eigenvalues = profile.map { $0 * largestEigenvalue }
        self.center = RandomFill.gaussian(Double.self, count: d, key: key.tagged(.target))
        self.layout = try ParameterLayout.vector("theta", count: d)
        self.startKey = key.tagged(.initial)
    }

    static func profile(_ spectrum: LeastSquaresSpectrum, dimension d: Int, at location: String) throws(ZOError)
        -> [Double]
    {
        switch spectrum {
        case .identity:
            return [Double](repeating: 1, count: d)
        case .geometric(let rho):
            guard rho.isFinite, rho > 0, rho <= 1 else {
                throw ZOError("geometric ratio ρ = \(rho) is outside (0, 1]", at: location, fix: "pass 0 < ρ ≤ 1")
            }
            return geometric(rho, d)
        case .powerLaw(let alpha):
            guard alpha.isFinite, alpha >= 0 else {
                throw ZOError("power-law exponent α = \(alpha) must be finite and ≥ 0", at: location, fix: "pass α ≥ 0")
            }
            return (0..<d).map { Foundation.pow(Double($0 + 1), -alpha) }
        case .effectiveRank(let r):
            guard r.isFinite, r >= 1, r <= Double(d) else {
                throw ZOError(
                    "effective rank \(r) is outside [1, d = \(d)]", at: location,
                    fix: "pass 1 ≤ r ≤ d (tr H / ‖H‖ cannot leave that range)")
            }
            return geometric(ratio(forEffectiveRank: r, dimension: d), d)
        case .custom(let h):
            try Validate.count(h, d, "custom spectrum", at: location)
            guard h.allSatisfy({ $0.isFinite && $0 >= 0 }), h.contains(where: { $0 > 0 }) else {
                throw ZOError(
                    "a custom spectrum needs finite values ≥ 0, at least one > 0", at: location,
                    fix: "pass a positive semidefinite, nonzero spectrum")
            }
            return h
        }
    }

    /// h_i = ρ^i computed as exp(i ln ρ) (no error growth from repeated products); ρ = 0 gives e₀.
    static func geometric(_ rho: Double, _ d: Int) -> [Double] {
        guard rho > 0 else { return [1] + [Double](repeating: 0, count: d - 1) }
        let lr = Foundation.log(rho)
        return (0..<d).map { Foundation.exp(Double($0) * lr) }
    }

    /// ρ with (1 − ρ^d)/(1 − ρ) = r: the left side increases from 1 (ρ = 0) to d (ρ = 1). It is
    /// evaluated as −expm1(d ln ρ)/(1 − ρ) to avoid the cancellation of 1 − ρ^d near ρ = 1.
    static func ratio(forEffectiveRank r: Double, dimension d: Int) -> Double {
        if r >= Double(d) { return 1 }
        if r <= 1 { return 0 }
        var lo = 0.0
        var hi = 1.0
        for _ in 0..<200 {
            let mid = 0.5 * (lo + hi)
            if mid == lo || mid == hi { break }
            let value = -Foundation.expm1(Double(d) * Foundation.log(mid)) / (1 - mid)
            if value < r { lo = mid } else { hi = mid }
        }
        return 0.5 * (lo + hi)
    }

    public var name: String { "least-squares(d=\(layout.count), rH=\(String(format: "%.4g", effectiveRank)))" }
    public var dimension: Int { layout.count }
    /// tr H / ‖H‖ = Σh / max h.
    public var effectiveRank: Double { eigenvalues.reduce(0, +) / (eigenvalues.max() ?? 1) }
    public var optimalValue: Double? { 0 }
    public var smoothness: Double? { eigenvalues.max() }
    public var hessianSpectrum: [Double]? { eigenvalues }
    /// θ* (rounded to `T`).
    public var minimizer: Parameters<T> {
        (try? Parameters(layout: layout, values: scalars(center))) ?? Parameters(zeros: layout)
    }

    public func loss(_ parameters: Parameters<T>, batch: BatchSelection) throws -> Double {
        try checkLayout(parameters, layout, at: "LeastSquares.loss")
        let x = doubles(parameters.values)
        var s = 0.0
        for i in 0..<x.count {
            let e = x[i] - center[i]
            s += eigenvalues[i] * e * e
        }
        return 0.5 * s
    }

    public func gradient(_ parameters: Parameters<T>, batch: BatchSelection) throws -> [T] {
        try checkLayout(parameters, layout, at: "LeastSquares.gradient")
        let x = doubles(parameters.values)
        let g = [Double](unsafeUninitializedCapacity: x.count) { buf, n in
            for i in 0..<x.count { buf[i] = eigenvalues[i] * (x[i] - center[i]) }
            n = x.count
        }
        return scalars(g)
    }

    /// H v = h ⊙ v; nil if v does not have d entries.
    public func hessianVectorProduct(_ v: [T]) -> [T]? {
        guard let x = checkedVector(v, count: layout.count) else { return nil }
        return scalars(zip(eigenvalues, x).map { $0 * $1 })
    }

    /// ∇f_ε = ∇f (smoothing a quadratic only adds ε² tr H / 2); nil on a layout mismatch.
    public func smoothedGradient(_ parameters: Parameters<T>, epsilon: Double) -> [T]? {
        try? gradient(parameters)
    }

    /// f_ε(θ) = E f(θ + εz) = f(θ) + ε² tr H / 2.
    public func smoothedLoss(_ parameters: Parameters<T>, epsilon: Double) throws -> Double {
        try loss(parameters) + 0.5 * epsilon * epsilon * eigenvalues.reduce(0, +)
    }

    /// θ₀ with keyed N(0, 1) entries, independent of θ*.
    public func initialPoint() -> Parameters<T> {
        var p = Parameters<T>(zeros: layout)
        p.withTensor(0) { T.fillGaussian($0, key: startKey, offset: 0) }
        return p
    }
}
