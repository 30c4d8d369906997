import Foundation
import ZOCore
import ZOProblems
import ZOStats

/// Classical ZO theory: difference schemes and ZO-SGD rates (Nesterov & Spokoiny 2017; Ghadimi & Lan
/// 2013). Proofs: Proofs/estimators.md §Difference schemes, §ZO-SGD rate.
public enum ClassicalClaims {
    static func source(_ location: String) -> ClaimSource { ClaimSource(paper: .classical, location: location) }
    static let alpha = 2e-5

    public static let all: [Claim] = [centralExact, coefficientOrder, coordinateExact, rateInDAndT, rateUpperBound]

    static let centralExact = Claim(
        id: "CENTRAL-EXACT-QUADRATIC", source: source("two-point difference on quadratics"),
        statement:
            """
            On a quadratic, (f(θ+εZ) − f(θ−εZ))/(2ε) = ⟨∇f(θ), Z⟩ exactly for every ε and every Z (up to \
            floating-point rounding).
            """,
        proof: "Proofs/estimators.md#central-exact-quadratic", alpha: 0
    ) { context in
        let problem = try LowRankMatrixQuadratic<Double>(
            m: 10, n: 7, rankA: 3, rankB: 3, key: context.key.fold(in: .problem))
        let theta = problem.initialPoint()
        let g = try problem.gradient(theta)
        var worst = 0.0
        for epsilon in [1e-4, 1e-2, 1.0, 10.0] {
            let estimator = try ZOEstimator(GaussianRGE(), epsilon: epsilon)
            for step in 0..<5 {
                let e = try estimator.measure(problem, at: theta, step: step, key: context.key)
                let z: [Double] = e.samples[0].materialize()
                let exact = Checks.dot(g, z)
                // Rounding bound: 16u(|f₊| + |f₋|)/(2ε) + 16u Σ|gᵢzᵢ|.
                let bound =
                    16 * 1.1e-16
                    * ((abs(e.lossPlus[0]) + abs(e.lossMinus[0])) / (2 * epsilon)
                        + zip(g, z).reduce(0) { $0 + abs($1.0 * $1.1) })
                worst = max(worst, abs(e.coefficients[0] - exact) / bound)
            }
        }
        return ExactChecks.verdict(
            "|c − ⟨g,Z⟩| ≤ rounding bound", ok: worst <= 1, statistic: worst, n: 20, tolerance: 1,
            unit: "× rounding bound",
            details: "worst |c − ⟨g,Z⟩| / bound = \(worst)")
    }

    static let coefficientOrder = Claim(
        id: "CENTRAL-COEFFICIENT-ORDER", source: source("Taylor expansion of the two-point difference"),
        statement:
            """
            On a smooth non-quadratic f, the central coefficient error |c − ⟨∇f, Z⟩| is O(ε²) (one-sided: O(ε)). \
            Tested on Σ aᵢcos(bᵢθᵢ): the per-direction log-log slope over ε ∈ [0.0125, 0.2] exceeds 1.5 \
            (one-sided t across 40 directions), which separates order 2 from order 1.
            """,
        proof: "Proofs/estimators.md#central-coefficient-order", alpha: alpha
    ) { context in
        let problem = try CosineSum<Double>(dimension: 16, key: context.key.fold(in: .problem))
        let theta = problem.initialPoint()
        let g = try problem.gradient(theta)
        let epsilons = [0.2, 0.1, 0.05, 0.025, 0.0125]
        let scheme: DifferenceScheme = context.fault == .oneSidedNonQuadratic ? .forward : .central
        var slopes: [Double] = []
        for k in 0..<context.draws(40) {
            var errors: [Double] = []
            for epsilon in epsilons {
                let e = try ZOEstimator(GaussianRGE(), epsilon: epsilon, scheme: scheme).measure(
                    problem, at: theta, step: k, key: context.key.fold(in: .draws))
                let z: [Double] = e.samples[0].materialize()
                errors.append(max(abs(e.coefficients[0] - Checks.dot(g, z)), 1e-300))
            }
            slopes.append(RateChecks.logLogSlope(x: epsilons, y: errors))
        }
        // H0: mean slope ≥ 1.5; fails when significantly below (order 1).
        var v = MeanChecks.scalarMean(
            slopes.map { -$0 }, target: -1.5, alpha: context.alpha(alpha), sides: .one,
            name: "order of the coefficient error > 1.5")
        v.effectUnit = "slope"
        v.details += String(format: "; mean slope %.3f", slopes.reduce(0, +) / Double(slopes.count))
        return v
    }

    static let coordinateExact = Claim(
        id: "COORD-EXACT-QUADRATIC", source: source("coordinate-wise differences (deterministic reference)"),
        statement: "Central coordinate differences equal ∇f on a quadratic up to rounding, at 2d forward passes.",
        proof: "Proofs/estimators.md#coordinate-exact-quadratic", alpha: 0
    ) { context in
        let problem = try MultiTensorNetworkProblem<Double>(key: context.key.fold(in: .problem))
        let theta = problem.initialPoint()
        let g = try problem.gradient(theta)
        let est = try CoordinateDifferences(epsilon: 1e-2).estimateGradient(
            problem, at: theta, step: 0, key: context.key, batch: .full)
        let f = try problem.loss(theta)
        let worst = zip(est.gradient, g).map { abs($0 - $1) }.max() ?? 0
        let bound = 64 * 1.1e-16 * max(1, abs(f)) / 1e-2
        return ExactChecks.verdict(
            "max |ĝᵢ − ∂ᵢf| ≤ rounding bound", ok: worst <= bound && est.forwardPasses == 2 * g.count,
            statistic: worst, n: g.count, tolerance: bound, unit: "|ĝᵢ − ∂ᵢf| (rounding bound)",
            details: "max error \(worst), bound \(bound), passes \(est.forwardPasses)")
    }

    /// (1/T) Σ_{t<T} ‖∇f(θ_t)‖² of ZO-SGD (MeZO, η = 1/((d+2)L)) on f = ½‖θ‖² from a fixed start.
    static func averagedGradientNorm(d: Int, steps: Int, key: PRNGKey) throws -> Double {
        try averagedSquaredGradient(d: d, steps: steps, problemKey: key.fold(in: .problem), key: key)
    }

    /// A = (1/T) Σ_{t<T} ‖∇f(θ_t)‖² on f = ½‖θ − θ*‖² (θ* from `problemKey`), started at distance √2
    /// from θ* so that f₀ − f* = 1 for every d: ZO-SGD (MeZO, η = 1/((d+2)L), draws from `key`) when
    /// `firstOrderLearningRate` is nil, else FO-SGD with exact gradients at that η. The run behind
    /// ZO-SGD-RATE and the convergence-rates notebook (Proofs/rates.md#zo-sgd-rate).
    public static func averagedSquaredGradient(
        d: Int, steps: Int, problemKey: PRNGKey, key: PRNGKey,
        firstOrderLearningRate: Double? = nil
    ) throws -> Double {
        let problem = try LeastSquares<Double>(dimension: d, key: problemKey)
        guard let L = problem.smoothness else {
            throw ZOError("no smoothness constant", at: "ZO-SGD-RATE", fix: "use a problem with known L")
        }
        var theta = problem.initialPoint()
        theta.values = problem.center.map { $0 + (2 / Double(d)).squareRoot() }
        let estimator = try ZOEstimator(GaussianRGE(), epsilon: ZODefaults.epsilon)
        let zo = try ZOSGD(learningRate: 1 / (Double(d + 2) * L))
        var sgd = try SGD(layout: problem.layout, learningRate: firstOrderLearningRate ?? 1)
        var total = 0.0
        for t in 0..<steps {
            let g = try problem.gradient(theta)
            total += Checks.norm2(g)
            if firstOrderLearningRate != nil {
                try sgd.update(&theta, gradient: g)
            } else {
                let e = try estimator.measure(problem, at: theta, step: t, key: key)
                try zo.update(&theta, estimate: e, estimator: estimator)
            }
        }
        return total / Double(steps)
    }

    static let rateInDAndT = Claim(
        id: "ZO-SGD-RATE",
        source: source("Nesterov–Spokoiny 2017 Thm 8; Ghadimi–Lan 2013: min/avg E‖∇f‖² = O(d L (f₀ − f*)/T)"),
        statement:
            """
            ZO-SGD with the Gaussian estimator and η = 1/((d+2)L) has (1/T)Σ E‖∇f(θ_t)‖² ∝ (d+2)·L(f₀ − f*)/T: on \
            f = ½‖θ‖² (where the rate is attained) a regression of log of the averaged squared gradient on \
            log(d+2) and log T over a grid has coefficients (1, −1), tested jointly (F-test).
            """,
        proof: "Proofs/rates.md#zo-sgd-rate", alpha: alpha
    ) { context in
        // One point per (d, T) cell: the log of the mean over k seeds plus the delta-method Jensen
        // correction s²/(2k·m̄²), so that E y ≈ log E M to second order (Proofs/rates.md#zo-sgd-rate).
        var design: [[Double]] = []
        var y: [Double] = []
        let seeds = context.draws(6)
        for d in [8, 16, 32, 64] {
            for multiple in [12, 24, 48] {
                let steps = multiple * (d + 2)
                let values = try (0..<seeds).map { s in
                    try averagedGradientNorm(
                        d: d, steps: steps, key: context.key.fold(in: .rateCell(d: d, multiple: multiple, seed: s)))
                }
                let summary = MeanChecks.Summary(values)
                design.append([1, log(Double(d + 2)), log(Double(steps))])
                y.append(
                    log(summary.mean) + summary.standardDeviation * summary.standardDeviation
                        / (2 * Double(seeds) * summary.mean * summary.mean))
            }
        }
        let regression = try Fits.linearRegression(design: design, y: y)
        return try Fits.jointCoefficientTest(
            regression, indices: [1, 2], hypothesis: [1, -1], alpha: context.alpha(alpha),
            name: "(β_log(d+2), β_log T) = (1, −1)")
    }

    static let rateUpperBound = Claim(
        id: "ZO-SGD-BOUND", source: source("descent lemma + exact second moment (the Nesterov–Spokoiny argument)"),
        statement:
            """
            On an L-smooth quadratic with η = 1/((d+2)L): (1/T) Σ_{t<T} E‖∇f(θ_t)‖² ≤ 2(d+2)L(f₀ − f*)/T (upper \
            bound, one-sided across 40 seeds; power-law spectrum, where it is not tight), and the runs match the \
            exact expected trajectory (two-sided).
            """,
        proof: "Proofs/rates.md#zo-sgd-bound", alpha: alpha
    ) { context in
        let d = 48
        let T = 1500
        let problem = try LeastSquares<Double>(
            dimension: d, spectrum: .powerLaw(exponent: 1), key: context.key.fold(in: .problem))
        guard let L = problem.smoothness else { throw ZOError("no L", at: "ZO-SGD-BOUND", fix: "") }
        let start = problem.initialPoint()
        let eta = 1 / (Double(d + 2) * L)
        let f0 = try problem.loss(start)
        let bound = 2 * Double(d + 2) * L * (f0 - (problem.optimalValue ?? 0)) / Double(T)
        let exact = ExpectedZOSGDTrajectory.average(
            try problem.expectedZOSGDTrajectory(from: start, learningRate: eta, steps: T).squaredGradient, first: T)
        let estimator = try ZOEstimator(GaussianRGE(), epsilon: ZODefaults.epsilon)
        let sgd = try ZOSGD(learningRate: eta)
        var averages: [Double] = []
        for s in 0..<context.draws(40) {
            var theta = start
            var total = 0.0
            for t in 0..<T {
                total += Checks.norm2(try problem.gradient(theta))
                let e = try estimator.measure(problem, at: theta, step: t, key: context.key.fold(in: .boundRun(s)))
                try sgd.update(&theta, estimate: e, estimator: estimator)
            }
            averages.append(total / Double(T))
        }
        return TrajectoryChecks.boundAndExactTrajectory(
            observed: averages, exact: exact, bound: bound, alpha: context.alpha(alpha),
            name: "avg E‖∇f‖²: = exact trajectory, ≤ bound")
    }
}
