import Foundation
import ZOCheck
import ZOReports

/// ZO-SGD (MeZO) versus first-order SGD versus the theorem, in T and in d, on f = ½‖θ − θ*‖².
public enum ConvergenceRates: Notebook {
    public static let name = "convergence-rates"
    public static let title = "ZO-SGD convergence rate in T and d versus first-order SGD and the theorem"
    public static let abstract =
        """
        Averaged ‖∇f‖² of ZO-SGD (MeZO) and FO-SGD over T and d grids, exact rate and bound overlaid, slopes and \
        the joint F-test.
        """
    public static let discussion = """
        Problem (ZO-SGD-RATE, Proofs/rates.md#zo-sgd-rate): f(θ) = ½‖θ − θ*‖² in R^d (H = I, L = 1), started at \
        distance √2 from θ* so that f₀ − f* = 1 for every d. ZO-SGD uses the Gaussian two-point estimator \
        (MeZO, ε = 1e-3, central differences, exact on a quadratic) with η = 1/((d+2)L); the statistic is the \
        quantity the theorem bounds, A = (1/T) Σ_{t<T} ‖∇f(θ_t)‖², one value per independent run (its own key per \
        d, T and seed). Theory: E A = 2(d+2)f₀(1 − q^T)/T with q = 1 − 1/(d+2) (exact), and the ZO-SGD-BOUND \
        2(d+2)L(f₀ − f*)/T. First-order SGD (exact gradients, deterministic) is run at η = 1/L, where its \
        descent-lemma bound 2L(f₀ − f*)/T is attained, and at ZO-SGD's η = 1/((d+2)L). Statistics: per cell the \
        mean over seeds with a Student-t 95 % band; weighted log-log slopes in T (per d) and in d + 2 (at the \
        largest T) with 95 % intervals (weights from the exact relative variance ρ_D of a run), and per-seed \
        log-log slopes in T across seeds (RateChecks); the \
        joint F-test that the coefficients of (log(d+2), log T) are (1, −1) in a regression of the \
        Jensen-corrected log cell means with the exact log(1 − q^T) term removed (α = 0.001); per-cell t-tests of \
        E A = exact (Holm, α = 0.001) and one-sided of E A ≤ bound (Holm, α = 0.001). Sizes: tiny d ∈ {8, 16, 32}, \
        T ∈ {128, 256, 512}, 4 seeds; ci d ∈ {8, 16, 32, 64}, T = 32…8192 (×2), 20 seeds; full d = 8…256, \
        T = 32…32768, 50 seeds. Estimators registered by a researcher's executable (`ZOCheckCLI.main`) run ZO-SGD \
        on the same grid (`registered_runs`), at η = 1/(κL) with their exact E A when their declared moments give \
        κ (Proofs/rates.md#registered-rate).
        """
    public static let claims = ["ZO-SGD-RATE", "ZO-SGD-BOUND"]
    static let alpha = 0.001

    /// One run's A = (1/T) Σ_{t<T} ‖∇f(θ_t)‖², for ZO-SGD (`fo == nil`) or FO-SGD at learning rate `fo`:
    /// the catalog's run (`ClassicalClaims.averagedSquaredGradient`, the one ZO-SGD-RATE checks).
    public static func averagedSquaredGradient(d: Int, steps: Int, problemKey: PRNGKey, key: PRNGKey, fo: Double? = nil)
        throws -> Double
    {
        try ClassicalClaims.averagedSquaredGradient(
            d: d, steps: steps, problemKey: problemKey, key: key, firstOrderLearningRate: fo)
    }

    /// E A for ZO-SGD on H = I, f₀ = 1: 2(d+2)(1 − q^T)/T (Proofs/rates.md#zo-sgd-rate).
    public static func exactZO(d: Int, steps: Int) -> Double {
        let D = Double(d + 2)
        let q = 1 - 1 / D
        return 2 * D * (1 - pow(q, Double(steps))) / Double(steps)
    }

    /// A for FO-SGD at η on H = I, f₀ = 1: f_t = (1 − η)^{2t}, so A = 2(1 − r^T)/(T(1 − r)), r = (1 − η)².
    public static func exactFO(eta: Double, steps: Int) -> Double {
        let r = (1 - eta) * (1 - eta)
        return r == 0 ? 2 / Double(steps) : 2 * (1 - pow(r, Double(steps))) / (Double(steps) * (1 - r))
    }

    /// The key of run `seed` in cell (d index, T index).
    public static func key(_ root: PRNGKey, d: Int, t: Int, seed: Int) -> PRNGKey {
        root.fold(in: .dimensionRun(d)).fold(in: t).fold(in: seed)
    }
    public static func problemKey(_ root: PRNGKey, d: Int) -> PRNGKey { root.fold(in: d) }

    public static func run(_ ctx: NotebookContext) throws -> Report {
        let ds = ctx.size.pick(tiny: [8, 16, 32], ci: [8, 16, 32, 64], full: [8, 16, 32, 64, 128, 256])
        let ts = ctx.size.pick(
            tiny: [128, 256, 512], ci: [32, 64, 128, 256, 512, 1024, 2048, 4096, 8192],
            full: [32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768])
        let seeds = ctx.size.pick(tiny: 4, ci: 20, full: 50)
        var runs = Dataset(
            name: "runs",
            description:
                """
                One row per run: the averaged squared gradient norm A of ZO-SGD (one row per seed) and of FO-SGD \
                (deterministic, one row).
                """,
            columns: [
                Column("method", "ZO-SGD (MeZO, η = 1/((d+2)L)), FO-SGD η=1/L or FO-SGD η=1/((d+2)L)"),
                Column("d", unit: "parameters", "dimension"), Column("T", unit: "steps", "number of steps"),
                Column("seed", "run index (ZO: its key is fold(d index, T index, seed)); −1 for FO"),
                Column("A", unit: "‖∇f‖²", "(1/T) Σ_{t<T} ‖∇f(θ_t)‖² of the run"),
                Column(
                    "exact", unit: "‖∇f‖²", "E A (exact, Proofs/rates.md#zo-sgd-rate; for FO the deterministic value)"),
                Column("bound", unit: "‖∇f‖²", "the method's descent-lemma bound (L(f₀−f*))/(η(1 − Lη/2)T)"),
            ])
        let total = ds.count * ts.reduce(0, +) * (seeds + 2)
        var done = 0
        for (di, d) in ds.enumerated() {
            let pk = problemKey(ctx.key, d: di)
            for (ti, T) in ts.enumerated() {
                let D = Double(d + 2)
                for s in 0..<seeds {
                    let a = try averagedSquaredGradient(
                        d: d, steps: T, problemKey: pk, key: key(ctx.key, d: di, t: ti, seed: s))
                    runs.append([
                        NB.text("ZO-SGD"), NB.num(d), NB.num(T), NB.num(s), NB.num(a), NB.num(exactZO(d: d, steps: T)),
                        NB.num(2 * D / Double(T)),
                    ])
                    done += T
                    ctx.progress.update("ZO-SGD d = \(d)", done: done, total: total)
                }
                for (label, eta) in [("FO-SGD η=1/L", 1.0), ("FO-SGD η=1/((d+2)L)", 1 / D)] {
                    let a = try averagedSquaredGradient(d: d, steps: T, problemKey: pk, key: ctx.key, fo: eta)
                    runs.append([
                        NB.text(label), NB.num(d), NB.num(T), NB.num(-1), NB.num(a),
                        NB.num(exactFO(eta: eta, steps: T)),
                        NB.num(1 / (eta * (1 - eta / 2) * Double(T))),
                    ])
                    done += T
                }
            }
        }
        var report = try ConvergenceReport.build(runs, ds: ds, ts: ts, seeds: seeds)
        if let mine = try ConvergenceRatesRegistered.run(ctx, ds: ds, ts: ts, seeds: seeds) {
            let part = try ConvergenceRatesRegistered.analyse(mine, seeds: seeds)
            report.datasets.append(mine)
            report.figures += part.figures
            report.verdicts += part.verdicts
            report.headlines += part.headlines
            report.summary.append(
                """
                Registered estimators: ZO-SGD on the same problem and grid. With declared exact moments that make \
                the estimator unbiased and isotropic here (E‖ĝ‖² = κ‖g‖²), it runs at η = 1/(κL) and its E A = \
                2κ(1 − q^T)/T is exact (Proofs/rates.md#registered-rate), tested per cell; otherwise at MeZO's \
                step with its slope only (`registered_runs`).
                """)
        }
        return report
    }
}
