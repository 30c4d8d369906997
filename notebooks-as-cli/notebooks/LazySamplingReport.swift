import Foundation
import ZOCheck
import ZOReports

/// Figures, verdicts and headlines of `LazySampling`.
enum LazySamplingReport {
    static func col(_ d: Dataset, _ c: String) -> [Double] { d.numbers(c).map { $0 ?? .nan } }

    static func report(
        moments: Dataset, projection: Dataset, projectionVerdicts: [VerdictRow], curves: Dataset,
        alpha: Double, learningRate: Double
    ) throws -> Report {
        var verdicts: [VerdictRow] = []
        var headlines: [Headline] = []
        let blocks = Int(col(moments, "blocks").first ?? 0)
        var average = Figure(
            name: "block_average_vs_nu", title: "Second moment of the average of the ν estimates of one lazy block",
            xLabel: "lazy interval ν = F (steps)", yLabel: "E‖ḡ_ν‖² / ‖G‖²  (mean ± 95 %)", logX: true, logY: true,
            caption:
                """
                Points: measured over \(blocks) independent blocks (95 % intervals). Dashed: lazy theory M/ν + \
                (ν−1)κ/ν (LAZY-BLOCK-AVERAGE); solid: what fresh sampling would give, M/ν + (ν−1)/ν. Laziness \
                keeps the average's variance from falling below κ.
                """
        )
        var perStep = Figure(
            name: "per_step_moment_vs_nu", title: "Per-step E‖ĝ‖²/‖G‖² is the same for every ν (marginal moments)",
            xLabel: "lazy interval ν = F (steps)", yLabel: "E‖ĝ_t‖² / ‖G‖²  (mean ± 95 %)", logX: true,
            caption:
                """
                Points: per-step second moment averaged over each block, 95 % intervals over \(blocks) blocks; \
                dashed: M, independent of ν.
                """
        )
        for label in ["LOZO", "SubZero"] {
            let d = moments.filtered("estimator", equals: label)
            let nu = col(d, "nu")
            let a = col(d, "average")
            let ase = col(d, "average_se")
            let lazy = col(d, "average_theory")
            let averageBars = ConfidenceInterval.bounds(a, ase)
            average.series.append(
                Series(
                    "\(label) measured", style: .errorBars, x: nu, y: a, lower: averageBars.lower,
                    upper: averageBars.upper, group: label))
            average.series.append(Series("\(label) lazy theory", style: .dashed, x: nu, y: lazy, group: label))
            average.series.append(
                Series(
                    "\(label) if sampled fresh", style: .lines, x: nu, y: col(d, "average_fresh"),
                    group: "\(label) fresh"))
            let ps = col(d, "per_step")
            let pse = col(d, "per_step_se")
            let pt = col(d, "per_step_theory")
            let stepBars = ConfidenceInterval.bounds(ps, pse)
            perStep.series.append(
                Series(
                    "\(label) measured", style: .errorBars, x: nu, y: ps, lower: stepBars.lower, upper: stepBars.upper,
                    group: label))
            perStep.series.append(Series("\(label) theory M", style: .dashed, x: nu, y: pt, group: label))
            guard nu.count >= 2 else { continue }
            let (vStep, _, _) = try Fits.scalingAgainstTheory(
                x: nu, measured: ps, standardErrors: pse, theory: pt, alpha: alpha,
                name: "\(label) per-step moment vs ν")
            verdicts.append(
                NB.row("\(label == "LOZO" ? "LOZO" : "SUBZERO")-SECOND-MOMENT: per-step E‖ĝ‖² = M for every ν", vStep))
            let (vLazy, _, _) = try Fits.scalingAgainstTheory(
                x: nu, measured: a, standardErrors: ase, theory: lazy, alpha: alpha,
                name: "\(label) block average vs lazy theory")
            verdicts.append(NB.row("\(label): E‖ḡ_ν‖² = M/ν + (ν−1)κ/ν over ν (lazy theory)", vLazy))
            let (vFresh, _, _) = try Fits.scalingAgainstTheory(
                x: nu, measured: a, standardErrors: ase, theory: col(d, "average_fresh"), alpha: alpha,
                name: "\(label) block average vs fresh sampling")
            verdicts.append(
                NB.row("\(label): E‖ḡ_ν‖² = M/ν + (ν−1)/ν (as if sampled fresh)", vFresh, expected: .refuted))
            let pair = col(d, "pair")
            let pairSE = col(d, "pair_se")
            let kappa = col(d, "pair_theory")
            let idx = pair.indices.filter { pair[$0].isFinite && pairSE[$0] > 0 }
            if !idx.isEmpty {
                let p = idx.map { MeanChecks.normalPValue((pair[$0] - kappa[$0]) / pairSE[$0]) }
                let holm = Multiplicity.holm(p, alpha: alpha)
                verdicts.append(
                    VerdictRow(
                        claim: "\(label): E⟨ĝ_t, ĝ_{t+1}⟩ = κ‖G‖² inside a block, every ν ≥ 2",
                        outcome: holm.anyRejected ? "fail" : "pass",
                        expected: "holds", statistic: Double(idx.count), pValue: holm.adjustedMinimum, alpha: alpha,
                        n: blocks,
                        detail: String(format: "z-tests over blocks, Holm over ν; κ = %.4g", kappa[idx[0]])))
                headlines.append(
                    Headline(
                        "\(label) consecutive inner product at ν = \(Int(nu[idx.last ?? 0]))", pair[idx.last ?? 0],
                        unit: "× ‖G‖²",
                        detail: String(
                            format: "± %.3g (95 %%); κ = %.4g; fresh sampling: 1",
                            ConfidenceInterval.z975 * pairSE[idx.last ?? 0],
                            kappa[idx[0]])))
            }
            if let last = a.last, let fresh = col(d, "average_fresh").last {
                headlines.append(
                    Headline(
                        "\(label) block-average E‖ḡ‖²/‖G‖² at ν = \(Int(nu.last ?? 0))", last, unit: "× ‖G‖²",
                        detail: String(
                            format: "± %.3g (95 %%); lazy theory %.4g; fresh sampling %.4g",
                            ConfidenceInterval.z975 * (ase.last ?? .nan),
                            lazy.last ?? .nan, fresh)))
            }
        }
        var proj = Figure(
            name: "conditional_projection", title: "Inside one lazy LOZO block: the running mean of ĝ",
            xLabel: "draws k with V fixed", yLabel: "distance / ‖G‖", logX: true, logY: true,
            caption:
                """
                Solid: measured distance of the running mean to GVVᵀ/r and to G for one fixed V; dashed: root of \
                the exact expected square (conditional variance/k, plus ‖GVVᵀ/r − G‖² for G). The mean converges \
                to the projection, not to the gradient.
                """
        )
        let rows0 = Dataset(
            name: projection.name, description: projection.description, columns: projection.columns,
            rows: projection.rows.filter { $0[0].number == 0 })
        let k = col(rows0, "k")
        proj.series.append(
            Series("to GVVᵀ/r (measured)", style: .lines, x: k, y: col(rows0, "to_projection"), group: "projection"))
        proj.series.append(
            Series(
                "to GVVᵀ/r (expected)", style: .dashed, x: k, y: col(rows0, "to_projection_theory"), group: "projection"
            ))
        proj.series.append(
            Series("to G (measured)", style: .lines, x: k, y: col(rows0, "to_gradient"), group: "gradient"))
        proj.series.append(
            Series("to G (expected)", style: .dashed, x: k, y: col(rows0, "to_gradient_theory"), group: "gradient"))
        verdicts += projectionVerdicts

        let steps = col(curves, "step").max() ?? 0
        var opt = Figure(
            name: "optimisation", title: "ZO-SGD on the low-rank quadratic: LOZO at several ν, MeZO for reference",
            xLabel: "step t", yLabel: "f(θ_t) − f*  (geometric mean, 95 % t-band)", logY: true,
            caption:
                """
                Bands: 95 % t-intervals of log10(f − f*) across seeds, η = \(learningRate). Measured only: no \
                convergence theorem for LOZO is derived (OPEN in Proofs/README.md).
                """
        )
        var finals: [(String, Double, Double, Double)] = []
        for label in ["LOZO", "MeZO"] {
            let d = curves.filtered("estimator", equals: label)
            let nus = Array(Set(col(d, "nu"))).sorted()
            for nu in nus {
                let rows = Dataset(
                    name: d.name, description: d.description, columns: d.columns,
                    rows: d.rows.filter { $0[1].number == nu })
                let name = label == "MeZO" ? "MeZO" : "LOZO ν = \(Int(nu))"
                opt.series.append(
                    Series(
                        name, style: .band, x: col(rows, "step"), y: col(rows, "geometric_mean"),
                        lower: col(rows, "lower95"), upper: col(rows, "upper95"), group: name))
                if let last = rows.rows.last(where: { $0[2].number == steps }) {
                    finals.append((name, last[4].number ?? .nan, last[5].number ?? .nan, last[6].number ?? .nan))
                }
            }
        }
        for (name, g, lo, hi) in finals {
            headlines.append(
                Headline(
                    "final f − f*, \(name)", g,
                    detail: String(
                        format: "geometric mean after %d steps, 95 %% t-interval [%.3g, %.3g]", Int(steps), lo, hi)))
        }
        return Report(
            name: LazySampling.name, title: LazySampling.title, claims: LazySampling.claims,
            summary: [
                """
                Lazy sampling changes no per-step moment: U (and SubZero's Z₀) stays fresh and V is marginally \
                Gaussian (Haar) at every step, so E‖ĝ‖²/‖G‖² is M for every ν (second plot, flat). What it \
                changes is the dependence between steps: inside a block, estimates share V and have E⟨ĝ_s, ĝ_t⟩ = \
                κ‖G‖², with κ = (n+r+1)/r for LOZO and mn/r² for SubZero, instead of ‖G‖² for independent steps \
                (LAZY-BLOCK-AVERAGE in Proofs/estimators.md). Hence the average of a block's ν estimates — what \
                ZO-SGD applies over a block at nearly fixed θ — has second moment M/ν + (ν−1)κ/ν, which levels \
                off at κ instead of falling to 1 (first plot).
                """,
                """
                Given V, LOZO's estimates average to the random projection GVVᵀ/r, not to G \
                (LOZO-CONDITIONAL-PROJECTION): the running mean inside one block approaches GVVᵀ/r at the rate of \
                its exact conditional variance, while its distance to G levels off at ‖GVVᵀ/r − G‖.
                """,
                """
                The optimisation runs are measurements only (no derived rate for LOZO): they show how much of \
                this shows in ZO-SGD progress on this problem. Every verdict states α = \(alpha); Wald tests are \
                asymptotic (delta method).
                """,
            ], headlines: headlines, verdicts: verdicts, datasets: [moments, projection, curves],
            figures: [average, perStep, proj, opt])
    }
}
