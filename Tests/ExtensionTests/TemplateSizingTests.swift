// The templates' sizing, their non-finite handling and the step-independence template, through the
// public API only (as a researcher's package would call them).
import Foundation
import Testing
import ZOCheck

/// A planted fault a user could write: the step index is ignored, so every step of a run reuses the
/// run key's perturbation (the "reused key" bug).
struct IgnoresStep<E: GradientEstimator>: GradientEstimator {
    let inner: E
    var name: String { "\(inner.name) (step ignored)" }
    func estimateGradient<O: Objective>(
        _ objective: O, at parameters: Parameters<O.Scalar>, step: Int, key: PRNGKey, batch: BatchSelection
    ) throws -> GradientSample<O.Scalar> {
        try inner.estimateGradient(objective, at: parameters, step: 0, key: key, batch: batch)
    }
}

@Suite struct TemplateSizingTests {
    let problem: WeightedBowl
    let theta: Parameters<Double>
    let estimator: ZOEstimator<RademacherPerturbation>
    var d: Double { Double(problem.layout.count) }

    init() throws {
        problem = try WeightedBowl()
        theta = Parameters<Double>(zeros: problem.layout)
        estimator = try ZOEstimator(RademacherPerturbation(), epsilon: 1e-3)
    }

    /// effect 0.05 (relative), power 0.95, α = 1e-5: the template picks n from a 200-draw pilot and the
    /// check then detects 0.05 (PASS, not INCONCLUSIVE); the wrong formula (d + 2 for d, 13 % off) fails.
    @Test func effectSizesTheSecondMomentCheck() throws {
        let v = try ClaimTemplates.secondMoment(estimator, on: problem, at: theta, effect: 0.05, alpha: 1e-5, seed: 8) {
            g in d * g.reduce(0) { $0 + $1 * $1 }
        }
        #expect(v.outcome == .pass && v.detectableEffect <= 0.05, "seed 8: \(v)")
        #expect(v.details.contains("sized: n = \(v.n)"), "\(v.details)")
        let wrong = try ClaimTemplates.secondMoment(
            estimator, on: problem, at: theta, effect: 0.05, alpha: 1e-5, seed: 8
        ) { g in (d + 2) * g.reduce(0) { $0 + $1 * $1 } }
        #expect(wrong.outcome == .fail, "seed 8: \(wrong)")
    }

    /// A fixed n that cannot reach the power for the requested effect, or a cap below the n needed, is
    /// INCONCLUSIVE with the effect it could detect — never a PASS.
    @Test func underpoweredDesignsAreInconclusive() throws {
        let fixed = try ClaimTemplates.unbiased(estimator, on: problem, at: theta, draws: 50, effect: 0.01, seed: 7)
        #expect(fixed.outcome == .inconclusive && fixed.detectableEffect > 0.01, "seed 7: \(fixed)")
        #expect(fixed.details.contains("α split: Bonferroni α/"), "\(fixed.details)")
        let capped = try ClaimTemplates.secondMoment(
            estimator, on: problem, at: theta, effect: 0.001, maxDraws: 500, seed: 8
        ) { g in d * g.reduce(0) { $0 + $1 * $1 } }
        #expect(capped.outcome == .inconclusive && capped.n == 500, "seed 8: \(capped)")
        #expect(capped.details.contains("exceeds maxDraws = 500"), "\(capped.details)")
        #expect(throws: ZOError.self) {
            try ClaimTemplates.unbiased(estimator, on: problem, at: theta, effect: -1, seed: 7)
        }
    }

    /// A run that returns NaN or diverges fails the rate template (it used to PASS with t = −∞, p = 1).
    @Test func divergingOrNaNRunsFailTheRateTemplate() throws {
        let nan = try ClaimTemplates.convergenceRate(horizons: [10, 20, 40], seeds: 4, exponent: 1) { _, _ in .nan }
        #expect(nan.outcome == .fail, "\(nan)")
        let diverging = try ClaimTemplates.convergenceRate(horizons: [10, 20, 40], seeds: 4, exponent: 1) { t, _ in
            exp(Double(t))
        }
        #expect(diverging.outcome == .fail, "\(diverging)")
        let overflow = try ClaimTemplates.convergenceRate(horizons: [10, 20, 40], seeds: 4, exponent: 1) { t, _ in
            t == 40 ? .infinity : 1 / Double(t)
        }
        #expect(overflow.outcome == .fail, "\(overflow)")
        // T^−1.2 in every seed (zero spread: compared exactly) passes; T^−0.5 fails.
        let exact = try ClaimTemplates.convergenceRate(horizons: [10, 20, 40], seeds: 4, exponent: 1) { t, _ in
            pow(Double(t), -1.2)
        }
        #expect(exact.outcome == .pass, "\(exact)")
        let slow = try ClaimTemplates.convergenceRate(horizons: [10, 20, 40], seeds: 4, exponent: 1) { t, _ in
            1 / Double(t).squareRoot()
        }
        #expect(slow.outcome == .fail, "\(slow)")
        // Tolerance: T^−0.97 is within 0.05 of the exponent.
        let near = try ClaimTemplates.convergenceRate(
            horizons: [10, 20, 40], seeds: 4, exponent: 1, tolerance: 0.05
        ) { t, _ in pow(Double(t), -0.97) }
        #expect(near.outcome == .pass, "\(near)")
    }

    /// n = 2000 runs, α = 1e-4, seed 3: independent steps pass; the step-ignoring fault (consecutive
    /// estimates identical, correlation 1 − ‖E ĝ‖²/E‖ĝ‖² ≈ 0.93 here) fails.
    @Test func stepIndependenceCatchesAReusedPerturbation() throws {
        let good = try ClaimTemplates.stepIndependence(estimator, on: problem, at: theta, seed: 3)
        #expect(good.outcome == .pass, "seed 3: \(good)")
        let bad = try ClaimTemplates.stepIndependence(IgnoresStep(inner: estimator), on: problem, at: theta, seed: 3)
        #expect(bad.outcome == .fail, "seed 3: \(bad)")
    }
}
