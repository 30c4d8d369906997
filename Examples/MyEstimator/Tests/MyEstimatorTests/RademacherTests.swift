import Foundation
import MyEstimator
import Testing
import ZOCheck
import ZOCheckTesting

/// Statistical regression tests of RademacherPerturbation. Three verdicts share the suite's false-fail
/// budget of 1e-4 (Bonferroni: 3.3e-5 each). Each is seeded: `ZOCHECK_SEED=<n>` reruns with another seed,
/// and a failure prints the verdict, the seed and the command that reproduces it.
/// `MY_ESTIMATOR_PLANTED_FAULT=1` tests the planted fault instead: these tests must then fail.
@Suite struct RademacherTests {
    static let budget = Result { try VerdictBudget(total: 1e-4, checks: 3) }
    let problem: WeightedBowl
    let theta: Parameters<Double>
    let estimator: ZOEstimator<RademacherPerturbation>

    init() throws {
        problem = try WeightedBowl()
        theta = Parameters(zeros: problem.layout)
        let planted = ProcessInfo.processInfo.environment["MY_ESTIMATOR_PLANTED_FAULT"] == "1"
        estimator = try ZOEstimator(RademacherPerturbation(reusesKeyAcrossTensors: planted), epsilon: 1e-3)
    }

    // README-SNIPPET: test
    /// E ĝ = ∇f, sized to detect a bias of 0.1·‖∇f‖ in any direction with power 0.95.
    @Test func unbiased() throws {
        let seed = VerdictSeed.resolve(1)  // ZOCHECK_SEED=<n> overrides
        let alpha = try Self.budget.get().perCheck  // the suite's α budget, split over its 3 checks
        let verdict = try ClaimTemplates.unbiased(
            estimator, on: problem, at: theta, effect: 0.1, alpha: alpha, seed: seed)
        expectVerdict(verdict, .pass, seed: seed)  // a failure prints the verdict and a rerun command
    }
    // README-SNIPPET-END

    /// ‖z‖² = d exactly, so E‖ĝ‖² = d‖∇f‖² (not the Gaussian d + 2), to 5 % with power 0.95.
    @Test func secondMoment() throws {
        let seed = VerdictSeed.resolve(2)
        let alpha = try Self.budget.get().perCheck
        let d = Double(problem.layout.count)
        let verdict = try ClaimTemplates.secondMoment(
            estimator, on: problem, at: theta, effect: 0.05, alpha: alpha, seed: seed
        ) { g in d * g.reduce(0) { $0 + $1 * $1 } }
        expectVerdict(verdict, .pass, seed: seed)
    }

    /// Consecutive steps of one run use independent perturbations.
    @Test func stepsAreIndependent() throws {
        let seed = VerdictSeed.resolve(3)
        let alpha = try Self.budget.get().perCheck
        let verdict = try ClaimTemplates.stepIndependence(estimator, on: problem, at: theta, alpha: alpha, seed: seed)
        expectVerdict(verdict, .pass, seed: seed)
    }
}
