/// Tests of proportions: the sign test (exact binomial), the one-sample z-test of a proportion against
/// p₀ (normal approximation with the null variance), and McNemar's test of paired binary outcomes
/// (continuity-corrected). Proofs/statistics.md §16 derives each; the design functions are in
/// `Design` (`signTestDetectable`, `proportionDetectable`, `mcNemarDetectable`).
public enum ProportionChecks {
    /// Sign test of H₀: P(success) ≤ ½ from k successes in n independent trials: p = P(X ≥ k) with
    /// X ~ Binomial(n, ½), exact and distribution-free (the sign of a continuous difference needs no
    /// moment). Rejects at α when p < α, i.e. when k ≥ `Design.signTestCritical(trials:alpha:)`.
    public static func signTest(successes k: Int, trials n: Int) -> Double {
        k == 0 ? 1 : Dist.binomialSurvival(k - 1, p: 0.5, trials: n)
    }

    /// One-sample z-test of a proportion: z = (p̂ − p₀)/√(p₀(1 − p₀)/n) ~ N(0, 1) under H₀: p = p₀ (CLT, the
    /// null variance); two-sided p = min(1, 2Q(|z|)), `.one` the upper tail Q(z) (H₀: p ≤ p₀).
    public static func zTest(
        rate: Double, trials n: Int, null p0: Double, alpha: Double, sides: Design.Sides = .two,
        name: String = "proportion z-test"
    ) -> Verdict {
        let z = (rate - p0) / (p0 * (1 - p0) / Double(n)).squareRoot()
        let p = MeanChecks.normalPValue(z, sides: sides)
        return Verdict(
            check: name, statistic: z, pValue: p, n: n, alpha: alpha,
            detectableEffect: Design.proportionDetectable(n: n, null: p0, alpha: alpha, sides: sides),
            effectUnit: "fraction", outcome: p < alpha ? .fail : .pass, details: "rate \(rate) vs \(p0)")
    }

    /// McNemar's one-sided test on paired binary outcomes: b pairs where only the first arm is right, c
    /// where only the second is. Under H₀ (no difference) b ~ Binomial(b + c, ½) given b + c; the
    /// continuity-corrected z = (b − c − 1)/√(b + c) (0 when b + c = 0) and p = Q(z) test b > c.
    /// Effect unit: π − ½ with π = P(first arm right | the arms disagree).
    public static func mcNemar(
        b: Int, c: Int, alpha: Double, name: String = "McNemar (one-sided, continuity-corrected)"
    ) -> Verdict {
        let (z, p) = mcNemarStatistic(b: b, c: c)
        return Verdict(
            check: name, statistic: z, pValue: p, n: b + c, alpha: alpha,
            detectableEffect: Design.mcNemarDetectable(discordant: b + c, alpha: alpha),
            effectUnit: "P(b | discordant) − ½", outcome: p < alpha ? .fail : .pass, details: "b = \(b), c = \(c)")
    }

    /// McNemar's continuity-corrected z and its one-sided p-value Q(z) (what `mcNemar` and its design use).
    public static func mcNemarStatistic(b: Int, c: Int) -> (z: Double, pValue: Double) {
        let z = b + c > 0 ? (Double(b - c) - 1) / Double(b + c).squareRoot() : 0
        return (z, Dist.normalSurvival(z))
    }
}
