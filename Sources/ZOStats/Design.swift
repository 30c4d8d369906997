/// Design functions: the smallest discrepancy a test detects at n samples with power 1 − β, and the
/// n it needs for a given discrepancy (TFP's `min_discrepancy_*` / `min_num_samples_*`). They are
/// normal approximations; `DesignTests` checks by simulation that they deliver the stated power.
public enum Design {
    public enum Sides: String, Codable, Sendable {
        case two
        case one
    }

    static func criticalZ(_ alpha: Double, _ sides: Sides) -> Double {
        Dist.normalUpper(sides == .two ? alpha / 2 : alpha)
    }

    /// z/t mean test: δ = (z_{α(/2)} + z_{power}) σ/√n.
    public static func meanDetectable(
        n: Int, sigma: Double, alpha: Double, sides: Sides = .two, power: Double = defaultPower
    ) -> Double {
        (criticalZ(alpha, sides) + Dist.normalQuantile(power)) * sigma / Double(max(n, 1)).squareRoot()
    }

    /// n such that `meanDetectable(n:…) ≤ effect`.
    public static func meanSamplesNeeded(
        effect: Double, sigma: Double, alpha: Double, sides: Sides = .two, power: Double = defaultPower
    ) -> Int {
        let k = (criticalZ(alpha, sides) + Dist.normalQuantile(power)) * sigma / effect
        return Int((k * k).rounded(.up))
    }

    /// Difference of two independent means with standard error SE = √(SE_A² + SE_B²): the z-test's
    /// `meanDetectable` at n = 1 and σ = SE, δ = (z_{α(/2)} + z_{power})·SE.
    public static func differenceDetectable(
        standardError: Double, alpha: Double, sides: Sides = .two, power: Double = defaultPower
    ) -> Double {
        meanDetectable(n: 1, sigma: standardError, alpha: alpha, sides: sides, power: power)
    }

    /// n per sample such that `differenceDetectable` ≤ effect when both samples have n values with
    /// standard deviations σ_A and σ_B (SE = √((σ_A² + σ_B²)/n)).
    public static func differenceSamplesNeeded(
        effect: Double, sigmaA: Double, sigmaB: Double, alpha: Double, sides: Sides = .two,
        power: Double = defaultPower
    ) -> Int {
        meanSamplesNeeded(
            effect: effect, sigma: (sigmaA * sigmaA + sigmaB * sigmaB).squareRoot(), alpha: alpha, sides: sides,
            power: power)
    }

    /// χ²_d mean test with known covariance: the Mahalanobis distance √(λ/n) at which the noncentral
    /// χ²_d(λ) exceeds the level-α critical value with probability `power` (λ by bisection).
    public static func chiSquaredDetectable(n: Int, dimension d: Int, alpha: Double, power: Double = defaultPower)
        -> Double
    {
        let critical = Dist.chiSquaredUpper(alpha, dof: Double(d))
        var lo = 0.0
        var hi = 1.0
        while Dist.noncentralChiSquaredSurvival(critical, dof: Double(d), noncentrality: hi) < power { hi *= 2 }
        for _ in 0..<80 {
            let mid = (lo + hi) / 2
            if Dist.noncentralChiSquaredSurvival(critical, dof: Double(d), noncentrality: mid) < power {
                lo = mid
            } else {
                hi = mid
            }
        }
        return (hi / Double(max(n, 1))).squareRoot()
    }

    /// Median of means with k = ⌈8 ln(1/α)⌉ blocks: a deviation of 2·(2σ√(k/n)) is detected with
    /// probability ≥ 1 − α (the estimate is within 2σ√(k/n) of the true mean w.p. ≥ 1 − e^{−k/8}).
    public static func medianOfMeansDetectable(n: Int, sigma: Double, alpha: Double) -> Double {
        let k = MedianOfMeans.blocks(alpha: alpha)
        return 2 * MedianOfMeans.threshold(n: n, sigma: sigma, blocks: k)
    }
}
