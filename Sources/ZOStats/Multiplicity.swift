import Foundation

/// Multiple comparisons and proportions: Bonferroni's split, Holm's step-down procedure, Clopper–Pearson
/// intervals, and the DKW(M) bands for p-value uniformity (two-sided) and anti-conservatism (one-sided).
public enum Multiplicity {
    public struct HolmResult: Sendable {
        /// Holm-adjusted p-values, in input order.
        public let adjusted: [Double]
        public let rejected: [Bool]
        public var anyRejected: Bool { rejected.contains(true) }
        public var adjustedMinimum: Double { adjusted.min() ?? 1 }
    }

    /// Bonferroni's split: each of k tests run at α/k keeps the family-wise false-fail rate ≤ α under any
    /// dependence (union bound). Design: the component test's design function at this level.
    public static func bonferroni(_ alpha: Double, tests k: Int) -> Double { alpha / Double(k) }

    /// The Bonferroni-adjusted p-value min(1, k·p): the family's p-value when the smallest of k is p.
    public static func bonferroniAdjusted(_ p: Double, tests k: Int) -> Double { min(1, p * Double(k)) }

    /// Holm (1979): sort p ascending, adjusted p_(i) = max_{j ≤ i} min(1, (m − j + 1) p_(j)); reject where ≤ α.
    /// Controls the family-wise error rate at α under any dependence.
    public static func holm(_ pValues: [Double], alpha: Double) -> HolmResult {
        let m = pValues.count
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] }
        var adjusted = [Double](repeating: 1, count: m)
        var running = 0.0
        for (rank, index) in order.enumerated() {
            running = max(running, min(1, Double(m - rank) * pValues[index]))
            adjusted[index] = running
        }
        return HolmResult(adjusted: adjusted, rejected: adjusted.map { $0 <= alpha })
    }

    /// Holm over sub-verdicts run at the same α: fails if any Holm-adjusted p-value is ≤ α, is
    /// inconclusive if none fails and a part is inconclusive; reports the smallest adjusted p-value,
    /// the statistic of the most significant part and the largest detectable effect.
    public static func holmCombined(_ parts: [Verdict], alpha: Double, name: String) -> Verdict {
        let holm = holm(parts.map(\.pValue), alpha: alpha)
        let worst = parts.min { $0.pValue < $1.pValue } ?? parts[0]
        let outcome: Outcome =
            holm.anyRejected ? .fail : parts.map(\.outcome).max() == .inconclusive ? .inconclusive : .pass
        return Verdict(
            check: name, statistic: worst.statistic, pValue: holm.adjustedMinimum, n: worst.n, alpha: alpha,
            detectableEffect: parts.map(\.detectableEffect).max() ?? .infinity, effectUnit: worst.effectUnit,
            outcome: outcome,
            details: parts.map { "[\($0.check): p=\($0.pValue), \($0.details)]" }.joined(separator: " "))
    }

    /// Holm across parts of one claim (cells of a grid, configurations): fails if any Holm-adjusted p-value is
    /// ≤ α (pass otherwise); reports the smallest adjusted p-value and the statistic of the part that has it,
    /// the largest detectable effect of the parts, the given n and unit, and `details` of that part.
    public static func holmAcross(
        _ parts: [Verdict], alpha: Double, name: String, n: Int, effectUnit: String,
        details: (Verdict) -> String
    ) -> Verdict {
        let h = holm(parts.map(\.pValue), alpha: alpha)
        let worst = parts.indices.min { h.adjusted[$0] < h.adjusted[$1] } ?? 0
        return Verdict(
            check: name, statistic: parts[worst].statistic, pValue: h.adjustedMinimum, n: n, alpha: alpha,
            detectableEffect: parts.map(\.detectableEffect).max() ?? .infinity, effectUnit: effectUnit,
            outcome: h.anyRejected ? .fail : .pass, details: details(parts[worst]))
    }

    /// Exact (Clopper–Pearson) interval for a binomial proportion k/n at confidence 1 − γ.
    public static func clopperPearson(successes k: Int, trials n: Int, confidence: Double = 0.95) -> (
        lower: Double, upper: Double
    ) {
        let g = 1 - confidence
        let lower = k == 0 ? 0 : Dist.betaQuantile(g / 2, a: Double(k), b: Double(n - k + 1))
        let upper = k == n ? 1 : Dist.betaQuantile(1 - g / 2, a: Double(k + 1), b: Double(n - k))
        return (lower, upper)
    }

    /// Dvoretzky–Kiefer–Wolfowitz–Massart: P(sup|Fₙ − F| > ε) ≤ 2e^{−2nε²}; the band half-width at α.
    public static func dkwmBand(n: Int, alpha: Double) -> Double {
        (log(2 / alpha) / (2 * Double(n))).squareRoot()
    }

    /// One-sided DKW (Massart 1990): P(sup_x (Fₙ(x) − F(x)) > ε) ≤ e^{−2nε²}; the band at α is √(ln(1/α)/(2n)).
    public static func dkwOneSidedBand(n: Int, alpha: Double) -> Double {
        (log(1 / alpha) / (2 * Double(n))).squareRoot()
    }

    /// sup_x (Fₙ(x) − x) over the finite p-values: how far small p-values are more frequent than uniform
    /// (anti-conservative); 0 for no finite p-value.
    public static func pValueExcess(_ pValues: [Double]) -> Double {
        let ps = pValues.filter { $0.isFinite }.sorted()
        return ps.enumerated().map { Double($0.offset + 1) / Double(ps.count) - $0.element }.max() ?? 0
    }

    /// Tests that p-values are not anti-conservative (P(p ≤ x) ≤ x for all x): fails when `pValueExcess`
    /// exceeds the one-sided DKW band at α; the reported p-value is the bound e^{−2nD²} at the observed D.
    /// Design: `Design.dkwExcessDetectable`.
    public static func pValuesNotAntiConservative(_ pValues: [Double], alpha: Double) -> Verdict {
        let n = max(pValues.filter { $0.isFinite }.count, 1)
        let d = pValueExcess(pValues)
        let band = dkwOneSidedBand(n: n, alpha: alpha)
        return Verdict(
            check: "p-values not anti-conservative (one-sided DKW)", statistic: d,
            pValue: min(1, exp(-2 * Double(n) * max(d, 0) * max(d, 0))), n: n, alpha: alpha,
            detectableEffect: Design.dkwExcessDetectable(n: n, alpha: alpha), effectUnit: "sup(F − x)",
            outcome: d > band ? .fail : .pass, details: "sup(Fₙ − x) = \(d), band \(band)")
    }

    /// Tests that p-values are uniform on [0, 1] (a calibrated check): sup |Fₙ(x) − x| against the
    /// DKWM band; the p-value is the DKWM bound 2e^{−2nD²} at the observed D.
    public static func uniformityByDKWM(_ pValues: [Double], alpha: Double) -> Verdict {
        let n = pValues.count
        let sorted = pValues.sorted()
        var d = 0.0
        for (i, p) in sorted.enumerated() {
            d = max(d, abs(Double(i + 1) / Double(n) - p), abs(p - Double(i) / Double(n)))
        }
        let band = dkwmBand(n: n, alpha: alpha)
        let p = min(1, 2 * exp(-2 * Double(n) * d * d))
        return Verdict(
            check: "p-value uniformity (DKWM)", statistic: d, pValue: p, n: n, alpha: alpha,
            detectableEffect: 2 * band, effectUnit: "sup|F − x|", outcome: d > band ? .fail : .pass,
            details: "sup|Fₙ − x| = \(d), band \(band)")
    }
}
