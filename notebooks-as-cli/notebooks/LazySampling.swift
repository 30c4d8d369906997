import Foundation
import ZOCheck
import ZOReports

/// What lazy sampling (LOZO's V every ν steps, SubZero's U, V every F steps) changes and what it does not:
/// per-step moments are those of fresh sampling for every ν; estimates inside a block are correlated,
/// which inflates the variance of a block's average exactly as LAZY-BLOCK-AVERAGE derives; inside a
/// block LOZO's conditional mean is the random projection GVVᵀ/r; and ZO-SGD's progress.
public enum LazySampling: Notebook {
    public static let name = "lazy-sampling"
    public static let title = "Lazy sampling: LOZO's interval ν and SubZero's refresh F"
    public static let abstract =
        """
        A ν sweep: per-step moments unchanged, block-average variance inflated as derived, LOZO's conditional \
        projection GVVᵀ/r, ZO-SGD progress over seeds.
        """
    public static let discussion = """
        Problem: the low-rank matrix quadratic f(W) = ½‖A(W − W*)B‖²_F, W ∈ R^{12×8}, rank-2 gradient; LOZO r = 2 \
        (paper scaling) with lazy interval ν and SubZero r = 2 (reference scaling) with refresh interval F = ν. \
        (a) At the initial point, B independent blocks of ν consecutive estimates (one key per block, steps 0…ν−1, so \
        V — SubZero's U and V — is shared inside a block): the per-step E‖ĝ‖²/‖G‖² (theory M, the same for every ν: \
        LOZO-SECOND-MOMENT, SUBZERO-SECOND-MOMENT), the mean inner product of consecutive estimates \
        E⟨ĝ_t, ĝ_{t+1}⟩/‖G‖² = κ (κ = (n+r+1)/r for LOZO, mn/r² for SubZero) and the block average's \
        E‖ḡ_ν‖²/‖G‖² = M/ν + (ν−1)κ/ν (LAZY-BLOCK-AVERAGE, Proofs/estimators.md), against fresh sampling's \
        M/ν + (ν−1)/ν. Blocks are independent, so the intervals are valid. (b) LOZO-CONDITIONAL-PROJECTION: inside \
        one block (V fixed), the running mean of ĝ converges to GVVᵀ/r, not to G (directed t-tests, Bonferroni over \
        blocks; exact conditional variance overlaid). (c) ZO-SGD (η = 0.01) with LOZO at each ν and MeZO, several \
        seeds: f(θ_t) − f* as a geometric mean with 95 % t-intervals (no convergence theorem for LOZO is derived: \
        Proofs/README.md lists it as OPEN, so this part is measured, not tested). Verdicts at α = 0.001: Wald χ²₂ \
        over ν of the per-step moment and of the block average against the lazy theory (hold) and against fresh \
        sampling (refuted), z-tests of κ (Holm over ν). Sizes: tiny ν ∈ {1, 4, 16}, 60 blocks, 300 draws per fixed \
        V, 3 seeds × 150 steps; ci ν ∈ {1, 2, 5, 10, 20, 50}, 600 blocks, 3000 draws, 8 seeds × 1000 steps; full \
        ν up to 100, 6000 blocks, 30000 draws, 20 seeds × 2000 steps.
        """
    public static let claims = [
        "LOZO-SECOND-MOMENT", "SUBZERO-SECOND-MOMENT", "LOZO-CONDITIONAL-PROJECTION", "SUBZERO-CONDITIONAL-MEAN",
    ]
    static let alpha = 0.001
    static let (m, n, r) = (12, 8, 2)
    static let learningRate = 0.01

    /// Per-step second moment M/‖G‖² and the within-block inner product κ (LAZY-BLOCK-AVERAGE).
    public static func theory(_ estimator: String) -> (moment: Double, kappa: Double) {
        let (dm, dn, dr) = (Double(m), Double(n), Double(r))
        return estimator == "LOZO"
            ? (LOZO.secondMomentRatio(rows: m, cols: n, rank: r), (dn + dr + 1) / dr)
            : (SubZero.secondMomentRatio(rows: m, cols: n, rank: r), dm * dn / (dr * dr))
    }

    /// E‖ḡ_ν‖²/‖G‖² of the average of ν estimates of one block (κ = 1: fresh sampling).
    public static func blockAverage(moment: Double, kappa: Double, nu: Int) -> Double {
        moment / Double(nu) + Double(nu - 1) / Double(nu) * kappa
    }

    public static func problem(_ key: PRNGKey) throws -> LowRankMatrixQuadratic<Double> {
        try LowRankMatrixQuadratic<Double>(m: m, n: n, rankA: 2, rankB: 2, key: key.fold(in: .problem))
    }

    static func distribution(_ label: String, nu: Int) throws -> any PerturbationDistribution {
        label == "LOZO" ? try LOZO(rank: r, lazyInterval: nu) : try SubZero(rank: r, refreshInterval: nu)
    }

    /// One lazy block of ν estimates at θ (steps 0…ν−1, one key): per-step ‖ĝ‖²/‖G‖² averaged over the block,
    /// the block mean's ‖ḡ‖²/‖G‖², and the mean of ⟨ĝ_t, ĝ_{t+1}⟩/‖G‖² (nan for ν = 1).
    public static func block<D: PerturbationDistribution>(
        _ d: D, problem: LowRankMatrixQuadratic<Double>, at theta: Parameters<Double>,
        nu: Int, key: PRNGKey, g2: Double
    ) throws -> (perStep: Double, average: Double, pair: Double) {
        let estimator = try ZOEstimator(d, epsilon: ZODefaults.epsilon)
        var sum = [Double](repeating: 0, count: theta.count)
        var previous: [Double]? = nil
        var squares = 0.0
        var pairs = 0.0
        for t in 0..<nu {
            let gh: [Double] = try estimator.measure(problem, at: theta, step: t, key: key).gradient()
            squares += gh.reduce(0) { $0 + $1 * $1 }
            if let p = previous { pairs += zip(p, gh).reduce(0) { $0 + $1.0 * $1.1 } }
            for i in gh.indices { sum[i] += gh[i] }
            previous = gh
        }
        let average = sum.reduce(0) { $0 + $1 * $1 } / Double(nu * nu)
        return (squares / Double(nu) / g2, average / g2, nu > 1 ? pairs / Double(nu - 1) / g2 : .nan)
    }

    public static func run(_ ctx: NotebookContext) throws -> Report {
        let nus = ctx.size.pick(tiny: [1, 4, 16], ci: [1, 2, 5, 10, 20, 50], full: [1, 2, 5, 10, 20, 50, 100])
        let blocks = ctx.size.pick(tiny: 60, ci: 600, full: 6000)
        let problem = try problem(ctx.key)
        let theta = problem.initialPoint()
        let g = try problem.gradient(theta)
        let g2 = g.reduce(0) { $0 + $1 * $1 }
        var moments = Dataset(
            name: "block_moments",
            description:
                """
                Per estimator and ν: per-step E‖ĝ‖²/‖G‖², consecutive inner product E⟨ĝ_t, ĝ_{t+1}⟩/‖G‖² and \
                block-average E‖ḡ_ν‖²/‖G‖², measured over independent blocks, with the lazy and fresh theory.
                """,
            columns: [
                Column("estimator", "LOZO r=2 (interval ν) or SubZero r=2 (refresh F = ν)"),
                Column("nu", unit: "steps", "lazy interval ν = F"),
                Column("blocks", "independent blocks"), Column("per_step", "mean ‖ĝ‖²/‖G‖²"),
                Column("per_step_se", "SE over blocks"),
                Column("per_step_theory", "M (LOZO-/SUBZERO-SECOND-MOMENT), the same for every ν"),
                Column("pair", "mean ⟨ĝ_t, ĝ_{t+1}⟩/‖G‖² inside a block"), Column("pair_se", "SE over blocks"),
                Column("pair_theory", "κ"),
                Column("average", "mean ‖ḡ_ν‖²/‖G‖² of the block average"), Column("average_se", "SE over blocks"),
                Column("average_theory", "M/ν + (ν−1)κ/ν (lazy)"),
                Column("average_fresh", "M/ν + (ν−1)/ν (fresh sampling)"),
            ])
        let sumNu = nus.reduce(0, +)
        for (ei, label) in ["LOZO", "SubZero"].enumerated() {
            let (moment, kappa) = theory(label)
            for (ni, nu) in nus.enumerated() {
                let d = try distribution(label, nu: nu)
                var perStep: [Double] = []
                var average: [Double] = []
                var pair: [Double] = []
                for b in 0..<blocks {
                    let x = try block(
                        d, problem: problem, at: theta, nu: nu,
                        key: ctx.key.fold(in: .lazyBlocks(ei)).fold(in: ni).fold(in: b), g2: g2)
                    perStep.append(x.perStep)
                    average.append(x.average)
                    pair.append(x.pair)
                    if b % 20 == 0 {
                        ctx.progress.update(
                            "\(label) moments, ν = \(nu)",
                            done: (ei * sumNu + nus.prefix(ni).reduce(0, +)) * blocks + b * nu,
                            total: 2 * sumNu * blocks)
                    }
                }
                let s = MeanChecks.Summary(perStep)
                let a = MeanChecks.Summary(average)
                let p = MeanChecks.Summary(pair)
                moments.append([
                    NB.text(label), NB.num(nu), NB.num(blocks), NB.num(s.mean), NB.num(s.standardError), NB.num(moment),
                    NB.num(nu > 1 ? p.mean : .nan), NB.num(nu > 1 ? p.standardError : .nan),
                    NB.num(nu > 1 ? kappa : .nan),
                    NB.num(a.mean), NB.num(a.standardError), NB.num(blockAverage(moment: moment, kappa: kappa, nu: nu)),
                    NB.num(blockAverage(moment: moment, kappa: 1, nu: nu)),
                ])
            }
        }
        let (projection, projectionVerdicts) = try conditionalProjection(ctx, problem: problem, theta: theta, g: g)
        let curves = try optimisation(ctx, problem: problem, nus: nus)
        return try LazySamplingReport.report(
            moments: moments, projection: projection, projectionVerdicts: projectionVerdicts, curves: curves,
            alpha: alpha, learningRate: learningRate)
    }

    /// LOZO-CONDITIONAL-PROJECTION: per fixed V (one block of `draws` steps), the running mean's distance to
    /// GVVᵀ/r and to G, with the exact expectation √(‖target − mean limit‖² + Var/n) from the conditional moments.
    static func conditionalProjection(
        _ ctx: NotebookContext, problem: LowRankMatrixQuadratic<Double>, theta: Parameters<Double>,
        g: [Double]
    ) throws -> (Dataset, [VerdictRow]) {
        let draws = ctx.size.pick(tiny: 300, ci: 3000, full: 30000)
        let vs = ctx.size.pick(tiny: 2, ci: 4, full: 8)
        let g2 = g.reduce(0) { $0 + $1 * $1 }
        let gNorm = g2.squareRoot()
        let lozo = try LOZO(rank: r, lazyInterval: draws)
        var data = Dataset(
            name: "conditional_projection",
            description:
                """
                Inside one lazy LOZO block (V fixed): the running mean of ĝ after k draws, its distance to GVVᵀ/r \
                and to G (relative to ‖G‖), measured and expected.
                """,
            columns: [
                Column("block", "which fixed V"), Column("k", "draws averaged"),
                Column("to_projection", "‖mean − GVVᵀ/r‖/‖G‖"),
                Column("to_projection_theory", "√(conditional variance/k)/‖G‖"),
                Column("to_gradient", "‖mean − G‖/‖G‖"),
                Column("to_gradient_theory", "√(‖GVVᵀ/r − G‖² + conditional variance/k)/‖G‖"),
            ])
        var pProjection: [Double] = []
        var pGradient: [Double] = []
        for b in 0..<vs {
            let key = ctx.key.fold(in: .fixedVBlocks).fold(in: b)
            let samples = try Checks.estimates(
                lozo, objective: problem, at: theta, count: draws, key: key, sameKey: true)
            guard
                let v = try lozo.perturbation(
                    step: 0, key: ZOEstimator<LOZO>.sampleKey(key, sample: 0), parameters: theta, use: .measurement
                ).lowRankFactors(tensor: 0)?.v
            else {
                throw ZOError("LOZO gave no low-rank factors", at: "LazySampling", fix: "use a matrix layout")
            }
            var target = [Double](repeating: 0, count: m * n)  // G V Vᵀ / r
            for i in 0..<m {
                for j in 0..<n {
                    var s = 0.0
                    for k in 0..<n {
                        var vv = 0.0
                        for l in 0..<r { vv += v[k * r + l] * v[j * r + l] }
                        s += g[i * n + k] * vv
                    }
                    target[i * n + j] = s / Double(r)
                }
            }
            let variance =
                LOZOClaims.conditionalSecondMoment(g: g, v: v, m: m, n: n, r: r) * g2
                - target.reduce(0) { $0 + $1 * $1 }
            let offset = zip(target, g).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
            var running = [Double](repeating: 0, count: m * n)
            var next = 10
            for (k, x) in samples.enumerated() {
                for i in x.indices { running[i] += x[i] }
                guard k + 1 == next || k + 1 == draws else { continue }
                next = Int((Double(next) * 1.5).rounded())
                let c = Double(k + 1)
                let mean = running.map { $0 / c }
                let dp = zip(mean, target).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() / gNorm
                let dg = zip(mean, g).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() / gNorm
                data.append([
                    NB.num(b), NB.num(k + 1), NB.num(dp), NB.num((variance / c).squareRoot() / gNorm), NB.num(dg),
                    NB.num((offset + variance / c).squareRoot() / gNorm),
                ])
            }
            let k = ctx.key.fold(in: .testDirections(b))
            pProjection.append(
                Checks.unbiased(
                    samples, target: target, gradient: g, alpha: Multiplicity.bonferroni(alpha, tests: vs), key: k,
                    name: "E[ĝ | V] = GVVᵀ/r"
                ).pValue)
            pGradient.append(
                Checks.unbiased(
                    samples, target: g, gradient: target, alpha: Multiplicity.bonferroni(alpha, tests: vs), key: k,
                    name: "E[ĝ | V] = G"
                ).pValue)
            ctx.progress.update("conditional projection", done: b + 1, total: vs)
        }
        let minP = pProjection.min() ?? 1
        let maxG = pGradient.max() ?? 1
        return (
            data,
            [
                VerdictRow(
                    claim: "LOZO-CONDITIONAL-PROJECTION: E[ĝ | V] = GVVᵀ/r in every block",
                    outcome: minP < Multiplicity.bonferroni(alpha, tests: vs) ? "fail" : "pass", expected: "holds",
                    statistic: Double(vs), pValue: Multiplicity.bonferroniAdjusted(minP, tests: vs), alpha: alpha,
                    n: draws,
                    detail:
                        """
                        directed t-tests (along GVVᵀ/r, along G − GVVᵀ/r, two random directions; Holm) per fixed \
                        V, Bonferroni over \(vs) blocks; Bonferroni-adjusted smallest p shown.
                        """
                ),
                VerdictRow(
                    claim: "E[ĝ | V] = G inside a block (unbiased given V)", outcome: maxG < alpha ? "fail" : "pass",
                    expected: "refuted",
                    statistic: Double(vs), pValue: maxG, alpha: alpha, n: draws,
                    detail: "the same tests against G; fails only if rejected in every block (largest p shown)."),
            ]
        )
    }

    /// ZO-SGD from the initial point: f(θ_t) − f* every `every` steps, per estimator, ν and seed.
    static func optimisation(_ ctx: NotebookContext, problem: LowRankMatrixQuadratic<Double>, nus: [Int]) throws
        -> Dataset
    {
        let seeds = ctx.size.pick(tiny: 3, ci: 8, full: 20)
        let steps = ctx.size.pick(tiny: 150, ci: 1000, full: 2000)
        let every = steps / 50
        var runs: [(String, Int, any PerturbationDistribution)] = try nus.map {
            nu -> (String, Int, any PerturbationDistribution) in ("LOZO", nu, try LOZO(rank: r, lazyInterval: nu))
        }
        runs.append(("MeZO", 1, GaussianRGE()))
        var data = Dataset(
            name: "optimisation",
            description:
                """
                ZO-SGD (η = \(learningRate)) from the initial point: f(θ_t) − f* across seeds, as a geometric \
                mean with a 95 % t-interval on log10.
                """,
            columns: [
                Column("estimator", "LOZO r=2 (interval ν) or MeZO"), Column("nu", unit: "steps", "lazy interval ν"),
                Column("step", unit: "steps", "t"),
                Column("seeds", "independent runs"), Column("geometric_mean", "10^(mean log10(f − f*))"),
                Column("lower95", "10^(mean − t·sd/√seeds)"), Column("upper95", "10^(mean + t·sd/√seeds)"),
                Column("mean_log10", "mean of log10(f − f*)"),
                Column("sd_log10", "standard deviation of log10(f − f*)"),
            ])
        let sgd = try ZOSGD(learningRate: learningRate)
        for (ri, (label, nu, d)) in runs.enumerated() {
            var traces = [[Double]](repeating: [], count: seeds)
            for s in 0..<seeds {
                traces[s] = try trajectory(
                    d, problem: problem, sgd: sgd, steps: steps, every: every,
                    key: ctx.key.fold(in: .sgdRun(ri)).fold(in: s))
                ctx.progress.update("ZO-SGD \(label) ν = \(nu)", done: ri * seeds + s + 1, total: runs.count * seeds)
            }
            for (k, step) in stride(from: 0, through: steps, by: every).enumerated() {
                let logs = traces.map { log10(max($0[k], 1e-300)) }
                let sm = MeanChecks.Summary(logs)
                let half = ConfidenceInterval.tHalfWidth95(
                    standardError: sm.standardError, dof: Double(max(seeds - 1, 1)))
                data.append([
                    NB.text(label), NB.num(nu), NB.num(step), NB.num(seeds), NB.num(pow(10, sm.mean)),
                    NB.num(pow(10, sm.mean - half)),
                    NB.num(pow(10, sm.mean + half)), NB.num(sm.mean), NB.num(sm.standardDeviation),
                ])
            }
        }
        return data
    }

    static func trajectory<D: PerturbationDistribution>(
        _ d: D, problem: LowRankMatrixQuadratic<Double>, sgd: ZOSGD, steps: Int, every: Int, key: PRNGKey
    ) throws -> [Double] {
        let estimator = try ZOEstimator(d, epsilon: ZODefaults.epsilon)
        var theta = problem.initialPoint()
        var out: [Double] = []
        for t in 0...steps {
            if t % every == 0 { out.append(try problem.loss(theta)) }
            guard t < steps else { break }
            let e = try estimator.measure(problem, at: theta, step: t, key: key)
            try sgd.update(&theta, estimate: e, estimator: estimator)
        }
        return out
    }
}
