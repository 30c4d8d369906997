/// Normal-theory checks of means whose standard error is already known or estimated from a large
/// sample: a z-test, the one-sided difference of two independent means, and the χ² combination of
/// independent z-scores. Proofs/statistics.md §15 gives the null laws (normal, χ²_k).
extension MeanChecks {
    /// p-value of a standard-normal statistic z: two-sided min(1, 2Q(|z|)); `.one` is the upper tail Q(z)
    /// (fails when the estimate is significantly above its target).
    public static func normalPValue(_ z: Double, sides: Design.Sides = .two) -> Double {
        sides == .two ? min(1, 2 * Dist.normalSurvival(abs(z))) : Dist.normalSurvival(z)
    }

    /// z-test of E X̂ = target for an estimate with standard error SE: z = (x̂ − target)/SE ~ N(0, 1) under
    /// H₀ (CLT). Design: `Design.zDetectable(standardError: SE, …)`, the discrepancy detected with power 1 − β.
    public static func zTest(
        estimate: Double, target: Double, standardError: Double, n: Int, alpha: Double, sides: Design.Sides = .two,
        name: String = "z-test"
    ) -> Verdict {
        let z = (estimate - target) / standardError
        let p = normalPValue(z, sides: sides)
        return Verdict(
            check: name, statistic: z, pValue: p, n: n, alpha: alpha,
            detectableEffect: Design.zDetectable(standardError: standardError, alpha: alpha, sides: sides),
            outcome: p < alpha ? .fail : .pass,
            details: "estimate \(estimate) ± \(standardError) (SE), target \(target)")
    }

    /// One-sided test of E A ≥ E B for two independent samples (large n): z = (Ā − B̄)/√(SE_A² + SE_B²),
    /// p = Φ(z); fails when A's mean is significantly below B's. Design: `Design.differenceDetectable`.
    public static func differenceBelow(
        _ a: Summary, _ b: Summary, alpha: Double, effectUnit: String = "", name: String = "E A ≥ E B (one-sided z)"
    ) -> Verdict {
        let se = (a.standardError * a.standardError + b.standardError * b.standardError).squareRoot()
        let z = (a.mean - b.mean) / se
        let p = Dist.normalCDF(z)
        return Verdict(
            check: name, statistic: z, pValue: p, n: a.n, alpha: alpha,
            detectableEffect: Design.differenceDetectable(standardError: se, alpha: alpha, sides: .one),
            effectUnit: effectUnit, outcome: p < alpha ? .fail : .pass,
            details: "mean A \(a.mean) ± \(a.standardError), mean B \(b.mean) ± \(b.standardError) (SE)")
    }

    /// Combines k independent z-scores (e.g. the standardised means of k independent blocks) into
    /// Σ zᵢ² ~ χ²_k under H₀ (all means on target). Design: the noncentrality √λ detected with power
    /// 1 − β, `Design.chiSquaredDetectable(n: 1, dimension: k, …)`, in units of the z's.
    public static func zScoresChiSquared(
        _ z: [Double], alpha: Double, n: Int, name: String = "Σ z² ~ χ²", effectUnit: String = "Σz² noncentrality^½"
    ) -> Verdict {
        let chi = z.reduce(0) { $0 + $1 * $1 }
        let p = Dist.chiSquaredSurvival(chi, dof: Double(z.count))
        return Verdict(
            check: name, statistic: chi, pValue: p, n: n, alpha: alpha,
            detectableEffect: Design.chiSquaredDetectable(n: 1, dimension: z.count, alpha: alpha),
            effectUnit: effectUnit, outcome: p < alpha ? .fail : .pass, details: "χ²_\(z.count) = \(chi)")
    }
}
