/// An estimate with its 95 % normal-approximation interval, estimate ± z₀.₉₇₅·SE (Proofs/statistics.md §1:
/// the CLT interval of a mean; valid when n is large enough for the mean to be near-normal).
public struct ConfidenceInterval: Codable, Sendable, Equatable {
    public let estimate: Double
    public let standardError: Double
    public var lower: Double { estimate - Self.z975 * standardError }
    public var upper: Double { estimate + Self.z975 * standardError }
    /// z₀.₉₇₅·SE.
    public var halfWidth: Double { Self.z975 * standardError }

    /// z₀.₉₇₅ = Φ⁻¹(0.975) = 1.959963984540054 (to 16 digits; GSL's `Dist.normalUpper(0.025)` is one ulp
    /// below it). Design: an interval of half-width w needs SE ≤ w/z₀.₉₇₅, i.e. n ≥ (z₀.₉₇₅σ/w)².
    public static let z975 = 1.959963984540054

    public init(estimate: Double, standardError: Double) {
        self.estimate = estimate
        self.standardError = standardError
    }

    /// The 95 % normal intervals of several estimates with their standard errors, as lower and upper arrays
    /// (error bars of a plotted series).
    public static func bounds(_ estimates: [Double], _ standardErrors: [Double]) -> (lower: [Double], upper: [Double]) {
        let intervals = zip(estimates, standardErrors).map { ConfidenceInterval(estimate: $0, standardError: $1) }
        return (intervals.map(\.lower), intervals.map(\.upper))
    }

    /// The Student-t 95 % half-width t_{0.975, ν}·SE of an estimate with ν degrees of freedom (a mean of
    /// n = ν + 1 Gaussian values, or a regression coefficient with ν residual degrees of freedom).
    public static func tHalfWidth95(standardError: Double, dof: Double) -> Double {
        Dist.tUpper(0.025, dof: dof) * standardError
    }

    /// The Student-t 95 % half-width of a sample's mean, t_{0.975, n−1}·s/√n; callers decide what n < 2 means.
    public static func tHalfWidth95(_ s: MeanChecks.Summary) -> Double {
        tHalfWidth95(standardError: s.standardError, dof: Double(s.n - 1))
    }

    /// (mean, sample sd, half-width t_{(1+level)/2, n−1}·sd/√n) of `v` in two passes; the half-width is NaN for
    /// n < 2, everything NaN for n = 0 (loss curves across a few seeds).
    public static func t(_ v: [Double], level: Double = 0.95) -> (mean: Double, sd: Double, halfWidth: Double) {
        let n = Double(v.count)
        guard v.count >= 1 else { return (.nan, .nan, .nan) }
        let mean = v.reduce(0, +) / n
        guard v.count >= 2 else { return (mean, .nan, .nan) }
        let sd = (v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
        let t = Dist.tQuantile(1 - (1 - level) / 2, dof: n - 1)
        return (mean, sd, t * sd / n.squareRoot())
    }

    /// Mean of `values` (+ offset) with its standard error.
    public static func mean(_ values: [Double], offset: Double = 0, scale: Double = 1) -> ConfidenceInterval {
        let n = Double(values.count)
        guard n > 0 else { return ConfidenceInterval(estimate: .nan, standardError: .nan) }
        var m = 0.0
        var s = 0.0
        for (i, x) in values.enumerated() {
            let d = x - m
            m += d / Double(i + 1)
            s += d * (x - m)
        }
        let sd = n > 1 ? (s / (n - 1)).squareRoot() : .nan
        return ConfidenceInterval(estimate: offset + scale * m, standardError: abs(scale) * sd / n.squareRoot())
    }

    enum CodingKeys: String, CodingKey { case estimate, standardError, lower, upper }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(estimate, forKey: .estimate)
        try c.encode(standardError, forKey: .standardError)
        try c.encode(lower, forKey: .lower)
        try c.encode(upper, forKey: .upper)
    }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        estimate = try c.decode(Double.self, forKey: .estimate)
        standardError = try c.decode(Double.self, forKey: .standardError)
    }
}
