import Foundation

/// Design functions of the proportion checks (`ProportionChecks`) and of the one-sided DKW band: the
/// smallest effect each detects at n with power 1 − β, and the n it needs for an effect. The sign test
/// and McNemar's test are designed on the exact binomial law of the test itself (its critical count),
/// so their stated power is exact; the z-test's is the normal approximation with the null variance.
extension Design {
    /// One-sample proportion z-test: δ = (z_{α(/2)} + z_{power})·√(p₀(1 − p₀)/n).
    public static func proportionDetectable(
        n: Int, null p0: Double, alpha: Double, sides: Sides = .two, power: Double = defaultPower
    ) -> Double {
        (criticalZ(alpha, sides) + Dist.normalQuantile(power)) * (p0 * (1 - p0) / Double(n)).squareRoot()
    }

    /// n such that `proportionDetectable(n:…) ≤ effect`.
    public static func proportionSamplesNeeded(
        effect: Double, null p0: Double, alpha: Double, sides: Sides = .two, power: Double = defaultPower
    ) -> Int {
        let k = (criticalZ(alpha, sides) + Dist.normalQuantile(power)) * (p0 * (1 - p0)).squareRoot() / effect
        return Int((k * k).rounded(.up))
    }

    /// The sign test's critical count: the smallest k with `ProportionChecks.signTest(successes: k, trials: n)`
    /// < α (nil when even k = n is not significant: n < log₂(1/α)). Its exact size is P_½(X ≥ k*) ≤ α.
    public static func signTestCritical(trials n: Int, alpha: Double) -> Int? {
        criticalCount(n) { ProportionChecks.signTest(successes: $0, trials: n) < alpha }
    }

    /// The smallest q − ½, q = P(success), that the sign test detects with probability ≥ `power`: the exact
    /// binomial power P_q(X ≥ k*), solved for q by bisection; ∞ when the test cannot reject at this n.
    public static func signTestDetectable(trials n: Int, alpha: Double, power: Double = defaultPower) -> Double {
        guard let k = signTestCritical(trials: n, alpha: alpha) else { return .infinity }
        return binomialShift(trials: n, critical: k, power: power)
    }

    /// The smallest n whose sign test detects q = ½ + effect with power ≥ `power` (the exact power is not
    /// monotone in n, by discreteness: this is the first n that reaches it).
    public static func signTestTrialsNeeded(effect: Double, alpha: Double, power: Double = defaultPower) -> Int {
        firstTrials { n in
            signTestCritical(trials: n, alpha: alpha).map {
                Dist.binomialSurvival($0 - 1, p: 0.5 + effect, trials: n) >= power
            } ?? false
        }
    }

    /// McNemar's test given m discordant pairs: b ~ Binomial(m, π); the critical b* is the smallest b whose
    /// continuity-corrected one-sided p-value is < α, and the power P_π(b ≥ b*) is exact. Returns the
    /// smallest π − ½ detected with probability ≥ `power` (∞ when the test cannot reject at this m).
    public static func mcNemarDetectable(discordant m: Int, alpha: Double, power: Double = defaultPower) -> Double {
        guard let k = mcNemarCritical(discordant: m, alpha: alpha) else { return .infinity }
        return binomialShift(trials: m, critical: k, power: power)
    }

    /// The smallest number of discordant pairs at which McNemar's test detects π = ½ + effect with power
    /// ≥ `power`.
    public static func mcNemarDiscordantNeeded(effect: Double, alpha: Double, power: Double = defaultPower) -> Int {
        firstTrials { m in
            mcNemarCritical(discordant: m, alpha: alpha).map {
                Dist.binomialSurvival($0 - 1, p: 0.5 + effect, trials: m) >= power
            } ?? false
        }
    }

    /// McNemar's critical count b* given m discordant pairs (nil when none is significant).
    public static func mcNemarCritical(discordant m: Int, alpha: Double) -> Int? {
        criticalCount(m) { ProportionChecks.mcNemarStatistic(b: $0, c: m - $0).pValue < alpha }
    }

    /// The one-sided DKW test of anti-conservative p-values (`Multiplicity.pValuesNotAntiConservative`)
    /// detects a true excess sup_x (F(x) − x) ≥ δ with probability ≥ `power` when δ ≥ ε_α + ε_β, with
    /// ε_γ = √(ln(1/γ)/(2n)) and β = 1 − power: at the x where the excess is δ, Fₙ(x) − F(x) ≥ −ε_β
    /// except with probability e^{−2nε_β²} = β (Massart's one-sided bound), so the statistic exceeds ε_α.
    public static func dkwExcessDetectable(n: Int, alpha: Double, power: Double = defaultPower) -> Double {
        Multiplicity.dkwOneSidedBand(n: n, alpha: alpha) + Multiplicity.dkwOneSidedBand(n: n, alpha: 1 - power)
    }

    /// n such that `dkwExcessDetectable(n:…) ≤ effect`: n ≥ (√ln(1/α) + √ln(1/β))²/(2δ²).
    public static func dkwSamplesNeeded(effect: Double, alpha: Double, power: Double = defaultPower) -> Int {
        let k = (log(1 / alpha).squareRoot() + log(1 / (1 - power)).squareRoot()) / effect
        return Int((k * k / 2).rounded(.up))
    }

    /// Smallest k in 0...n with `rejects(k)`, for a rejection region {k ≥ k*} (binary search; nil if none).
    static func criticalCount(_ n: Int, rejects: (Int) -> Bool) -> Int? {
        guard n >= 0, rejects(n) else { return nil }
        var lo = 0
        var hi = n
        while lo < hi {
            let mid = (lo + hi) / 2
            if rejects(mid) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    /// The q − ½ at which P_q(Binomial(n, q) ≥ k) = power (the power increases in q), by bisection on [½, 1].
    static func binomialShift(trials n: Int, critical k: Int, power: Double) -> Double {
        var lo = 0.5
        var hi = 1.0
        for _ in 0..<60 {
            let mid = (lo + hi) / 2
            if Dist.binomialSurvival(k - 1, p: mid, trials: n) >= power { hi = mid } else { lo = mid }
        }
        return hi - 0.5
    }

    /// The first n ≥ 1 with `reaches(n)` (a linear scan, up to 2²⁰: power is not monotone in n).
    static func firstTrials(_ reaches: (Int) -> Bool) -> Int {
        var n = 1
        while !reaches(n) && n < 1 << 20 { n += 1 }
        return n
    }
}
