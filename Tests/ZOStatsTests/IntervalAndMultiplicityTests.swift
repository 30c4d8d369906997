import Foundation
import Testing
import ZOCore
import ZOStats

/// Coverage of the intervals and family-wise rates of the multiplicity splits, by simulation
/// (Simulation's CP checks at 1 − 1e-6), with the known quantiles the intervals use.
@Suite struct IntervalAndMultiplicityTests {
    /// 95 % intervals of a mean of Gaussian values: the normal interval at n = 400 and the Student-t one at
    /// n = 3 (loss curves across three seeds) each cover the true mean with probability 0.95; 4000 samples,
    /// seed 50. Design: half-width z₀.₉₇₅σ/√n (normal), t_{0.975, 2}·s/√3 (t).
    @Test func intervalsCoverAtTheirLevel() {
        let reps = 4000
        var normalCovers = 0
        var tCovers = 0
        var tCoversFromSummary = 0
        for r in 0..<reps {
            let key = PRNGKey(seed: 50).fold(in: r)
            let big = ConfidenceInterval.mean(Simulation.gaussians(400, key.fold(in: 0)).map { 5 + $0 })
            if big.lower <= 5 && 5 <= big.upper { normalCovers += 1 }
            let small = Simulation.gaussians(3, key.fold(in: 1)).map { 5 + 2 * $0 }
            let (mean, _, half) = ConfidenceInterval.t(small)
            if abs(mean - 5) <= half { tCovers += 1 }
            let s = MeanChecks.Summary(small)
            if abs(s.mean - 5) <= ConfidenceInterval.tHalfWidth95(s) { tCoversFromSummary += 1 }
        }
        Simulation.expectRate(normalCovers, reps, consistentWith: 0.95, "normal interval coverage, n = 400, seed 50")
        Simulation.expectRate(tCovers, reps, consistentWith: 0.95, "t interval coverage, n = 3, seed 50")
        Simulation.expectRate(tCoversFromSummary, reps, consistentWith: 0.95, "t half-width coverage, n = 3, seed 50")
    }

    /// Known quantiles: t_{0.975,2} = 4.302652729911275, t_{0.975,4} = 2.776445105197793, z₀.₉₇₅ to 2 ulps.
    @Test func intervalsUseTheKnownQuantiles() {
        let (mean, sd, half) = ConfidenceInterval.t([1, 2, 3])
        #expect(mean == 2 && sd == 1)
        #expect(abs(half - 4.302652729911275 / 3.0.squareRoot()) < 1e-9)  // GSL's t quantile: ~1e-10 relative
        let five = ConfidenceInterval.t([2, 4, 4, 4, 5])
        #expect(abs(five.halfWidth - 2.776445105197793 * five.sd / 5.0.squareRoot()) < 1e-9)
        #expect(ConfidenceInterval.t([7]).halfWidth.isNaN && ConfidenceInterval.t([]).mean.isNaN)
        let s = MeanChecks.Summary([1, 2, 3])
        #expect(abs(ConfidenceInterval.tHalfWidth95(s) - half) < 1e-12)
        #expect(abs(ConfidenceInterval.z975 - Dist.normalQuantile(0.975)) <= 5e-16)
        let ci = ConfidenceInterval(estimate: 2, standardError: 0.5)
        #expect(ci.halfWidth == ConfidenceInterval.z975 * 0.5 && ci.upper - ci.lower == 2 * ci.halfWidth)
        let (lower, upper) = ConfidenceInterval.bounds([1, 2], [0.1, 0.2])
        #expect(lower == [1 - 0.1 * ConfidenceInterval.z975, 2 - 0.2 * ConfidenceInterval.z975] && upper[1] > 2)
    }

    /// Bonferroni over k = 5 independent null p-values (uniform) at α = 0.05: the family rejects with
    /// probability exactly 1 − (1 − α/k)^k ≤ α; Holm across the same 5 z-tests (`holmAcross`) keeps the
    /// family-wise rate ≤ α. 4000 families, seed 51.
    @Test func bonferroniAndHolmKeepTheFamilyWiseRate() {
        let k = 5
        let alpha = 0.05
        let reps = 4000
        let level = Multiplicity.bonferroni(alpha, tests: k)
        #expect(level == 0.01 && Multiplicity.bonferroniAdjusted(0.3, tests: 5) == 1)
        var bonferroniRejects = 0
        var holmRejects = 0
        for r in 0..<reps {
            let z = Simulation.gaussians(k, PRNGKey(seed: 51).fold(in: r))
            let parts = z.map { MeanChecks.zTest(estimate: $0, target: 0, standardError: 1, n: 1, alpha: alpha) }
            if (parts.map(\.pValue).min() ?? 1) < level { bonferroniRejects += 1 }
            let family = Multiplicity.holmAcross(parts, alpha: alpha, name: "family", n: k, effectUnit: "z") {
                $0.check
            }
            if family.outcome == .fail { holmRejects += 1 }
        }
        let exact = 1 - pow(1 - level, Double(k))
        Simulation.expectRate(bonferroniRejects, reps, consistentWith: exact, "Bonferroni FWER, seed 51")
        Simulation.expectRate(holmRejects, reps, atMost: alpha, "Holm FWER, seed 51")
        // holmAcross reports the part with the smallest adjusted p and the summed or given n.
        let parts = [0.001, 0.2, 0.04].map {
            Verdict(
                check: "p=\($0)", statistic: $0, pValue: $0, n: 10, alpha: 0.05, detectableEffect: $0, outcome: .pass)
        }
        let v = Multiplicity.holmAcross(parts, alpha: 0.05, name: "h", n: 30, effectUnit: "u") { $0.check }
        #expect(v.outcome == .fail && v.details == "p=0.001" && abs(v.pValue - 0.003) < 1e-15)
        #expect(v.n == 30 && v.detectableEffect == 0.2 && v.effectUnit == "u")
    }

    /// One-sided DKW test of anti-conservative p-values, n = 200, α = 0.05: uniform p-values fail with
    /// probability ≤ α (DKW is conservative); p-values with P(p ≤ x) = δ + (1 − δ)x, whose excess is δ =
    /// dkwExcessDetectable(200, α), fail with probability ≥ 0.95. 2000 sets each, seed 52.
    @Test func oneSidedDKWHasItsSizeAndPower() {
        let n = 200
        let alpha = 0.05
        let reps = 2000
        let delta = Design.dkwExcessDetectable(n: n, alpha: alpha)
        var nullRejects = 0
        var altRejects = 0
        for r in 0..<reps {
            let key = PRNGKey(seed: 52).fold(in: r)
            let u = Simulation.uniforms(n, key.fold(in: 0))
            if Multiplicity.pValuesNotAntiConservative(u, alpha: alpha).outcome == .fail { nullRejects += 1 }
            let coin = Simulation.uniforms(n, key.fold(in: 1))
            let anti = zip(u, coin).map { $1 < delta ? 0 : $0 }
            if Multiplicity.pValuesNotAntiConservative(anti, alpha: alpha).outcome == .fail { altRejects += 1 }
        }
        Simulation.expectRate(nullRejects, reps, atMost: alpha, "one-sided DKW size, seed 52")
        Simulation.expectRate(altRejects, reps, atLeast: defaultPower, "one-sided DKW power at δ = \(delta), seed 52")
        #expect(Design.dkwSamplesNeeded(effect: delta, alpha: alpha) == n)
        #expect(Multiplicity.pValueExcess([0.5, .nan]) == 0.5 && Multiplicity.pValueExcess([]) == 0)
        #expect(Multiplicity.dkwOneSidedBand(n: 50, alpha: 0.01) == (log(100.0) / 100).squareRoot())
    }
}
