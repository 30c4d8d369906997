import ZOCore
import ZOProblems
import ZOStats

/// Rate-bound claims on a quadratic, checked two-sided against the exact expected trajectory
/// (`LeastSquares.expectedZOSGDTrajectory`, Proofs/rates.md#expected-trajectory), not only one-sided
/// against a loose bound: an implementation 2× (or 50×) worse than the theory now fails.
enum TrajectoryChecks {
    /// `observed[s]`: seed s's average of ‖m⊙∇f(θ_t)‖² over the theorem's steps; `exact`: its expectation
    /// from the recursion; `bound`: the theorem's right-hand side. Three parts:
    /// 1. exact ≤ bound — deterministic (if the exact expectation exceeds the bound the theorem is wrong);
    /// 2. E observed/exact = 1 — two-sided t-test at α/2 (the implementation follows the theory);
    /// 3. E observed/bound ≤ 1 — one-sided t-test at α/2 (the theorem's statement itself).
    /// 2 and 3 are Holm-combined at α; part 1 failing fails the verdict. Effect unit: × exact value.
    static func boundAndExactTrajectory(
        observed: [Double], exact: Double, bound: Double, alpha: Double, name: String
    ) -> Verdict {
        let share = Multiplicity.bonferroni(alpha, tests: 2)
        var twoSided = MeanChecks.scalarMean(
            observed.map { $0 / exact }, target: 1, alpha: share, name: "observed / exact expected value = 1")
        twoSided.effectUnit = "× exact"
        var oneSided = MeanChecks.scalarMean(
            observed.map { $0 / bound }, target: 1, alpha: share, sides: .one, name: "observed / bound ≤ 1")
        oneSided.effectUnit = "× bound"
        var v = Multiplicity.holmCombined([twoSided, oneSided], alpha: alpha, name: name)
        v.statistic = twoSided.statistic
        v.detectableEffect = twoSided.detectableEffect
        v.effectUnit = "× exact expected value (two-sided)"
        let slack = exact / bound
        v.details =
            """
            exact/bound = \(TextFormat.fixed(slack, 4)) (the bound's slack); \
            observed/exact = \(TextFormat.fixed(MeanChecks.Summary(observed).mean / exact, 4)); \
            α split: α/2 two-sided against the exact trajectory, α/2 one-sided against the bound, Holm. \
            \(v.details)
            """
        if !(exact <= bound) {
            v.outcome = .fail
            v.pValue = 0
            v.details = "the exact expectation \(exact) exceeds the bound \(bound): the theorem fails. " + v.details
        }
        return v
    }
}
