import Foundation
import Testing
import ZOCore
import ZOStats

/// Size and power of the normal-theory mean checks (paired t, z, difference of means, χ² of z-scores)
/// by simulation, each against its design function (Simulation's CP checks at 1 − 1e-6).
@Suite struct NormalChecksTests {
    /// Paired one-sided t-test of a decrease, n = 200 pairs, α = 0.05, σ_d = 1: size at E d = 0 and power at
    /// E d = −meanDetectable(n: 200, σ: 1, α, one-sided); 4000 data sets, seed 40. The statistic equals the
    /// one-sample t-test of −d (same t and p to rounding).
    @Test func pairedDecreaseHasItsSizeAndPower() {
        let n = 200
        let alpha = 0.05
        let reps = 4000
        let effect = Design.meanDetectable(n: n, sigma: 1, alpha: alpha, sides: .one)
        var nullRejects = 0
        var altRejects = 0
        for r in 0..<reps {
            let key = PRNGKey(seed: 40).fold(in: r)
            let before = Simulation.gaussians(n, key.fold(in: 0))
            let noise = Simulation.gaussians(n, key.fold(in: 1))
            if MeanChecks.pairedDecrease(before: before, after: zip(before, noise).map { $0 + $1 }).pValue < alpha {
                nullRejects += 1
            }
            let after = zip(before, noise).map { $0 + $1 - effect }
            if MeanChecks.pairedDecrease(before: before, after: after).pValue < alpha { altRejects += 1 }
        }
        Simulation.expectRate(nullRejects, reps, consistentWith: alpha, "paired t size, seed 40")
        Simulation.expectRate(altRejects, reps, consistentWith: defaultPower, "paired t power at −\(effect), seed 40")
        let before = Simulation.gaussians(30, PRNGKey(seed: 41))
        let after = zip(before, Simulation.gaussians(30, PRNGKey(seed: 42))).map { $0 + $1 - 0.3 }
        let paired = MeanChecks.pairedDecrease(before: before, after: after)
        let oneSample = MeanChecks.scalarMean(zip(before, after).map { $0 - $1 }, target: 0, alpha: alpha, sides: .one)
        #expect(abs(paired.t + oneSample.statistic) < 1e-12 && abs(paired.pValue - oneSample.pValue) < 1e-12)
        #expect(
            paired.detectableDecrease(alpha: alpha)
                == Design.meanDetectable(n: 30, sigma: paired.standardDeviation, alpha: alpha, sides: .one))
    }

    /// z-test of an estimate with known SE = 0.1, α = 0.01 two-sided: size, and power at
    /// zDetectable(SE); 4000 draws, seed 43.
    @Test func zTestHasItsSizeAndPower() {
        let alpha = 0.01
        let se = 0.1
        let reps = 4000
        let effect = Design.zDetectable(standardError: se, alpha: alpha)
        let z = Simulation.gaussians(2 * reps, PRNGKey(seed: 43))
        var nullRejects = 0
        var altRejects = 0
        for r in 0..<reps {
            let null = MeanChecks.zTest(estimate: 1 + se * z[r], target: 1, standardError: se, n: 1, alpha: alpha)
            let alt = MeanChecks.zTest(
                estimate: 1 + effect + se * z[reps + r], target: 1, standardError: se, n: 1, alpha: alpha)
            if null.outcome == .fail { nullRejects += 1 }
            if alt.outcome == .fail { altRejects += 1 }
        }
        Simulation.expectRate(nullRejects, reps, consistentWith: alpha, "z size, seed 43")
        Simulation.expectRate(altRejects, reps, consistentWith: defaultPower, "z power at \(effect), seed 43")
        #expect(MeanChecks.normalPValue(0) == 1 && abs(MeanChecks.normalPValue(1.959963984540054) - 0.05) < 1e-15)
        #expect(abs(MeanChecks.normalPValue(1.6448536269514722, sides: .one) - 0.05) < 1e-15)
    }

    /// One-sided difference of two independent means (E A ≥ E B), n = 400 each, σ = 1, α = 0.05: size at
    /// equal means and power at E A = E B − differenceDetectable(SE = √(2/400)); 3000 pairs of samples,
    /// seed 44; differenceSamplesNeeded round trip.
    @Test func differenceOfMeansHasItsSizeAndPower() {
        let n = 400
        let alpha = 0.05
        let reps = 3000
        let effect = Design.differenceDetectable(
            standardError: (2.0 / Double(n)).squareRoot(), alpha: alpha, sides: .one)
        var nullRejects = 0
        var altRejects = 0
        for r in 0..<reps {
            let key = PRNGKey(seed: 44).fold(in: r)
            let a = Simulation.gaussians(n, key.fold(in: 0))
            let b = MeanChecks.Summary(Simulation.gaussians(n, key.fold(in: 1)))
            if MeanChecks.differenceBelow(MeanChecks.Summary(a), b, alpha: alpha).outcome == .fail { nullRejects += 1 }
            if MeanChecks.differenceBelow(MeanChecks.Summary(a.map { $0 - effect }), b, alpha: alpha).outcome == .fail {
                altRejects += 1
            }
        }
        Simulation.expectRate(nullRejects, reps, consistentWith: alpha, "difference size, seed 44")
        Simulation.expectRate(altRejects, reps, consistentWith: defaultPower, "difference power at \(effect), seed 44")
        let needed = Design.differenceSamplesNeeded(effect: effect, sigmaA: 1, sigmaB: 1, alpha: alpha, sides: .one)
        #expect(abs(needed - n) <= 1, "round trip \(needed)")
    }

    /// Σ zᵢ² over k = 8 independent standard-normal z's, α = 0.05: size, and power when one z is shifted
    /// by the design's noncentrality √λ (`chiSquaredDetectable(n: 1, dimension: 8)`); 4000 sets, seed 45.
    @Test func zScoresChiSquaredHasItsSizeAndPower() {
        let k = 8
        let alpha = 0.05
        let reps = 4000
        let shift = Design.chiSquaredDetectable(n: 1, dimension: k, alpha: alpha)
        var nullRejects = 0
        var altRejects = 0
        for r in 0..<reps {
            let z = Simulation.gaussians(k, PRNGKey(seed: 45).fold(in: r))
            if MeanChecks.zScoresChiSquared(z, alpha: alpha, n: k).outcome == .fail { nullRejects += 1 }
            if MeanChecks.zScoresChiSquared([z[0] + shift] + z.dropFirst(), alpha: alpha, n: k).outcome == .fail {
                altRejects += 1
            }
        }
        Simulation.expectRate(nullRejects, reps, consistentWith: alpha, "Σz² size, seed 45")
        Simulation.expectRate(altRejects, reps, consistentWith: defaultPower, "Σz² power at √λ = \(shift), seed 45")
    }

    /// Streaming sums give the mean and the 1/n standard error of the stored values.
    @Test func runningSumsMatchTheStoredValues() {
        let x = Simulation.gaussians(1000, PRNGKey(seed: 46)).map { 3 + 2 * $0 }
        var sums = MeanChecks.RunningSums()
        for v in x { sums.add(v) }
        let mean = x.reduce(0, +) / 1000
        let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 1000
        #expect(sums.count == 1000 && abs(sums.mean - mean) < 1e-12)
        #expect(abs(sums.standardError - (variance / 1000).squareRoot()) < 1e-12)
    }
}
