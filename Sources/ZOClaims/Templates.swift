import ZOCore
import ZOStats

/// Claim templates for a researcher's own estimator (any `GradientEstimator`, from any package):
/// "unbiased for ∇f", "second moment equals this formula", "converges at rate ≤ T^−a". Each returns a
/// `Verdict` with its α, n and detectable effect; draws are keyed by `seed` (draw k: step k, key
/// `PRNGKey(seed:).fold(in: k)`), so a failing verdict is reproduced from the seed it prints.
public enum ClaimTemplates {
    /// n draws of the estimator at θ, as Double vectors.
    static func draws<E: GradientEstimator, O: Objective>(
        _ estimator: E, _ objective: O, _ theta: Parameters<O.Scalar>,
        count: Int, seed: UInt64
    ) throws -> [[Double]] {
        try Check.positive(count, "draws", at: "ClaimTemplates")
        let key = PRNGKey(seed: seed)
        return try (0..<count).map { k in
            try estimator.estimateGradient(objective, at: theta, step: k, key: key.fold(in: k), batch: .full).gradient
                .map(Double.init)
        }
    }

    /// E ĝ = mean(∇f) (default: ∇f itself): directed t-tests along the target, along ∇f − target when they
    /// differ, and along two random directions, Holm-combined at α. Use a quadratic objective for claims
    /// about the ε → 0 limit (c is then exact).
    public static func unbiased<E: GradientEstimator, O: DifferentiableObjective>(
        _ estimator: E, on objective: O, at theta: Parameters<O.Scalar>, draws: Int = 4000, alpha: Double = 1e-4,
        seed: UInt64 = 1, expectedMean: (([Double]) -> [Double])? = nil
    ) throws -> Verdict {
        let g = try objective.gradient(theta).map(Double.init)
        let target = expectedMean?(g) ?? g
        var v = Checks.unbiased(
            try Self.draws(estimator, objective, theta, count: draws, seed: seed), target: target, gradient: g,
            alpha: alpha, key: PRNGKey(seed: seed), name: "\(estimator.name): E ĝ = target")
        v.details += "; seed \(seed)"
        return v
    }

    /// E‖ĝ‖² = expected(∇f): a t-test on ‖ĝ‖²/expected (relative effect).
    public static func secondMoment<E: GradientEstimator, O: DifferentiableObjective>(
        _ estimator: E, on objective: O, at theta: Parameters<O.Scalar>, draws: Int = 8000, alpha: Double = 1e-4,
        seed: UInt64 = 1, expected: ([Double]) -> Double
    ) throws -> Verdict {
        let g = try objective.gradient(theta).map(Double.init)
        var v = Checks.secondMoment(
            try Self.draws(estimator, objective, theta, count: draws, seed: seed), expected: expected(g),
            alpha: alpha, name: "\(estimator.name): E‖ĝ‖² = formula")
        v.details += "; seed \(seed)"
        return v
    }

    /// "metric(T) ≤ C·T^−a": `run(T, key)` runs the method for T steps under `key` and returns the metric
    /// (e.g. f(θ_T) − f*, or the averaged ‖∇f‖²). Per seed, the log-log slope over `horizons` is fitted;
    /// a one-sided t-test across seeds fails when the slope is significantly above −a.
    public static func convergenceRate(
        horizons: [Int], seeds: Int = 8, exponent a: Double, alpha: Double = 1e-4,
        seed: UInt64 = 1, name: String = "rate", run: (Int, PRNGKey) throws -> Double
    ) throws -> Verdict {
        guard horizons.count >= 2, horizons.allSatisfy({ $0 > 0 }) else {
            throw ZOError(
                "need ≥ 2 positive horizons, got \(horizons)", at: "ClaimTemplates.convergenceRate",
                fix: "pass e.g. [100, 200, 400, 800]")
        }
        try Check.positive(seeds, "seeds", at: "ClaimTemplates.convergenceRate", fix: "pass seeds ≥ 2")
        let root = PRNGKey(seed: seed)
        let slopes = try (0..<seeds).map { s in
            RateChecks.logLogSlope(x: horizons.map(Double.init), y: try horizons.map { try run($0, root.fold(in: s)) })
        }
        var v = RateChecks.slopeAcrossSeeds(
            slopes, exponent: -a, alpha: alpha, sides: .one, name: "\(name): slope ≤ −\(a)")
        v.details += "; per-seed slopes \(slopes.map { TextFormat.fixed($0, 3) }); seed \(seed)"
        return v
    }
}
