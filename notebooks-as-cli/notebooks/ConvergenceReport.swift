import Foundation
import ZOCheck
import ZOReports

/// The statistics, figures and verdicts of `ConvergenceRates` from its per-run dataset.
enum ConvergenceReport {
    static let alpha = ConvergenceRates.alpha

    struct Cell {
        let method: String, d: Int, T: Int
        let values: [Double]
        let exact: Double, bound: Double
        var summary: MeanChecks.Summary { MeanChecks.Summary(values) }
        /// Student-t 95 % half-width of the mean (0 for a deterministic single run).
        var halfWidth: Double {
            let s = summary
            return s.n > 1 ? ConfidenceInterval.tHalfWidth95(s) : 0
        }
    }

    /// Relative variance of one run's A for T ≫ d + 2 (the perpetuity S_∞, Proofs/rates.md#zo-sgd-rate step 7):
    /// ρ_D = (2 − 6/D + 24/D²)/(2D − 3 + 6/D − 24/D²), D = d + 2. Used as the fits' variance of log(cell mean), ρ_D/runs:
    /// data-independent weights, because the sample variance of a skewed A is correlated with its mean.
    static func relativeVariance(d: Int) -> Double {
        let D = Double(d + 2)
        return (2 - 6 / D + 24 / (D * D)) / (2 * D - 3 + 6 / D - 24 / (D * D))
    }

    static func cells(_ runs: Dataset) -> [Cell] {
        var keys: [String] = []
        var grouped: [String: (String, Int, Int, [Double], Double, Double)] = [:]
        for row in runs.rows {
            guard let m = row[0].text, let d = row[1].number, let t = row[2].number, let a = row[4].number,
                let e = row[5].number, let b = row[6].number
            else { continue }
            let k = "\(m)|\(Int(d))|\(Int(t))"
            if grouped[k] == nil {
                keys.append(k)
                grouped[k] = (m, Int(d), Int(t), [], e, b)
            }
            grouped[k]?.3.append(a)
        }
        return keys.compactMap { grouped[$0] }.map {
            Cell(method: $0.0, d: $0.1, T: $0.2, values: $0.3, exact: $0.4, bound: $0.5)
        }
    }

    static func build(_ runs: Dataset, ds: [Int], ts: [Int], seeds: Int) throws -> Report {
        let all = cells(runs)
        let zo = all.filter { $0.method == "ZO-SGD" }
        var cellData = Dataset(
            name: "cells",
            description:
                """
                Per method, d and T: the mean of A over the seeds with a Student-t 95 % interval, next to E A and \
                the bound.
                """,
            columns: [
                Column("method", "ZO-SGD or FO-SGD and its step size"), Column("d", unit: "parameters", "dimension"),
                Column("T", unit: "steps", "steps"),
                Column("runs", "independent runs (1 for the deterministic FO-SGD)"),
                Column("mean", unit: "‖∇f‖²", "mean of A over runs"),
                Column("se", unit: "‖∇f‖²", "standard error of the mean"),
                Column("lower95", unit: "‖∇f‖²", "mean − t₀.₉₇₅·se"),
                Column("upper95", unit: "‖∇f‖²", "mean + t₀.₉₇₅·se"),
                Column("exact", unit: "‖∇f‖²", "E A (exact)"), Column("bound", unit: "‖∇f‖²", "descent-lemma bound"),
                Column("mean_over_bound", "mean / bound (ZO: 1 − q^T in expectation)"),
            ])
        for c in all {
            let s = c.summary
            cellData.append([
                NB.text(c.method), NB.num(c.d), NB.num(c.T), NB.num(s.n), NB.num(s.mean), NB.num(s.standardError),
                NB.num(s.mean - c.halfWidth), NB.num(s.mean + c.halfWidth), NB.num(c.exact), NB.num(c.bound),
                NB.num(s.mean / c.bound),
            ])
        }

        // Slopes: in log T per d (weighted fit of log cell means; per-seed slopes across seeds), in log(d+2) at the largest T.
        var slopes = Dataset(
            name: "slopes",
            description:
                """
                Fitted log-log slopes of ZO-SGD's A: in T at fixed d, and in d + 2 at the largest T, with 95 % \
                intervals; the exact curve's slope over the same grid.
                """,
            columns: [
                Column("variable", "log T (at fixed d) or log(d+2) (at fixed T)"),
                Column("fixed", "the fixed d or T (empty for the joint regression)"),
                Column(
                    "fit",
                    """
                    weighted (log cell means, Var = ρ_D/runs with ρ_D the exact relative variance of A for T ≫ \
                    d+2) or per-seed (RateChecks.logLogSlope, mean over seeds)
                    """
                ),
                Column("slope", "fitted slope"), Column("lower95", "95 % interval, lower"),
                Column("upper95", "95 % interval, upper"),
                Column(
                    "exact_slope",
                    """
                    least-squares slope of log E A over the same grid (joint regression: the theorem's exponent, \
                    exact once log(1 − q^T) is removed)
                    """
                ),
            ])
        var headlines: [Headline] = []
        for d in ds {
            let row = zo.filter { $0.d == d }.sorted { $0.T < $1.T }
            let x = row.map { log(Double($0.T)) }
            let y = row.map { log($0.summary.mean) }
            let v = row.map { relativeVariance(d: $0.d) / Double($0.summary.n) }
            let exactSlope = RateChecks.logLogSlope(x: row.map { Double($0.T) }, y: row.map(\.exact))
            let fit = try Fits.weightedLine(x: x, y: y, variances: v)
            let (lo, hi) = fit.slopeInterval()
            slopes.append([
                NB.text("log T"), NB.num(d), NB.text("weighted"), NB.num(fit.slope), NB.num(lo), NB.num(hi),
                NB.num(exactSlope),
            ])
            let perSeed = (0..<seeds).map { s in
                RateChecks.logLogSlope(x: row.map { Double($0.T) }, y: row.map { $0.values[s] })
            }
            let ps = MeanChecks.Summary(perSeed)
            let hw = ConfidenceInterval.tHalfWidth95(standardError: ps.standardError, dof: Double(max(seeds - 1, 1)))
            slopes.append([
                NB.text("log T"), NB.num(d), NB.text("per-seed"), NB.num(ps.mean), NB.num(ps.mean - hw),
                NB.num(ps.mean + hw), NB.num(exactSlope),
            ])
            if d == ds.last {
                headlines.append(
                    Headline(
                        "ZO-SGD slope in T (d = \(d))", fit.slope,
                        detail: String(format: "95 %% [%.3f, %.3f]; exact curve %.3f; theorem −1", lo, hi, exactSlope)))
            }
        }
        let tMax = ts.last ?? 0
        let atT = zo.filter { $0.T == tMax }.sorted { $0.d < $1.d }
        let dFit = try Fits.weightedLine(
            x: atT.map { log(Double($0.d + 2)) }, y: atT.map { log($0.summary.mean) },
            variances: atT.map { relativeVariance(d: $0.d) / Double($0.summary.n) })
        let dExact = RateChecks.logLogSlope(x: atT.map { Double($0.d + 2) }, y: atT.map(\.exact))
        let (dlo, dhi) = dFit.slopeInterval()
        slopes.append([
            NB.text("log(d+2)"), NB.num(tMax), NB.text("weighted"), NB.num(dFit.slope), NB.num(dlo), NB.num(dhi),
            NB.num(dExact),
        ])
        if let z = atT.last, let f = all.first(where: { $0.method == "FO-SGD η=1/L" && $0.d == z.d && $0.T == tMax }) {
            headlines.append(
                Headline(
                    "ZO/FO(η=1/L) ratio of A at d = \(z.d), T = \(tMax)", z.summary.mean / f.summary.mean,
                    detail: "theory (d+2)(1 − q^T) = \(NB.f(z.exact / f.exact))"))
        }

        let (verdicts, regression) = try tests(zo, seeds: seeds)
        // The joint regression over the whole (d, T) grid: both exponents with t intervals (residual dof).
        for (j, (label, theory)) in [(1, ("log(d+2)", 1.0)), (2, ("log T", -1.0))] {
            let b = regression.coefficients[j]
            let hw = regression.halfWidth95(j)
            slopes.append([
                NB.text(label), NB.num(.nan), NB.text("joint regression over the grid"), NB.num(b), NB.num(b - hw),
                NB.num(b + hw), NB.num(theory),
            ])
            headlines.append(
                Headline(
                    "ZO-SGD exponent of \(label) (joint fit over d and T)", b,
                    detail: String(format: "95 %% [%.3f, %.3f]; theorem %+.0f", b - hw, b + hw, theory)))
        }
        headlines.append(
            Headline(
                "ZO-SGD slope in d + 2 at T = \(tMax) only", dFit.slope,
                detail: String(format: "95 %% [%.3f, %.3f]; exact curve %.3f", dlo, dhi, dExact)))
        headlines.append(
            Headline("F-test p of (β_log(d+2), β_log T) = (1, −1)", verdicts[0].pValue, detail: "α = \(alpha)"))
        return Report(
            name: ConvergenceRates.name, title: ConvergenceRates.title, claims: ConvergenceRates.claims,
            summary: [
                """
                On f = ½‖θ − θ*‖² with η = 1/((d+2)L), ZO-SGD's averaged squared gradient norm A falls as 1/T and \
                grows as d + 2: it is (d + 2)(1 − q^T) times first-order SGD's at its own optimal step η = 1/L, \
                where the first-order descent-lemma bound is attained. The ZO-SGD-BOUND 2(d+2)L(f₀ − f*)/T is \
                attained as T/(d+2) grows (the ratio to the bound is 1 − q^T ≈ 1 − e^{−T/(d+2)}). At ZO-SGD's \
                small step size, exact-gradient SGD is only about two times better than ZO-SGD: the factor d \
                comes from the step size that the estimator's second moment (d+2)‖∇f‖² forces.
                """,
                """
                Each ZO cell is \(seeds) independent runs with their own keys; intervals are Student-t 95 % over \
                runs. The verdicts: the joint F-test of the log-log coefficients (the catalog's ZO-SGD-RATE \
                statistic, with the exact log(1 − q^T) offset removed so that small T/(d+2) can be on the grid), \
                per-cell t-tests of E A against the exact value and of E A ≤ bound, Holm-combined; all at α = \
                \(alpha).
                """,
            ], headlines: headlines, verdicts: verdicts, datasets: [runs, cellData, slopes],
            figures: figures(all, ds: ds, ts: ts, seeds: seeds))
    }

    static func tests(_ zo: [Cell], seeds: Int) throws -> ([VerdictRow], Fits.Regression) {
        var design: [[Double]] = []
        var y: [Double] = []
        for c in zo {
            let s = c.summary
            let D = Double(c.d + 2)
            let q = 1 - 1 / D
            design.append([1, log(D), log(Double(c.T))])
            y.append(
                log(s.mean) + s.standardDeviation * s.standardDeviation / (2 * Double(s.n) * s.mean * s.mean)
                    - log(1 - pow(q, Double(c.T))))
        }
        let regression = try Fits.linearRegression(design: design, y: y)
        let f = try Fits.jointCoefficientTest(
            regression, indices: [1, 2], hypothesis: [1, -1], alpha: alpha, name: "(β_log(d+2), β_log T) = (1, −1)")
        let exact = zo.map { c in
            MeanChecks.scalarMean(c.values.map { $0 / c.exact }, target: 1, alpha: alpha, name: "d=\(c.d) T=\(c.T)")
        }
        let bound = zo.map { c in
            MeanChecks.scalarMean(
                c.values.map { $0 / c.bound }, target: 1, alpha: alpha, sides: .one, name: "d=\(c.d) T=\(c.T)")
        }
        return (
            [
                NB.row("ZO-SGD-RATE", f), holm("ZO-SGD-RATE (exact E A per cell)", exact, unit: "× exact"),
                holm("ZO-SGD-BOUND (E A ≤ bound per cell)", bound, unit: "× bound"),
            ], regression
        )
    }

    /// Holm across cells: fails when any adjusted p is below α.
    static func holm(_ claim: String, _ vs: [Verdict], unit: String) -> VerdictRow {
        let v = Multiplicity.holmAcross(vs, alpha: alpha, name: claim, n: vs.count, effectUnit: unit) { worst in
            """
            Holm over \(vs.count) cells of \(vs.first?.n ?? 0) runs; smallest adjusted p at \
            \(worst.check) (t = \(NB.f(worst.statistic, 3))).
            """
        }
        return NB.row(claim, v)
    }

    static func figures(_ all: [Cell], ds: [Int], ts: [Int], seeds: Int) -> [Figure] {
        let zo = all.filter { $0.method == "ZO-SGD" }
        func band(
            _ label: String, _ cs: [Cell], x: (Cell) -> Double, style: SeriesStyle = .errorBars, group: String? = nil
        ) -> Series {
            Series(
                label, style: style, x: cs.map(x), y: cs.map { $0.summary.mean },
                lower: cs.map { $0.summary.mean - $0.halfWidth },
                upper: cs.map { $0.summary.mean + $0.halfWidth }, group: group)
        }
        var inT = Figure(
            name: "avg_grad_vs_T", title: "Averaged squared gradient norm versus steps (f = ½‖θ − θ*‖², f₀ − f* = 1)",
            xLabel: "steps T", yLabel: "A = (1/T) Σ ‖∇f(θ_t)‖²  (‖∇f‖², mean ± t 95 %)", logX: true, logY: true,
            caption:
                """
                ZO-SGD (η = 1/(d+2)) for each d: points with Student-t 95 % error bars over \(seeds) runs; \
                dashed: the exact E A = 2(d+2)(1 − q^T)/T. Bottom: FO-SGD at η = 1/L (points; deterministic, the \
                same for every d), dashed its bound 2L(f₀−f*)/T, attained. The vertical gap between ZO-SGD and \
                FO-SGD is the factor (d + 2).
                """
        )
        for d in ds {
            let row = zo.filter { $0.d == d }.sorted { $0.T < $1.T }
            inT.series.append(band("ZO-SGD d=\(d)", row, x: { Double($0.T) }))
            inT.series.append(
                Series(
                    "exact E A, d=\(d)", style: .dashed, x: row.map { Double($0.T) }, y: row.map(\.exact),
                    group: "ZO-SGD d=\(d)"))
        }
        let fo = all.filter { $0.method == "FO-SGD η=1/L" && $0.d == ds.first }.sorted { $0.T < $1.T }
        inT.series.append(
            Series(
                "FO-SGD η=1/L", style: .points, x: fo.map { Double($0.T) }, y: fo.map { $0.summary.mean }, group: "FO"))
        inT.series.append(
            Series("FO bound 2L(f₀−f*)/T", style: .dashed, x: fo.map { Double($0.T) }, y: fo.map(\.bound), group: "FO"))

        let tMax = ts.last ?? 0
        var inD = Figure(
            name: "avg_grad_vs_d", title: "Averaged squared gradient norm versus dimension at T = \(tMax)",
            xLabel: "dimension d (parameters)", yLabel: "A at T = \(tMax)  (‖∇f‖², mean ± t 95 %)", logX: true,
            logY: true,
            caption:
                """
                ZO-SGD: points with Student-t 95 % error bars over \(seeds) runs; dashed: exact E A; solid line: \
                the ZO-SGD-BOUND 2(d+2)L(f₀−f*)/T (at this T/(d+2) the exact E A and the bound coincide). FO-SGD \
                at η = 1/L does not depend on d; FO-SGD at ZO-SGD's step η = 1/((d+2)L) grows with d as well, \
                about half of ZO-SGD.
                """
        )
        let atT = zo.filter { $0.T == tMax }.sorted { $0.d < $1.d }
        inD.series.append(band("ZO-SGD", atT, x: { Double($0.d) }))
        inD.series.append(
            Series("ZO exact E A", style: .dashed, x: atT.map { Double($0.d) }, y: atT.map(\.exact), group: "ZO-SGD"))
        inD.series.append(
            Series(
                "ZO-SGD-BOUND 2(d+2)L(f₀−f*)/T", style: .lines, x: atT.map { Double($0.d) }, y: atT.map(\.bound),
                group: "bound"))
        for (label, group) in [("FO-SGD η=1/L", "FO"), ("FO-SGD η=1/((d+2)L)", "FO small step")] {
            let row = all.filter { $0.method == label && $0.T == tMax }.sorted { $0.d < $1.d }
            inD.series.append(
                Series(label, style: .points, x: row.map { Double($0.d) }, y: row.map { $0.summary.mean }, group: group)
            )
            inD.series.append(
                Series("\(label) exact", style: .dashed, x: row.map { Double($0.d) }, y: row.map(\.exact), group: group)
            )
        }
        var ratio = Figure(
            name: "ratio_to_bound", title: "ZO-SGD: A / ZO-SGD-BOUND versus T/(d+2)",
            xLabel: "T / (d + 2)  (steps per dimension)", yLabel: "A / (2(d+2)L(f₀−f*)/T)  (mean ± t 95 %)", logX: true,
            caption:
                """
                Every d collapses onto 1 − q^T ≈ 1 − e^{−T/(d+2)} (dashed, exact for each d): the bound holds and \
                is attained as T/(d+2) → ∞.
                """
        )
        for d in ds {
            let row = zo.filter { $0.d == d }.sorted { $0.T < $1.T }
            let x = row.map { Double($0.T) / Double(d + 2) }
            ratio.series.append(
                Series(
                    "d=\(d)", style: .errorBars, x: x, y: row.map { $0.summary.mean / $0.bound },
                    lower: row.map { ($0.summary.mean - $0.halfWidth) / $0.bound },
                    upper: row.map { ($0.summary.mean + $0.halfWidth) / $0.bound }))
            ratio.series.append(
                Series("1 − q^T, d=\(d)", style: .dashed, x: x, y: row.map { $0.exact / $0.bound }, group: "d=\(d)"))
        }
        return [inT, inD, ratio]
    }
}
