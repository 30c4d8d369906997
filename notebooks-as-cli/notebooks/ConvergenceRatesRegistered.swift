import Foundation
import ZOCheck
import ZOReports

/// The registered estimators' part of `ConvergenceRates`: ZO-SGD with each estimator a researcher's
/// executable registers, on the notebook's problem f = ½‖θ − θ*‖² (f₀ = 1) and its (d, T) grid.
///
/// When the estimator declares exact moments that make it unbiased and isotropic on this problem
/// (E ĝ = g and E‖ĝ‖² = κ‖g‖² for every g, checked at two gradients), it runs at η = 1/(κL) and
/// E A = 2κ(1 − q^T)/T with q = 1 − 1/κ exactly (Proofs/rates.md#registered-rate), tested per cell
/// (t-test of A/E A = 1, Holm over cells, α = 0.001). Otherwise it runs at MeZO's η = 1/((d+2)L) and
/// only its measured slope in T is reported.
enum ConvergenceRatesRegistered {
    static let alpha = ConvergenceRates.alpha

    /// κ = E‖ĝ‖²/‖g‖² when `estimator` declares E ĝ = g and the same κ at θ's gradient and at a second,
    /// unrelated gradient (isotropy, which the exact E A needs); nil otherwise.
    static func kappa(_ estimator: any GradientEstimator, problem: LeastSquares<Double>, at theta: Parameters<Double>)
        throws -> Double?
    {
        let g = try problem.gradient(theta)
        let other = RandomFill.gaussian(Double.self, count: g.count, key: PRNGKey(seed: 7))
        var ratios: [Double] = []
        for gradient in [g, other] {
            guard let m = estimator.exactMoments(gradient: gradient, at: theta) else { return nil }
            let n2 = gradient.reduce(0.0) { $0 + $1 * $1 }
            let meanError = zip(m.mean, gradient).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
            guard m.mean.count == gradient.count, meanError <= 1e-20 * n2 else { return nil }
            ratios.append(m.secondMoment / n2)
        }
        guard let k = ratios.first, k.isFinite, k >= 1, abs(ratios[1] - k) <= 1e-9 * k else { return nil }
        return k
    }

    /// One run's A = (1/T) Σ_{t<T} ‖∇f(θ_t)‖² at learning rate η.
    static func averagedSquaredGradient(
        _ estimator: any GradientEstimator, problem: LeastSquares<Double>, start: Parameters<Double>, eta: Double,
        steps: Int, key: PRNGKey
    ) throws -> Double {
        var theta = start
        var total = 0.0
        for t in 0..<steps {
            let g = try problem.gradient(theta)
            total += g.reduce(0.0) { $0 + $1 * $1 }
            let e = try estimator.estimateGradient(problem, at: theta, step: t, key: key, batch: .full).gradient
            for i in theta.values.indices { theta.values[i] -= eta * e[i] }
        }
        return total / Double(steps)
    }

    /// The runs of every registered estimator (rows like the notebook's `runs`), nil when none is registered.
    static func run(_ ctx: NotebookContext, ds: [Int], ts: [Int], seeds: Int) throws -> Dataset? {
        let registered = ZOCheckExtensions.current.estimators
        guard !registered.isEmpty else { return nil }
        var runs = Dataset(
            name: "registered_runs",
            description: "One row per ZO-SGD run of a registered estimator: A, its exact mean where derived.",
            columns: [
                Column("estimator", "registered estimator (label)"), Column("d", unit: "parameters", "dimension"),
                Column("T", unit: "steps", "number of steps"),
                Column("seed", "run index (key fold(registered e, d index, T index, seed))"),
                Column("eta", "learning rate: 1/(κL) with exact moments, else 1/((d+2)L)"),
                Column("kappa", "E‖ĝ‖²/‖g‖² from the declared moments (NaN: none or not isotropic)"),
                Column("A", unit: "‖∇f‖²", "(1/T) Σ_{t<T} ‖∇f(θ_t)‖² of the run"),
                Column("exact", unit: "‖∇f‖²", "E A = 2κ(1 − q^T)/T, q = 1 − 1/κ (NaN without κ)"),
            ])
        let total = registered.count * ds.count * ts.reduce(0, +) * seeds
        var done = 0
        for (ri, r) in registered.enumerated() {
            for (di, d) in ds.enumerated() {
                let problem = try LeastSquares<Double>(dimension: d, key: ConvergenceRates.problemKey(ctx.key, d: di))
                let L = problem.smoothness ?? 1
                var start = problem.initialPoint()
                start.values = problem.center.map { $0 + (2 / Double(d)).squareRoot() }
                let k = try kappa(r.estimator, problem: problem, at: start)
                let eta = 1 / ((k ?? Double(d + 2)) * L)
                for (ti, T) in ts.enumerated() {
                    let exact = k.map { 2 * $0 * (1 - pow(1 - 1 / $0, Double(T))) / Double(T) } ?? .nan
                    for s in 0..<seeds {
                        let key = ctx.key.fold(in: .registeredRuns(ri)).fold(in: di).fold(in: ti).fold(in: s)
                        let a = try averagedSquaredGradient(
                            r.estimator, problem: problem, start: start, eta: eta, steps: T, key: key)
                        runs.append([
                            NB.text(r.label), NB.num(d), NB.num(T), NB.num(s), NB.num(eta), NB.num(k ?? .nan),
                            NB.num(a), NB.num(exact),
                        ])
                        done += T
                        ctx.progress.update("\(r.label) d = \(d)", done: done, total: total)
                    }
                }
            }
        }
        return runs
    }

    /// Per estimator: the figure in T (one band per d, exact dashed), the Holm-combined per-cell verdict
    /// where E A is exact, and the fitted slope in T at the smallest d.
    static func analyse(_ runs: Dataset, seeds: Int) throws -> (
        figures: [Figure], verdicts: [VerdictRow], headlines: [Headline]
    ) {
        var figures: [Figure] = []
        var verdicts: [VerdictRow] = []
        var headlines: [Headline] = []
        for label in BiasVsEpsilonRegistered.unique(runs, "estimator") {
            let mine = runs.filtered("estimator", equals: label)
            var figure = Figure(
                name: "registered_in_T_\(figures.count + 1)", title: "ZO-SGD with \(label): averaged ‖∇f‖² versus T",
                xLabel: "T (steps)", yLabel: "A = (1/T) Σ ‖∇f(θ_t)‖²  (mean ± 95 %)", logX: true, logY: true,
                caption:
                    """
                    \(label) on f = ½‖θ − θ*‖² (f₀ = 1): points with Student-t 95 % error bars over \(seeds) runs per \
                    d; dashed: the exact E A where the estimator's declared moments give it.
                    """)
            var cellVerdicts: [Verdict] = []
            let col = BiasVsEpsilon.column
            let ds = col(mine, "d").reduce(into: [Double]()) { if !$0.contains($1) { $0.append($1) } }
            for d in ds {
                let rows = mine.rows.filter { $0[1].number == d }
                let cells = Dictionary(grouping: rows) { $0[2].number ?? 0 }.sorted { $0.key < $1.key }
                var x: [Double] = []
                var y: [Double] = []
                var lo: [Double] = []
                var hi: [Double] = []
                var exact: [Double] = []
                for (T, cell) in cells {
                    let a = cell.compactMap { $0[6].number }
                    let s = MeanChecks.Summary(a)
                    let w = s.n > 1 ? ConfidenceInterval.tHalfWidth95(s) : 0
                    x.append(T)
                    y.append(s.mean)
                    lo.append(s.mean - w)
                    hi.append(s.mean + w)
                    let e = cell.first?[7].number ?? .nan
                    exact.append(e)
                    if e.isFinite, e > 0 {
                        cellVerdicts.append(
                            MeanChecks.scalarMean(
                                a.map { $0 / e }, target: 1, alpha: alpha, name: "d = \(Int(d)), T = \(Int(T))"))
                    }
                }
                figure.series.append(
                    Series("d=\(Int(d))", style: .errorBars, x: x, y: y, lower: lo, upper: hi, group: "d\(Int(d))"))
                if exact.allSatisfy(\.isFinite) {
                    figure.series.append(
                        Series("d=\(Int(d)) exact", style: .dashed, x: x, y: exact, group: "d\(Int(d))"))
                }
                if d == ds.first, x.count >= 2, y.allSatisfy({ $0 > 0 }) {
                    let fit = try Fits.weightedLine(x: x.map(log), y: y.map(log), variances: x.map { _ in 1 })
                    headlines.append(
                        Headline(
                            "\(label) slope of A in T (d = \(Int(d)))", fit.slope,
                            detail: "unweighted log-log fit over \(x.count) T; exact rate −1 once T ≫ κ"))
                }
            }
            figures.append(figure)
            if !cellVerdicts.isEmpty {
                let v = Multiplicity.holmAcross(
                    cellVerdicts, alpha: alpha, name: "\(label): E A = exact per cell", n: seeds,
                    effectUnit: "× exact E A"
                ) { "smallest adjusted p at \($0.check) of \(cellVerdicts.count) cells (Holm): \($0.details)" }
                verdicts.append(NB.row("\(label): ZO-SGD E A = 2κ(1 − q^T)/T in every (d, T) cell", v))
            }
        }
        return (figures, verdicts, headlines)
    }
}
