import Foundation
import ZOCheck
import ZOReports

/// Datasets, figures, verdicts and headlines of `Calibration` from the audit rows and verdicts.
enum CalibrationReport {
    static let alpha = Calibration.calibrationAlpha
    static let level = Calibration.auditLevel

    static func build(calibration: [(Audit.Row, [Verdict])], power: [Audit.Row], root: UInt64) -> Report {
        var rates = Dataset(
            name: "false_fail_rates",
            description:
                """
                Per holding claim: M reruns at α = \(alpha) with the audit's seeds; fail fraction with its \
                Clopper–Pearson 95 % interval, and p-value uniformity.
                """,
            columns: [
                Column("index", "position on the plot's x axis"), Column("claim", "catalog id"),
                Column("alpha", "α every run used"),
                Column("runs", "M"), Column("fails", "runs that failed"),
                Column("inconclusive", "runs that were inconclusive"),
                Column("rate", "fails / M: the measured false-fail rate"),
                Column("lower95", "Clopper–Pearson 95 % lower"), Column("upper95", "Clopper–Pearson 95 % upper"),
                Column("binomial_p", "P(X ≥ fails), X ~ Bin(M, α): one-sided test of rate ≤ α"),
                Column("holm_p", "binomial_p Holm-adjusted over the claims"),
                Column("p_excess", "sup_x (Fₙ(x) − x) of the p-values (anti-conservative excess)"),
                Column("p_band", "one-sided DKW band at 0.01 for p_excess"),
                Column("dkwm_d", "sup_x |Fₙ(x) − x| (two-sided DKWM statistic)"),
                Column("consistent", "Audit.Row.consistent: 1 when α ≥ the interval's lower end and p_excess ≤ p_band"),
                Column("seconds", unit: "s", "wall time of the M runs"),
            ])
        var pvalues = Dataset(
            name: "p_values", description: "Every calibration run's p-value and outcome.",
            columns: [
                Column("claim", "catalog id"), Column("run", "run index i (seed Audit.seed(root, claim, i))"),
                Column("p", "the check's p-value"), Column("outcome", "pass, fail or inconclusive"),
            ])
        let tails = calibration.map { Dist.binomialUpperTail($0.0.fails, $0.0.runs, alpha) }
        let holm = Multiplicity.holm(tails, alpha: level)
        var verdicts: [VerdictRow] = []
        var rateFigure = Figure(
            name: "false_fail_rates",
            title:
                "Measured false-fail rate per claim at α = \(alpha) (M = \(calibration.first?.0.runs ?? 0) runs each)",
            xLabel: "claim", yLabel: "false-fail rate (fails / M, Clopper–Pearson 95 %)",
            caption:
                """
                Points: measured fail fraction of each holding claim over M reruns with fresh audit seeds, \
                Clopper–Pearson 95 % bars; dashed: the α = \(alpha) every run used. A calibrated check's bar \
                covers α or lies below it (conservative).
                """
        )
        var ticks: [AxisTic] = []
        for (i, (row, vs)) in calibration.enumerated() {
            let x = Double(i + 1)
            ticks.append(AxisTic(x, row.claim))
            let ps = vs.map(\.pValue).filter(\.isFinite)
            let dkwm = Multiplicity.uniformityByDKWM(ps, alpha: level)
            rates.append([
                NB.num(x), NB.text(row.claim), NB.num(row.alpha), NB.num(row.runs), NB.num(row.fails),
                NB.num(row.inconclusive), NB.num(row.rate),
                NB.num(row.lower95), NB.num(row.upper95), NB.num(tails[i]), NB.num(holm.adjusted[i]),
                NB.num(row.pValueExcess ?? .nan),
                NB.num(row.pValueBand ?? .nan), NB.num(dkwm.statistic), NB.num(row.consistent ? 1 : 0),
                NB.num(row.seconds),
            ])
            for (r, v) in vs.enumerated() {
                pvalues.append([NB.text(row.claim), NB.num(r), NB.num(v.pValue), NB.text(v.outcome.rawValue)])
            }
            let v = Verdict(
                check: "\(row.claim): false-fail rate ≤ \(alpha)", statistic: Double(row.fails),
                pValue: holm.adjusted[i], n: row.runs, alpha: level,
                detectableEffect: .nan, outcome: holm.rejected[i] ? .fail : .pass,
                details: String(
                    format:
                        """
                        %d of %d runs failed at α = %g: rate %.3f, Clopper–Pearson 95 %% [%.3f, %.3f]; binomial \
                        P(X ≥ %d) = %.3g, Holm-adjusted over %d claims; p-values: excess %.3f vs one-sided DKW \
                        band %.3f, DKWM sup|F − x| = %.3f.
                        """,
                    row.fails, row.runs, alpha, row.rate, row.lower95, row.upper95, row.fails, tails[i],
                    calibration.count,
                    row.pValueExcess ?? .nan, row.pValueBand ?? .nan, dkwm.statistic))
            verdicts.append(NB.row("calibration " + row.claim, v))
        }
        let xs = ticks.map(\.position)
        rateFigure.series = [
            Series(
                "measured rate", style: .errorBars, x: xs, y: calibration.map(\.0.rate),
                lower: calibration.map(\.0.lower95), upper: calibration.map(\.0.upper95)),
            Series(
                "α = \(alpha)", style: .dashed, x: [0.5, Double(calibration.count) + 0.5], y: [alpha, alpha],
                group: "alpha"),
        ]
        rateFigure.xTics = ticks

        // ECDFs of up to 4 claims' p-values (those with the most runs that produced finite p-values), with the two-sided DKW 95 % band.
        var ecdf = Figure(
            name: "p_value_ecdf", title: "Empirical CDF of the p-values against uniform",
            xLabel: "p-value", yLabel: "empirical CDF Fₙ(p)",
            caption:
                """
                Step curves: empirical CDF of each claim's M p-values under the null (the claim holds); straight \
                line: the uniform CDF, shaded: the two-sided DKW 95 % band around it. A calibrated check stays \
                inside the band (or below the diagonal: conservative).
                """
        )
        let preferred = calibration.filter { Calibration.ecdfClaims.contains($0.0.claim) }
        let shown = preferred.count >= 2 ? preferred : Array(calibration.prefix(4))
        let n = shown.map { $0.1.count }.min() ?? 1
        let eps = Multiplicity.dkwmBand(n: max(n, 1), alpha: 0.05)
        let grid = (0...50).map { Double($0) / 50 }
        ecdf.series.append(
            Series(
                "uniform CDF, DKW 95 % band (M = \(n))", style: .band, x: grid, y: grid,
                lower: grid.map { max(0, $0 - eps) }, upper: grid.map { min(1, $0 + eps) }, group: "uniform"))
        for (row, vs) in shown {
            let ps = vs.map(\.pValue).filter(\.isFinite).sorted()
            var x: [Double] = [0]
            var y: [Double] = [0]
            for (i, p) in ps.enumerated() {
                x += [p, p]
                y += [Double(i) / Double(ps.count), Double(i + 1) / Double(ps.count)]
            }
            x.append(1)
            y.append(1)
            ecdf.series.append(Series(row.claim, style: .lines, x: x, y: y))
        }

        var powerData = Dataset(
            name: "power",
            description:
                """
                Per planted fault and the claim that must catch it: the caught fraction over M runs at the \
                claim's own α.
                """,
            columns: [
                Column("index", "position on the plot's x axis"), Column("fault", "PlantedFault"),
                Column("claim", "catalog id"),
                Column("alpha", "the check's α"), Column("runs", "M"),
                Column("caught", "runs that failed (caught the fault)"),
                Column("power", "caught / M"), Column("lower95", "Clopper–Pearson 95 % lower"),
                Column("upper95", "Clopper–Pearson 95 % upper"),
                Column("binomial_p", "P(X ≤ caught), X ~ Bin(M, 0.95): one-sided test of power ≥ 0.95"),
                Column("seconds", unit: "s", "wall time"),
            ])
        var powerFigure = Figure(
            name: "power", title: "Power of the checks against planted faults", xLabel: "planted fault",
            yLabel: "power (caught / M, Clopper–Pearson 95 %)",
            caption:
                """
                Points: fraction of M runs in which the claim's check (at its own α) failed with the fault \
                planted, Clopper–Pearson 95 % bars; dashed: the 0.95 target.
                """
        )
        var powerTicks: [AxisTic] = []
        for (i, row) in power.enumerated() {
            let x = Double(i + 1)
            powerTicks.append(AxisTic(x, row.fault ?? ""))
            // P(X ≤ k) for Bin(n, 0.95) = P(Y ≥ n − k) for Y ~ Bin(n, 0.05).
            let p = Dist.binomialUpperTail(row.runs - row.fails, row.runs, 0.05)
            powerData.append([
                NB.num(x), NB.text(row.fault ?? ""), NB.text(row.claim), NB.num(row.alpha), NB.num(row.runs),
                NB.num(row.fails),
                NB.num(row.rate), NB.num(row.lower95), NB.num(row.upper95), NB.num(p), NB.num(row.seconds),
            ])
            let v = Verdict(
                check: "power vs \(row.fault ?? "")", statistic: row.rate, pValue: p, n: row.runs, alpha: level,
                detectableEffect: .nan,
                outcome: p < level ? .fail : .pass,
                details: String(
                    format:
                        """
                        caught %d of %d at α = %g: power %.3f, Clopper–Pearson 95 %% [%.3f, %.3f]; P(X ≤ %d | \
                        power 0.95) = %.3g.
                        """,
                    row.fails, row.runs, row.alpha, row.rate, row.lower95, row.upper95, row.fails, p))
            verdicts.append(NB.row("power \(row.fault ?? "") → \(row.claim)", v))
        }
        powerFigure.series = [
            Series(
                "power", style: .errorBars, x: powerTicks.map(\.position), y: power.map(\.rate),
                lower: power.map(\.lower95), upper: power.map(\.upper95)),
            Series(
                "target 0.95", style: .dashed, x: [0.5, Double(power.count) + 0.5], y: [0.95, 0.95], group: "target"),
        ]
        powerFigure.xTics = powerTicks
        powerFigure.caption +=
            " Claims: " + power.map { "\($0.fault ?? "") → \($0.claim)" }.joined(separator: "; ") + "."

        let totalRuns = calibration.reduce(0) { $0 + $1.0.runs }
        let totalFails = calibration.reduce(0) { $0 + $1.0.fails }
        let (plo, phi) = Multiplicity.clopperPearson(successes: totalFails, trials: max(totalRuns, 1))
        var headlines = [
            Headline(
                "pooled false-fail rate at α = \(alpha)", Double(totalFails) / Double(max(totalRuns, 1)),
                detail: String(
                    format: "%d of %d runs over %d claims; Clopper–Pearson 95 %% [%.4f, %.4f]", totalFails, totalRuns,
                    calibration.count, plo, phi)),
            Headline(
                "claims inconsistent with α (Holm, level \(level))", Double(holm.rejected.filter { $0 }.count),
                detail: "of \(calibration.count)"),
        ]
        if let worst = calibration.max(by: { $0.0.rate < $1.0.rate }) {
            headlines.append(
                Headline(
                    "largest measured false-fail rate (\(worst.0.claim))", worst.0.rate,
                    detail: String(format: "Clopper–Pearson 95 %% [%.3f, %.3f]", worst.0.lower95, worst.0.upper95)))
        }
        if let weakest = power.min(by: { $0.rate < $1.rate }) {
            headlines.append(
                Headline(
                    "smallest power (\(weakest.fault ?? "") → \(weakest.claim))", weakest.rate,
                    detail: String(
                        format: "Clopper–Pearson 95 %% [%.3f, %.3f], M = %d", weakest.lower95, weakest.upper95,
                        weakest.runs)))
        }
        return Report(
            name: Calibration.name, title: Calibration.title, claims: calibration.map(\.0.claim),
            summary: [
                """
                Every holding statistical claim's check is rerun with fresh audit seeds (root \(root)) at α = \
                \(alpha); the fail fraction estimates its false-fail rate. A check is calibrated when that rate \
                is at most α (the Clopper–Pearson interval covers α or lies below it) and its p-values are \
                uniform or conservative (their empirical CDF within the DKW band or below the diagonal). The \
                power rows plant each known fault and count how often the claim that must catch it fails.
                """,
                """
                Verdicts: per claim the exact binomial test of rate ≤ \(alpha), Holm-adjusted over the claims at \
                the audit level \(level); per fault the binomial test of power ≥ 0.95 at \(level). Small M (tiny, \
                ci) can only detect gross miscalibration; the full preset runs M = 200.
                """,
            ], headlines: headlines, verdicts: verdicts, datasets: [rates, pvalues, powerData],
            figures: [rateFigure, ecdf, powerFigure])
    }
}
