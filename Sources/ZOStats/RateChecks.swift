import Foundation

/// Convergence-rate tests: per-seed log-log slopes of a metric against T, then a t-test across seeds
/// (seeds are independent; within a run the iterates are not). One-sided where the theorem is an
/// upper bound: "metric ≤ C·T^{−a}" is contradicted only by a slope significantly above −a.
public enum RateChecks {
    /// Least-squares slope of log y against log x (unweighted), for one seed's trajectory.
    public static func logLogSlope(x: [Double], y: [Double]) -> Double {
        let lx = x.map { log($0) }
        let ly = y.map { log($0) }
        let mx = lx.reduce(0, +) / Double(lx.count)
        let my = ly.reduce(0, +) / Double(ly.count)
        var sxy = 0.0
        var sxx = 0.0
        for (a, b) in zip(lx, ly) {
            sxy += (a - mx) * (b - my)
            sxx += (a - mx) * (a - mx)
        }
        return sxy / sxx
    }

    /// Tests the mean per-seed slope against `exponent`: `.one` fails only if the slope is significantly
    /// greater (slower convergence than the bound allows); `.two` tests equality.
    public static func slopeAcrossSeeds(
        _ slopes: [Double], exponent: Double, alpha: Double, sides: Design.Sides,
        required: Double? = nil, name: String = "rate"
    ) -> Verdict {
        var v = MeanChecks.scalarMean(
            slopes, target: exponent, alpha: alpha, sides: sides, required: required, name: name)
        v.effectUnit = "slope"
        return v
    }
}
