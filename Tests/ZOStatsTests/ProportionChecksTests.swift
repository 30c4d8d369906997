import Foundation
import Testing
import ZOCore
import ZOStats

/// Size and power of the proportion checks by simulation (Simulation's Clopper–Pearson rate checks at
/// 1 − 1e-6), and their design functions' round trips.
@Suite struct ProportionChecksTests {
    /// Sign test, n = 30 trials (the escalation's), α = 0.05: the exact size P_½(X ≥ k*) and the exact power
    /// at q = ½ + signTestDetectable, each against 4000 simulated data sets (seed 30).
    @Test func signTestHasItsExactSizeAndPower() {
        let n = 30
        let alpha = 0.05
        let reps = 4000
        guard let k = Design.signTestCritical(trials: n, alpha: alpha) else {
            Issue.record("no critical count at n = \(n), α = \(alpha)")
            return
        }
        let size = Dist.binomialSurvival(k - 1, p: 0.5, trials: n)
        #expect(size < alpha && Dist.binomialSurvival(k - 2, p: 0.5, trials: n) >= alpha, "k* = \(k)")
        let effect = Design.signTestDetectable(trials: n, alpha: alpha)
        let power = Dist.binomialSurvival(k - 1, p: 0.5 + effect, trials: n)
        #expect(abs(power - defaultPower) < 1e-9, "exact power \(power) at q = ½ + \(effect)")
        var nullRejects = 0
        var altRejects = 0
        for r in 0..<reps {
            let key = PRNGKey(seed: 30).fold(in: r)
            // Signs of continuous symmetric differences: successes ~ Bin(n, ½).
            let positives = Simulation.gaussians(n, key.fold(in: 0)).filter { $0 > 0 }.count
            if ProportionChecks.signTest(successes: positives, trials: n) < alpha { nullRejects += 1 }
            let shifted = Simulation.binomial(n, 0.5 + effect, key.fold(in: 1))
            if ProportionChecks.signTest(successes: shifted, trials: n) < alpha { altRejects += 1 }
        }
        Simulation.expectRate(nullRejects, reps, consistentWith: size, "sign-test size at n = 30, seed 30")
        Simulation.expectRate(altRejects, reps, consistentWith: power, "sign-test power at q = ½ + \(effect), seed 30")
        let needed = Design.signTestTrialsNeeded(effect: effect, alpha: alpha)
        #expect(needed <= n, "n needed for the detectable effect at n = 30: \(needed)")
        #expect(
            Design.signTestCritical(trials: 4, alpha: alpha) == nil
                && Design.signTestDetectable(trials: 4, alpha: alpha) == .infinity)
        // 30 of 30 descending steps: P = 2⁻³⁰ (the escalation's smallest sign-test p).
        #expect(abs(ProportionChecks.signTest(successes: 30, trials: 30) / pow(2, -30) - 1) < 1e-14)
        #expect(ProportionChecks.signTest(successes: 0, trials: 30) == 1)
    }

    /// One-sample proportion z-test at p₀ = ½, n = 1000, α = 0.05 (two-sided) and p₀ = 0.516, n = 1016,
    /// α = 0.05 (one-sided, the escalation's accuracy-above-chance shape): size, and power at
    /// p₀ + proportionDetectable (the null-variance design; at p₀ near ½ the alternative's variance is
    /// within 1 % of the null's, so the power is 0.95 to within the simulation's resolution). Seed 31.
    @Test func proportionZTestHasItsSizeAndPower() {
        let reps = 4000
        let alpha = 0.05
        for (p0, n, sides) in [(0.5, 1000, Design.Sides.two), (0.516, 1016, .one)] {
            let effect = Design.proportionDetectable(n: n, null: p0, alpha: alpha, sides: sides)
            var nullRejects = 0
            var altRejects = 0
            for r in 0..<reps {
                let key = PRNGKey(seed: 31).fold(in: r)
                let k0 = Simulation.binomial(n, p0, key.fold(in: 0))
                let k1 = Simulation.binomial(n, p0 + effect, key.fold(in: 1))
                let v0 = ProportionChecks.zTest(
                    rate: Double(k0) / Double(n), trials: n, null: p0, alpha: alpha, sides: sides)
                let v1 = ProportionChecks.zTest(
                    rate: Double(k1) / Double(n), trials: n, null: p0, alpha: alpha, sides: sides)
                if v0.outcome == .fail { nullRejects += 1 }
                if v1.outcome == .fail { altRejects += 1 }
            }
            let label = "p₀ = \(p0), n = \(n), \(sides.rawValue)-sided, seed 31"
            Simulation.expectRate(nullRejects, reps, consistentWith: alpha, "proportion z size, \(label)")
            Simulation.expectRate(altRejects, reps, consistentWith: defaultPower, "proportion z power, \(label)")
            let needed = Design.proportionSamplesNeeded(effect: effect, null: p0, alpha: alpha, sides: sides)
            #expect(abs(needed - n) <= 1, "round trip: \(needed) vs \(n)")
        }
    }

    /// McNemar's one-sided continuity-corrected test given m = 200 discordant pairs, α = 0.05: the exact
    /// conditional size and power (at π = ½ + mcNemarDetectable) against 4000 simulated b's (seed 32);
    /// the escalation's b = 403, c = 210 gives z = 192/√613.
    @Test func mcNemarHasItsExactSizeAndPower() {
        let m = 200
        let alpha = 0.05
        let reps = 4000
        guard let k = Design.mcNemarCritical(discordant: m, alpha: alpha) else {
            Issue.record("no critical count at m = \(m)")
            return
        }
        let size = Dist.binomialSurvival(k - 1, p: 0.5, trials: m)
        #expect(size <= alpha, "exact size \(size) at b* = \(k)")
        let effect = Design.mcNemarDetectable(discordant: m, alpha: alpha)
        let power = Dist.binomialSurvival(k - 1, p: 0.5 + effect, trials: m)
        #expect(abs(power - defaultPower) < 1e-9)
        var nullRejects = 0
        var altRejects = 0
        for r in 0..<reps {
            let key = PRNGKey(seed: 32).fold(in: r)
            let b0 = Simulation.binomial(m, 0.5, key.fold(in: 0))
            let b1 = Simulation.binomial(m, 0.5 + effect, key.fold(in: 1))
            if ProportionChecks.mcNemar(b: b0, c: m - b0, alpha: alpha).outcome == .fail { nullRejects += 1 }
            if ProportionChecks.mcNemar(b: b1, c: m - b1, alpha: alpha).outcome == .fail { altRejects += 1 }
        }
        Simulation.expectRate(nullRejects, reps, consistentWith: size, "McNemar size at m = 200, seed 32")
        Simulation.expectRate(altRejects, reps, consistentWith: power, "McNemar power at π = ½ + \(effect), seed 32")
        #expect(Design.mcNemarDiscordantNeeded(effect: effect, alpha: alpha) <= m)
        let v = ProportionChecks.mcNemar(b: 403, c: 210, alpha: 1e-3)
        #expect(abs(v.statistic - 192 / 613.0.squareRoot()) < 1e-12 && v.outcome == .fail && v.n == 613)
        #expect(ProportionChecks.mcNemar(b: 0, c: 0, alpha: alpha).pValue == 0.5)
    }

    /// The audit's exact binomial tail (log-space sum) on known values, and against GSL's tail.
    @Test func binomialTailsAgree() {
        #expect(Dist.binomialUpperTail(0, 10, 0.3) == 1)
        #expect(abs(Dist.binomialUpperTail(2, 3, 0.5) - 0.5) < 1e-14)
        #expect(abs(Dist.binomialUpperTail(1, 20, 0.05) - (1 - pow(0.95, 20))) < 1e-13)
        #expect(Dist.binomialUpperTail(21, 20, 0.05) == 0)
        for (n, p) in [(20, 0.05), (200, 0.05), (30, 0.5)] {
            for k in 1...n {
                let a = Dist.binomialUpperTail(k, n, p)
                let b = Dist.binomialSurvival(k - 1, p: p, trials: n)
                #expect(abs(a - b) <= 1e-11 * b, "n \(n) p \(p) k \(k): \(a) vs \(b)")
            }
        }
    }

    /// Clopper–Pearson bounds are finite and bracket k/n for every k at n = 4000 and confidence 1 − 1e-6 (GSL's
    /// beta quantile alone returns NaN for about a quarter of them), and each bound solves its tail equation.
    @Test func clopperPearsonIsFiniteEverywhere() {
        let n = 4000
        let gamma = 1e-6
        for k in stride(from: 0, through: n, by: 7) {
            let (lo, hi) = Multiplicity.clopperPearson(successes: k, trials: n, confidence: 1 - gamma)
            let rate = Double(k) / Double(n)
            #expect(lo.isFinite && hi.isFinite && lo <= rate && rate <= hi, "k = \(k): [\(lo), \(hi)]")
            if k > 0 {
                // P(X ≥ k | π = lo) = γ/2.
                #expect(abs(Dist.binomialSurvival(k - 1, p: lo, trials: n) / (gamma / 2) - 1) < 1e-6, "k = \(k)")
            }
        }
    }
}
