/// Design functions: the smallest discrepancy a test detects at n samples with power 1 − β, and the
/// n it needs for a given discrepancy (TFP's `min_discrepancy_*` / `min_num_samples_*`): t quantiles
/// for t-tests, normal ones for z-tests; `DesignTests` checks by simulation that they deliver the stated power.
public enum Design {
    public enum Sides: String, Codable, Sendable {
        case two
        case one
    }

    static func criticalZ(_ alpha: Double, _ sides: Sides) -> Double {
        Dist.normalUpper(sides == .two ? alpha / 2 : alpha)
    }

    /// One-sample t-test at n values: the shift δ = λσ/√n detected with power `power`, λ solving
    /// P(reject | noncentral t_{n−1}(λ)) = power (`Dist.tTestPower`, exact for Gaussian values; by
    /// bisection). For n > 200 the closed form (t_{α(/2), n−1} + t_{power, n−1}) σ/√n, whose power is within
    /// 0.005 of `power` there for α ≥ 1e-6. The normal formula was optimistic at small n: at n = 20,
    /// α = 2.5e-6 the critical value is t = 6.3 where z would say 4.6. Proofs/statistics.md#design-t.
    public static func meanDetectable(
        n: Int, sigma: Double, alpha: Double, sides: Sides = .two, power: Double = defaultPower
    ) -> Double {
        let dof = Double(max(n - 1, 1))
        let closed =
            Dist.tUpper(sides == .two ? alpha / 2 : alpha, dof: dof) + Dist.tQuantile(power, dof: dof)
        guard n <= 200, closed.isFinite else { return closed * sigma / Double(max(n, 1)).squareRoot() }
        var (lo, hi) = (0.0, max(closed, 1.0))
        while Dist.tTestPower(noncentrality: hi, n: n, alpha: alpha, twoSided: sides == .two) < power {
            (lo, hi) = (hi, hi * 2)
            if hi > 1e6 { return .infinity }
        }
        for _ in 0..<50 {
            let mid = (lo + hi) / 2
            if Dist.tTestPower(noncentrality: mid, n: n, alpha: alpha, twoSided: sides == .two) < power {
                lo = mid
            } else {
                hi = mid
            }
        }
        return hi * sigma / Double(max(n, 1)).squareRoot()
    }

    /// z-test of an estimate with known (or large-sample) standard error SE: δ = (z_{α(/2)} + z_{power})·SE.
    public static func zDetectable(
        standardError: Double, alpha: Double, sides: Sides = .two, power: Double = defaultPower
    ) -> Double {
        (criticalZ(alpha, sides) + Dist.normalQuantile(power)) * standardError
    }

    /// The smallest n with `meanDetectable(n:…) ≤ effect` (t quantiles; starts from the normal answer).
    public static func meanSamplesNeeded(
        effect: Double, sigma: Double, alpha: Double, sides: Sides = .two, power: Double = defaultPower
    ) -> Int {
        let k = (criticalZ(alpha, sides) + Dist.normalQuantile(power)) * sigma / effect
        guard k.isFinite, k > 0 else { return k > 0 ? Int.max : 2 }
        func enough(_ n: Int) -> Bool {
            meanDetectable(n: n, sigma: sigma, alpha: alpha, sides: sides, power: power) <= effect
        }
        var lo = max(1, Int((k * k).rounded(.down)))  // t quantiles exceed z ones: n ≥ the normal answer
        var hi = max(2, lo)
        while !enough(hi) {
            guard hi < Int(Int32.max) else { return Int.max }
            (lo, hi) = (hi, hi * 2)
        }
        while hi - lo > 1 {  // invariant: enough(hi), and lo is too small (or the normal lower bound)
            let mid = (lo + hi) / 2
            if enough(mid) { hi = mid } else { lo = mid }
        }
        return hi
    }

    /// Difference of two independent means with standard error SE = √(SE_A² + SE_B²): the z-test's
    /// `zDetectable` with SE, δ = (z_{α(/2)} + z_{power})·SE.
    public static func differenceDetectable(
        standardError: Double, alpha: Double, sides: Sides = .two, power: Double = defaultPower
    ) -> Double {
        zDetectable(standardError: standardError, alpha: alpha, sides: sides, power: power)
    }

    /// n per sample such that `differenceDetectable` ≤ effect when both samples have n values with
    /// standard deviations σ_A and σ_B (SE = √((σ_A² + σ_B²)/n)).
    public static func differenceSamplesNeeded(
        effect: Double, sigmaA: Double, sigmaB: Double, alpha: Double, sides: Sides = .two,
        power: Double = defaultPower
    ) -> Int {
        let k =
            zDetectable(
                standardError: (sigmaA * sigmaA + sigmaB * sigmaB).squareRoot(), alpha: alpha, sides: sides,
                power: power)
            / effect
        return Int((k * k).rounded(.up))
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

    /// n for `MeanChecks.omnibusMean` to detect a bias of norm `effect`·`scale` in any direction with
    /// power `power`: its any-direction detectable effect is δ_M(n)·√λ_max/scale with δ_M(n) = δ_M(1)/√n
    /// (`chiSquaredDetectable`), so n = ⌈(δ_M(1)·√λ_max/(scale·effect))²⌉, and at least 10·d (the omnibus
    /// runs only when n ≥ 10 d). Proofs/statistics.md#omnibus.
    public static func omnibusSamplesNeeded(
        effect: Double, largestEigenvalue: Double, scale: Double, dimension d: Int, alpha: Double,
        power: Double = defaultPower
    ) -> Int {
        let unit = chiSquaredDetectable(n: 1, dimension: d, alpha: alpha, power: power)
        let k = unit * largestEigenvalue.squareRoot() / (scale * effect)
        guard k.isFinite else { return Int.max }
        return max(10 * d, Int((k * k).rounded(.up)))
    }

    /// Median of means with k = ⌈8 ln(1/α)⌉ blocks: a deviation of 2·(2σ√(k/n)) is detected with
    /// probability ≥ 1 − α (the estimate is within 2σ√(k/n) of the true mean w.p. ≥ 1 − e^{−k/8}).
    public static func medianOfMeansDetectable(n: Int, sigma: Double, alpha: Double) -> Double {
        let k = MedianOfMeans.blocks(alpha: alpha)
        return 2 * MedianOfMeans.threshold(n: n, sigma: sigma, blocks: k)
    }
}
