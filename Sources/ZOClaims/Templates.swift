import ZOCore
import ZOStats

/// Claim templates for a researcher's own estimator (any `GradientEstimator`, from any package):
/// "unbiased for ∇f", "second moment equals this formula", "converges at rate ≤ T^−a", "consecutive
/// steps are independent". Each returns a `Verdict` with its α (and how α is split), n and detectable
/// effect; draws are keyed by `seed` (draw k: step k, key `PRNGKey(seed:).fold(in: k)`), so a failing
/// verdict is reproduced from the seed it prints.
///
/// Sizing: give `effect:` (and optionally `power:`) and leave `draws` nil, and the template sizes n
/// itself — a pilot of `TemplateSizing.pilotDraws` draws estimates σ, `Design.meanSamplesNeeded` gives
/// n (Proofs/statistics.md#design-t). When the n needed exceeds `maxDraws`, or a fixed `draws` cannot
/// reach the power, the verdict is INCONCLUSIVE (it states the effect it could detect), never a PASS.
public enum ClaimTemplates {
    /// n draws of the estimator at θ, as Double vectors; draw k is step k under `root.fold(in: k)`.
    static func draws<E: GradientEstimator, O: Objective>(
        _ estimator: E, _ objective: O, _ theta: Parameters<O.Scalar>,
        count: Int, seed: UInt64, root: PRNGKey? = nil
    ) throws -> [[Double]] {
        try Check.positive(count, "draws", at: "ClaimTemplates")
        let key = root ?? PRNGKey(seed: seed)
        return try (0..<count).map { k in
            try estimator.estimateGradient(objective, at: theta, step: k, key: key.fold(in: k), batch: .full).gradient
                .map(Double.init)
        }
    }

    /// E ĝ = mean(∇f) (default: ∇f itself): directed t-tests along the target, along ∇f − target when they
    /// differ, and along two random directions, each at α/k (Bonferroni), Holm-combined at α. Effect unit:
    /// × ‖E ĝ‖ along those directions. Use a quadratic objective for claims about the ε → 0 limit.
    /// `effect` sizes n (see the type's documentation) or, with `draws`, is the effect the check must
    /// detect at `power` (else INCONCLUSIVE).
    public static func unbiased<E: GradientEstimator, O: DifferentiableObjective>(
        _ estimator: E, on objective: O, at theta: Parameters<O.Scalar>, draws: Int? = nil, effect: Double? = nil,
        power: Double = defaultPower, maxDraws: Int = TemplateSizing.maxDraws, alpha: Double = 1e-4,
        seed: UInt64 = 1, expectedMean: (([Double]) -> [Double])? = nil
    ) throws -> Verdict {
        let g = try objective.gradient(theta).map(Double.init)
        let target = expectedMean?(g) ?? g
        let directions = Checks.norm2(zip(g, target).map { $0 - $1 }) > 1e-12 * Checks.norm2(target) ? 4 : 3
        let scale = Checks.norm2(target).squareRoot()
        let omnibusAlpha = Multiplicity.bonferroni(alpha, tests: 2)
        let sizing = try TemplateSizing.resolve(
            draws: draws, defaultDraws: 4000, effect: effect, power: power, maxDraws: maxDraws,
            alphaPerTest: Multiplicity.bonferroni(omnibusAlpha, tests: directions), name: "ClaimTemplates.unbiased"
        ) { pilot in
            // The directed tests' σ (projections on the unit target, in units of ‖target‖) and the
            // omnibus's λ_max; the n returned serves both (the verdict reports the omnibus's any-direction
            // detectable effect when it runs).
            let samples = try Self.draws(
                estimator, objective, theta, count: pilot, seed: seed, root: TemplateSizing.pilot(seed))
            let sigma = MeanChecks.Summary(samples.map { Checks.dot($0, target) / (scale * scale) }).standardDeviation
            let lambda = MeanChecks.largestCovarianceEigenvalue(samples) * 1.2 * 1.2
            return (
                sigma,
                { effect, power in
                    Design.omnibusSamplesNeeded(
                        effect: effect, largestEigenvalue: lambda, scale: scale, dimension: target.count,
                        alpha: omnibusAlpha, power: power)
                }
            )
        }
        var v = Checks.unbiased(
            try Self.draws(estimator, objective, theta, count: sizing.draws, seed: seed), target: target, gradient: g,
            alpha: alpha, key: PRNGKey(seed: seed), name: "\(estimator.name): E ĝ = target", required: effect)
        v.details += "; \(sizing.note)seed \(seed)"
        return v
    }

    /// E‖ĝ‖² = expected(∇f): a t-test on ‖ĝ‖²/expected (relative effect), at α (one test, no split).
    /// `effect` (relative) sizes n or sets the effect that must be detectable, as for `unbiased`.
    public static func secondMoment<E: GradientEstimator, O: DifferentiableObjective>(
        _ estimator: E, on objective: O, at theta: Parameters<O.Scalar>, draws: Int? = nil, effect: Double? = nil,
        power: Double = defaultPower, maxDraws: Int = TemplateSizing.maxDraws, alpha: Double = 1e-4,
        seed: UInt64 = 1, expected: ([Double]) -> Double
    ) throws -> Verdict {
        let g = try objective.gradient(theta).map(Double.init)
        let value = expected(g)
        let sizing = try TemplateSizing.resolve(
            draws: draws, defaultDraws: 8000, effect: effect, power: power, maxDraws: maxDraws, alphaPerTest: alpha,
            name: "ClaimTemplates.secondMoment"
        ) { pilot in
            let values = try Self.draws(
                estimator, objective, theta, count: pilot, seed: seed, root: TemplateSizing.pilot(seed)
            )
            .map { Checks.norm2($0) / value }
            return (MeanChecks.Summary(values).standardDeviation, nil)
        }
        var v = Checks.secondMoment(
            try Self.draws(estimator, objective, theta, count: sizing.draws, seed: seed), expected: value,
            alpha: alpha, name: "\(estimator.name): E‖ĝ‖² = formula", required: effect)
        v.details += "; \(sizing.note)seed \(seed)"
        return v
    }

    /// "metric(T) ≤ C·T^−a": `run(T, key)` runs the method for T steps under `key` and returns the metric
    /// (e.g. f(θ_T) − f*, or the averaged ‖∇f‖²). Per seed, the log-log slope over `horizons` is fitted;
    /// a one-sided t-test across seeds fails when the slope is significantly above −a + `tolerance`
    /// (the slack in the exponent: a bound approached from below has a local slope slightly above −a).
    /// A run that returns NaN, ±∞ or a metric ≤ 0 makes its slope non-finite and the verdict FAIL.
    public static func convergenceRate(
        horizons: [Int], seeds: Int = 8, exponent a: Double, tolerance: Double = 0, alpha: Double = 1e-4,
        seed: UInt64 = 1, name: String = "rate", run: (Int, PRNGKey) throws -> Double
    ) throws -> Verdict {
        guard horizons.count >= 2, horizons.allSatisfy({ $0 > 0 }), Set(horizons).count == horizons.count else {
            throw ZOError(
                "need ≥ 2 distinct positive horizons, got \(horizons)", at: "ClaimTemplates.convergenceRate",
                fix: "pass e.g. [100, 200, 400, 800]")
        }
        try Check.positive(seeds - 1, "seeds − 1", at: "ClaimTemplates.convergenceRate", fix: "pass seeds ≥ 2")
        guard tolerance >= 0, tolerance.isFinite else {
            throw ZOError(
                "tolerance must be finite and ≥ 0, got \(tolerance)", at: "ClaimTemplates.convergenceRate",
                fix: "pass the slack in the exponent, e.g. 0.05")
        }
        let root = PRNGKey(seed: seed)
        var metrics: [[Double]] = []
        let slopes = try (0..<seeds).map { s in
            let y = try horizons.map { try run($0, root.fold(in: s)) }
            metrics.append(y)
            return y.allSatisfy({ $0 > 0 && $0.isFinite })
                ? RateChecks.logLogSlope(x: horizons.map(Double.init), y: y) : .nan
        }
        var v = RateChecks.slopeAcrossSeeds(
            slopes, exponent: -a + tolerance, alpha: alpha, sides: .one,
            name: "\(name): slope ≤ −\(a)" + (tolerance > 0 ? " + \(tolerance)" : ""))
        if let bad = slopes.firstIndex(where: { !$0.isFinite }) {
            v.details += "; seed index \(bad) returned \(metrics[bad]) (a metric must be finite and > 0)"
        }
        v.details += "; per-seed slopes \(slopes.map { TextFormat.fixed($0, 3) }); seed \(seed)"
        return v
    }

    /// Consecutive steps use independent perturbations: with run key k_i = root.fold(in: i), the estimates
    /// at steps 0 and 1 under the same k_i (as an optimizer calls them) must be as correlated as two
    /// estimates from different runs. Statistic per run i: dᵢ = (⟨ĝ₀ⁱ, ĝ₁ⁱ⟩ − ⟨ĝ₀ⁱ, ĝ₁ⁱ⁺¹⟩)/E‖ĝ‖², mean 0
    /// under independence (both terms have mean ‖E ĝ‖²); a perturbation reused across steps (the step index
    /// ignored, a key not folded with the step) gives E d = (E‖ĝ‖² − ‖E ĝ‖²)/E‖ĝ‖² ≈ 1. One-sided t-test
    /// (fails when d is significantly positive) at α; effect unit: correlation relative to E‖ĝ‖².
    public static func stepIndependence<E: GradientEstimator, O: Objective>(
        _ estimator: E, on objective: O, at theta: Parameters<O.Scalar>, runs: Int = 2000, alpha: Double = 1e-4,
        seed: UInt64 = 1
    ) throws -> Verdict {
        try Check.positive(runs - 1, "runs − 1", at: "ClaimTemplates.stepIndependence", fix: "pass runs ≥ 2")
        let root = PRNGKey(seed: seed)
        let pairs = try (0...runs).map { i -> ([Double], [Double]) in
            let key = root.fold(in: i)
            let first = try estimator.estimateGradient(objective, at: theta, step: 0, key: key, batch: .full)
            let second = try estimator.estimateGradient(objective, at: theta, step: 1, key: key, batch: .full)
            return (first.gradient.map(Double.init), second.gradient.map(Double.init))
        }
        let scale = pairs.reduce(0.0) { $0 + Checks.norm2($1.0) } / Double(pairs.count)
        guard scale > 0, scale.isFinite else {
            return Verdict(
                check: "\(estimator.name): steps independent", statistic: .nan, pValue: 0, n: runs, alpha: alpha,
                detectableEffect: .nan, outcome: .fail,
                details: "mean ‖ĝ‖² = \(scale): the estimator returns zero or non-finite estimates; seed \(seed)")
        }
        let d = (0..<runs).map { i in
            (Checks.dot(pairs[i].0, pairs[i].1) - Checks.dot(pairs[i].0, pairs[i + 1].1)) / scale
        }
        var v = MeanChecks.scalarMean(
            d, target: 0, alpha: alpha, sides: .one, name: "\(estimator.name): consecutive steps independent")
        v.effectUnit = "correlation (× E‖ĝ‖²)"
        v.details += "; a perturbation reused across steps gives ≈ 1; seed \(seed)"
        return v
    }
}

/// How a template chooses n: fixed draws, or sized from a target effect and power by a pilot.
public struct TemplateSizing: Sendable {
    /// Draws of the pilot that estimates σ (a separate key stream from the test's draws).
    public static let pilotDraws = 200
    /// Default cap on the sized n; above it the template runs at the cap and reports INCONCLUSIVE.
    public static let maxDraws = 1_000_000

    public let draws: Int
    /// What the verdict's details say about the sizing.
    public let note: String

    static func pilot(_ seed: UInt64) -> PRNGKey { PRNGKey(seed: seed).fold(in: .templatePilot) }

    /// What a pilot reports: the σ of the t-tested quantity, and optionally the n another part of the
    /// check needs for (effect, power) (the omnibus of `unbiased`).
    typealias Pilot = (sigma: Double, otherNeeds: ((Double, Double) -> Int)?)

    /// Fixed `draws` (or `defaultDraws` without an effect), or n from `Design.meanSamplesNeeded` at the
    /// pilot's σ (×1.2 for its uncertainty: the 95 % upper bound of σ from 200 Gaussian values is 1.09σ̂;
    /// heavier tails need more) and the pilot's other needs, the larger; capped at `maxDraws`.
    static func resolve(
        draws: Int?, defaultDraws: Int, effect: Double?, power: Double, maxDraws: Int, alphaPerTest: Double,
        name: String, pilot: (Int) throws -> Pilot
    ) throws -> TemplateSizing {
        if let draws { try Check.positive(draws - 1, "draws − 1", at: name, fix: "pass draws ≥ 2") }
        guard let effect else { return TemplateSizing(draws: draws ?? defaultDraws, note: "") }
        guard effect > 0, effect.isFinite, power > 0.5, power < 1 else {
            throw ZOError(
                "effect \(effect) must be > 0 and power \(power) in (0.5, 1)", at: name,
                fix: "pass e.g. effect: 0.1, power: 0.95")
        }
        if let draws { return TemplateSizing(draws: draws, note: "required effect \(effect) at power \(power); ") }
        let (sigma, otherNeeds) = try pilot(pilotDraws)
        let needed = max(
            Design.meanSamplesNeeded(effect: effect, sigma: sigma * 1.2, alpha: alphaPerTest, power: power),
            otherNeeds?(effect, power) ?? 0)
        let n = min(max(needed, 2), maxDraws)
        let note =
            needed > maxDraws
            ? "sized: n = \(needed) needed for effect \(effect) at power \(power) exceeds maxDraws = \(maxDraws); "
            : """
            sized: n = \(n) for effect \(effect) at power \(power) (pilot of \(pilotDraws): σ ≈ \
            \(TextFormat.fixed(sigma, 4)), ×1.2 margin); 
            """
        return TemplateSizing(draws: n, note: note)
    }
}
