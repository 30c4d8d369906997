import Testing
import ZOCore
import ZOStats

/// NaN or ±∞ anywhere in a statistic or its data is a FAIL, never a PASS (Proofs/statistics.md#non-finite).
/// Deterministic inputs: each case is an exact expectation.
@Suite struct NonFiniteVerdictTests {
    let clean = (0..<50).map { Double($0 % 7) - 3 }

    @Test func nonFiniteDataFailTheTTest() {
        for bad in [Double.nan, .infinity, -.infinity] {
            for sides in [Design.Sides.two, .one] {
                let v = MeanChecks.scalarMean(clean + [bad], target: 0, alpha: 1e-3, sides: sides)
                #expect(v.outcome == .fail && v.pValue == 0, "\(bad), \(sides): \(v)")
                #expect(v.details.contains("1 of 51 values are not finite (first: index 50"), "\(v.details)")
            }
        }
        // The one-sided test of a diverging mean (−∞ below the bound) used to PASS with t = −∞, p = 1.
        #expect(MeanChecks.scalarMean([-.infinity, 1, 2], target: 5, alpha: 0.05, sides: .one).outcome == .fail)
    }

    @Test func constantSamplesAreComparedExactly() {
        let below = MeanChecks.scalarMean([2, 2, 2], target: 3, alpha: 0.05, sides: .one)
        #expect(below.outcome == .pass && below.statistic == -1 && below.statistic.isFinite, "\(below)")
        let above = MeanChecks.scalarMean([4, 4, 4], target: 3, alpha: 0.05, sides: .one)
        #expect(above.outcome == .fail, "\(above)")
        #expect(MeanChecks.scalarMean([3, 3], target: 3, alpha: 0.05).outcome == .pass)
        #expect(MeanChecks.scalarMean([3, 3], target: 2, alpha: 0.05).outcome == .fail)
    }

    @Test func verdictInitialiserNeverPassesANonFiniteStatistic() {
        for (statistic, p) in [(Double.nan, 0.5), (-.infinity, 1), (.infinity, 1), (1, .nan)] {
            let v = Verdict(
                check: "c", statistic: statistic, pValue: p, n: 3, alpha: 0.05, detectableEffect: 1, outcome: .pass)
            #expect(v.outcome == .fail && v.pValue == 0, "statistic \(statistic), p \(p): \(v)")
        }
        #expect(Verdict.decide(pValue: .nan, alpha: 0.05, detectable: 1, required: nil) == .fail)
        let nanPart = MeanChecks.scalarMean([.nan, 1], target: 0, alpha: 0.01)
        let fine = MeanChecks.scalarMean(clean, target: 0, alpha: 0.01)
        #expect(Multiplicity.holmCombined([fine, nanPart], alpha: 0.02, name: "both").outcome == .fail)
    }

    @Test func multivariateAndZTestsFailOnNonFiniteData() {
        let samples = (0..<40).map { i in [Double(i % 5), Double(i % 3) - 1] }
        var poisoned = samples
        poisoned[7][1] = .nan
        #expect(MeanChecks.hotelling(poisoned, target: [2, 0], alpha: 1e-3).outcome == .fail)
        #expect(
            MeanChecks.chiSquaredMean(poisoned, target: [2, 0], alpha: 1e-3) { $0 }.outcome == .fail)
        let z = MeanChecks.zTest(estimate: .nan, target: 0, standardError: 1, n: 10, alpha: 1e-3)
        #expect(z.outcome == .fail, "\(z)")
        let rate = RateChecks.slopeAcrossSeeds([-1, .nan, -1.1], exponent: -1, alpha: 1e-3, sides: .one)
        #expect(rate.outcome == .fail, "\(rate)")
    }
}
