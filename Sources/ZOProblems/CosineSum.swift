import Foundation
import ZOCore

/// A separable non-quadratic objective whose Gaussian smoothing is known exactly: the test bed for
/// "ZO estimators are unbiased for ∇f_ε, not for ∇f".
///
///     f(θ) = Σ_i a_i cos(b_i θ_i)
///     ∇f(θ)_i = −a_i b_i sin(b_i θ_i)
///     f_ε(θ) = E_z f(θ + εz) = Σ_i a_i e^{−ε² b_i²/2} cos(b_i θ_i)     (z ~ N(0, I))
///     ∇f_ε(θ)_i = −a_i b_i e^{−ε² b_i²/2} sin(b_i θ_i)
///
/// f_ε follows from E cos(b(θ + εz)) = Re E e^{ib(θ+εz)} = cos(bθ) e^{−ε²b²/2} (the Gaussian
/// characteristic function). The bias ∇f_ε − ∇f = O(ε² b³ |a|) per coordinate.
/// Hessian diag(−a_i b_i² cos(b_i θ_i)) is not constant (spectrum nil) but bounded: L = max |a_i| b_i².
/// f* = −Σ|a_i|, attained at b_i θ_i = π (a_i > 0) or 0 (a_i < 0), mod 2π.
/// The problem is deterministic: the batch selection is ignored.
///
/// Parameters: one vector tensor "theta" (d).
public struct CosineSum<T: ZOScalar>: SyntheticProblem {
    public typealias Scalar = T
    public let layout: ParameterLayout
    /// Amplitudes a (d), nonzero sign allowed.
    public let amplitudes: [Double]
    /// Frequencies b (d), nonzero.
    public let frequencies: [Double]
    let startKey: PRNGKey

    /// Explicit coefficients: a (finite) and b (finite, nonzero), of equal length d ≥ 1.
    /// `key` determines the initial point.
    public init(amplitudes a: [Double], frequencies b: [Double], key: PRNGKey) throws(ZOError) {
        let location = "CosineSum.init"
        guard !a.isEmpty else {
            throw ZOError("no amplitudes given", at: location, fix: "pass d ≥ 1 amplitudes and frequencies")
        }
        try Validate.count(b, a.count, "frequencies (one per amplitude)", at: location)
        try Validate.finite(a, "amplitudes", at: location)
        try Validate.finite(b, "frequencies", at: location)
        if let i = b.firstIndex(of: 0) {
            throw ZOError(
                "frequency b[\(i)] is 0 (the term would be a constant)", at: location,
                fix: "pass nonzero frequencies")
        }
        self.amplitudes = a
        self.frequencies = b
        self.layout = try ParameterLayout.vector("theta", count: a.count)
        self.startKey = key.tagged(.initial)
    }

    /// Keyed coefficients: a_i = ±(0.5 + u) with a random sign, b_i = 0.5 + 2.5u' (u, u' uniform [0, 1)),
    /// so L = max |a_i| b_i² ≤ 13.5.
    public init(dimension d: Int, key: PRNGKey) throws(ZOError) {
        try Validate.sizes([("dimension", d)], at: "CosineSum.init")
        let ua = RandomFill.uniform(Double.self, count: 2 * d, key: key.tagged(.coefficients))
        let ub = RandomFill.uniform(Double.self, count: d, key: key.tagged(.frequencies))
        let a = (0..<d).map { (ua[d + $0] < 0.5 ? -1.0 : 1.0) * (0.5 + ua[$0]) }
        try self.init(amplitudes: a, frequencies: ub.map { 0.5 + 2.5 * $0 }, key: key)
    }

    public var name: String { "cosine-sum(d=\(layout.count))" }
    public var dimension: Int { layout.count }
    public var optimalValue: Double? { -amplitudes.reduce(0) { $0 + abs($1) } }
    public var smoothness: Double? {
        zip(amplitudes, frequencies).map { abs($0) * $1 * $1 }.max()
    }

    /// Σ a_i damp_i cos(b_i θ_i) with damp_i = e^{−ε² b_i²/2} (ε = 0: f itself).
    private func smoothed(_ x: [Double], epsilon: Double) -> Double {
        var s = 0.0
        for i in 0..<x.count {
            let b = frequencies[i]
            s += amplitudes[i] * Foundation.exp(-0.5 * epsilon * epsilon * b * b) * Foundation.cos(b * x[i])
        }
        return s
    }

    private func smoothedGradientValues(_ x: [Double], epsilon: Double) -> [Double] {
        (0..<x.count).map { i in
            let b = frequencies[i]
            return -amplitudes[i] * b * Foundation.exp(-0.5 * epsilon * epsilon * b * b) * Foundation.sin(b * x[i])
        }
    }

    public func loss(_ parameters: Parameters<T>, batch: BatchSelection) throws -> Double {
        try checkLayout(parameters, layout, at: "CosineSum.loss")
        return smoothed(doubles(parameters.values), epsilon: 0)
    }

    public func gradient(_ parameters: Parameters<T>, batch: BatchSelection) throws -> [T] {
        try checkLayout(parameters, layout, at: "CosineSum.gradient")
        return scalars(smoothedGradientValues(doubles(parameters.values), epsilon: 0))
    }

    /// f_ε(θ) = Σ a_i e^{−ε² b_i²/2} cos(b_i θ_i). Throws on a layout mismatch or non-finite ε.
    public func smoothedLoss(_ parameters: Parameters<T>, epsilon: Double) throws -> Double {
        try checkLayout(parameters, layout, at: "CosineSum.smoothedLoss")
        guard epsilon.isFinite else {
            throw ZOError("ε = \(epsilon) is not finite", at: "CosineSum.smoothedLoss", fix: "pass a finite ε")
        }
        return smoothed(doubles(parameters.values), epsilon: epsilon)
    }

    /// ∇f_ε(θ)_i = −a_i b_i e^{−ε² b_i²/2} sin(b_i θ_i); nil on a layout mismatch or non-finite ε.
    public func smoothedGradient(_ parameters: Parameters<T>, epsilon: Double) -> [T]? {
        guard parameters.layout == layout, epsilon.isFinite else { return nil }
        return scalars(smoothedGradientValues(doubles(parameters.values), epsilon: epsilon))
    }

    /// θ₀ with keyed N(0, 1) entries.
    public func initialPoint() -> Parameters<T> {
        var p = Parameters<T>(zeros: layout)
        p.withTensor(0) { T.fillGaussian($0, key: startKey, offset: 0) }
        return p
    }
}
