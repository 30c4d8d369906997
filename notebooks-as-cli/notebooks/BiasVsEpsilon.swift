import Foundation
import ZOCheck
import ZOReports

/// The bias ‖E ĝ − ∇f‖ of MeZO against ε on non-quadratic problems, resolved above Monte Carlo noise by
/// an exact control variate, with the exact smoothed gradient overlaid; and the per-direction
/// coefficient error, whose order separates the central (ε²) from the one-sided (ε) difference.
public enum BiasVsEpsilon: Notebook {
    public static let name = "bias-vs-epsilon"
    public static let title = "Bias of the Gaussian ZO estimator versus ε on non-quadratic problems"
    public static let abstract =
        """
        ‖E ĝ − ∇f‖ of MeZO (central and one-sided) over a log grid of ε, exact ∇f_ε overlaid; per-direction error \
        orders ε² vs ε.
        """
    public static let discussion = """
        Problems: f = Σ aᵢcos(bᵢθᵢ) (CosineSum, d = 16, ∇f_ε in closed form) and L2-regularised logistic regression \
        (200 examples, 15 features + bias; ∇f_ε exact by one-dimensional quadrature per example), each at its keyed \
        initial point. For each ε and scheme (central, one-sided), independent keyed MeZO draws ĝ = c·z. The mean \
        bias is measured through the control variate D = ĝ − ⟨∇f, z⟩z (one-sided: also − (ε/2)(zᵀHz)z), whose mean \
        is exactly E ĝ − ∇f (E[⟨g,z⟩z] = g, E[(zᵀHz)z] = 0) but whose noise shrinks with ε, so the bias stays \
        resolved above its standard error at every ε (the plain mean of ĝ hits its noise floor; both are plotted). \
        Theory (Proofs/estimators.md): E ĝ = ∇f_ε for both schemes (MEZO-SMOOTHED, ONE-SIDED-MEAN-EQUALS-CENTRAL), so \
        the mean bias is ‖∇f_ε − ∇f‖ = ε²‖½∇Δf‖ + O(ε⁴) for BOTH schemes: there is no O(ε) one-sided mean bias. \
        What is O(ε) one-sided is the per-direction error c − ⟨∇f, z⟩ (CENTRAL-COEFFICIENT-ORDER): its RMS is \
        plotted on CosineSum with its exact closed form. Verdicts (α = 0.001 each): Hotelling T² of E D = ∇f_ε − ∇f \
        at each ε (Holm over ε and schemes); the same against ∇f (E D = 0), expected refuted at every ε; Wald χ²₂ \
        of measured/exact over the ε grid for the bias and the RMS error (log-log fits with 95 % slope intervals). \
        The catalog checks MEZO-SMOOTHED and CENTRAL-COEFFICIENT-ORDER are run too. Sizes: tiny 3 ε, 400 draws; \
        ci 6 ε in [0.01, 0.32], 4000 draws; full 8 ε in [0.005, 0.64], 40000 draws. Estimators registered by \
        a researcher's executable (`ZOCheckCLI.main`, with an ε to vary) are measured on the same beds and grid from \
        the plain mean, with the norm-of-mean correction of Proofs/statistics.md#norm-of-mean (`registered_bias`).
        """
    public static let claims = ["MEZO-SMOOTHED", "CENTRAL-COEFFICIENT-ORDER"]
    static let alpha = 0.001
    static let schemes: [DifferenceScheme] = [.central, .forward]

    static func schemeName(_ s: DifferenceScheme) -> String { s == .central ? "central" : "one-sided" }

    public static func epsilons(_ size: NotebookSize) -> [Double] {
        size.pick(
            tiny: [0.02, 0.08, 0.32], ci: (0..<6).map { 0.01 * pow(2, Double($0)) },
            full: (0..<8).map { 0.005 * pow(2, Double($0)) })
    }

    public static func beds(_ key: PRNGKey) throws -> [BiasBed] {
        [
            try BiasBed.cosineSum(dimension: 16, key: key.fold(in: .cosineSumBed)),
            try BiasBed.logistic(samples: 200, dimension: 15, key: key.fold(in: .logisticBed)),
        ]
    }

    /// One (bed, scheme, ε) cell: the control-variate samples D, plain ĝ sums and coefficient errors.
    struct Accumulator {
        var d: [[Double]] = []
        var sumG: [Double]
        var sumG2 = 0.0
        var errors: [Double] = []
    }

    public static func run(_ ctx: NotebookContext) throws -> Report {
        let eps = epsilons(ctx.size)
        let draws = ctx.size.pick(tiny: 400, ci: 4000, full: 40000)
        let beds = try beds(ctx.key)
        var data = Dataset(
            name: "bias",
            description:
                """
                Mean bias ‖E ĝ − ∇f‖ per problem, scheme and ε: control-variate measurement, plain mean, exact \
                ‖∇f_ε − ∇f‖ and the ε² leading term; Hotelling tests of E ĝ = ∇f_ε and E ĝ = ∇f.
                """,
            columns: [
                Column("problem", "test problem"), Column("scheme", "central or one-sided difference"),
                Column("epsilon", "smoothing radius ε"), Column("draws", "independent keyed draws"),
                Column("bias", "‖mean D‖ corrected for noise (√(‖D̄‖² − tr Σ̂/n)), D the control variate"),
                Column("se", "delta-method standard error of `bias`"), Column("lower95", "bias − z₀.₉₇₅ se"),
                Column("upper95", "bias + z₀.₉₇₅ se"),
                Column("cv_floor", "noise floor √(tr Σ̂_D/n) of the control-variate mean"),
                Column("plain_bias", "‖mean ĝ − ∇f‖ without the control variate"),
                Column("plain_floor", "noise floor √(tr Σ̂_ĝ/n) of the plain mean"),
                Column("theory", "exact ‖∇f_ε − ∇f‖"), Column("leading", "ε²‖½∇Δf‖ (slope-2 asymptote)"),
                Column("p_smoothed", "Hotelling p of E D = ∇f_ε − ∇f (E ĝ = ∇f_ε)"),
                Column("p_gradient", "Hotelling p of E D = 0 (E ĝ = ∇f)"),
            ])
        var coef = Dataset(
            name: "coefficient_error",
            description:
                """
                RMS per-direction error √E[(c − ⟨∇f, z⟩)²] of the difference coefficient on CosineSum, measured \
                and exact.
                """,
            columns: [
                Column("scheme", "central or one-sided"), Column("epsilon", "ε"), Column("draws", "draws"),
                Column("rms", "√(mean (c − ⟨∇f,z⟩)²)"), Column("se", "delta-method standard error"),
                Column("lower95", "rms − z₀.₉₇₅ se"), Column("upper95", "rms + z₀.₉₇₅ se"),
                Column("theory", "exact RMS (closed form)"),
            ])
        let total = beds.count * schemes.count * eps.count * draws
        var done = 0
        for (bi, bed) in beds.enumerated() {
            let dim = bed.gradient.count
            for scheme in schemes {
                for (ei, epsilon) in eps.enumerated() {
                    var cell = Accumulator(sumG: [Double](repeating: 0, count: dim))
                    let key = ctx.key.fold(in: .bedDraws(bi)).fold(in: ei)
                    for k in 0..<draws {
                        let (c, z) = try bed.measure(epsilon, scheme, k, key.fold(in: k))
                        let gz = zip(bed.gradient, z).reduce(0.0) { $0 + $1.0 * $1.1 }
                        var a = c - gz
                        cell.errors.append(a)
                        if scheme == .forward { a -= 0.5 * epsilon * bed.hessianForm(z) }
                        cell.d.append(z.map { a * $0 })
                        for i in 0..<dim { cell.sumG[i] += c * z[i] }
                        cell.sumG2 += c * c * z.reduce(0.0) { $0 + $1 * $1 }
                        done += 1
                        if k % 200 == 0 {
                            ctx.progress.update(
                                "\(bed.label), \(schemeName(scheme)), ε = \(epsilon)", done: done, total: total)
                        }
                    }
                    data.append(try biasRow(bed, scheme: scheme, epsilon: epsilon, cell: cell, draws: draws))
                    if let exact = bed.coefficientErrorSquared {
                        let s = MeanChecks.Summary(cell.errors.map { $0 * $0 })
                        let rms = s.mean.squareRoot()
                        let ci = ConfidenceInterval(estimate: rms, standardError: s.standardError / (2 * rms))
                        coef.append([
                            NB.text(schemeName(scheme)), NB.num(epsilon), NB.num(draws), NB.num(rms),
                            NB.num(ci.standardError), NB.num(ci.lower), NB.num(ci.upper),
                            NB.num(exact(epsilon, scheme).squareRoot()),
                        ])
                    }
                }
            }
        }
        let catalog = ["MEZO-SMOOTHED", "CENTRAL-COEFFICIENT-ORDER"].compactMap(Catalog.standard.claim(id:)).map {
            Catalog.run($0, context: ClaimContext(seed: ctx.seed, size: ctx.size == .full ? .full : .ci))
        }
        var out = try report(data, coef, catalog: catalog, beds: beds.map(\.label), draws: draws)
        if let mine = try BiasVsEpsilonRegistered.run(ctx, beds: beds, epsilons: eps, draws: draws) {
            let part = try BiasVsEpsilonRegistered.figureAndHeadlines(mine, mezo: data, draws: draws)
            let labels = BiasVsEpsilonRegistered.unique(mine, "estimator").joined(separator: ", ")
            out.datasets.append(mine)
            out.figures.append(part.figure)
            out.headlines += part.headlines
            out.summary.append(
                """
                Registered estimators (\(labels)): their mean bias is measured from the plain mean with its \
                noise floor (no control variate, no theory assumed), with the Hotelling p of E ĝ = ∇f per ε in \
                `registered_bias`.
                """ + part.notes.map { " " + $0 }.joined())
        }
        return out
    }

    static func biasRow(_ bed: BiasBed, scheme: DifferenceScheme, epsilon: Double, cell: Accumulator, draws: Int) throws
        -> [Cell]
    {
        let n = Double(draws)
        let dim = bed.gradient.count
        let (bias, se, floor) = MeanChecks.normOfMean(cell.d)
        let ci = ConfidenceInterval(estimate: bias, standardError: se)
        let plainMean = cell.sumG.map { $0 / n }
        let plainBias = zip(plainMean, bed.gradient).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
        let plainFloor = (max(cell.sumG2 / n - plainMean.reduce(0.0) { $0 + $1 * $1 }, 0) / n).squareRoot()
        let smoothed = bed.smoothedGradient(epsilon)
        let target = zip(smoothed, bed.gradient).map { $0 - $1 }
        let theory = target.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
        let leading = epsilon * epsilon * bed.halfGradLaplacian.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
        let pSmoothed = MeanChecks.hotelling(cell.d, target: target, alpha: alpha).pValue
        let pGradient = MeanChecks.hotelling(cell.d, target: [Double](repeating: 0, count: dim), alpha: alpha).pValue
        return [
            NB.text(bed.label), NB.text(schemeName(scheme)), NB.num(epsilon), NB.num(draws), NB.num(bias),
            NB.num(ci.standardError), NB.num(ci.lower), NB.num(ci.upper), NB.num(floor),
            NB.num(plainBias),
            NB.num(plainFloor), NB.num(theory), NB.num(leading), NB.num(pSmoothed), NB.num(pGradient),
        ]
    }

    static func column(_ d: Dataset, _ name: String) -> [Double] { d.numbers(name).map { $0 ?? .nan } }

    static func report(_ data: Dataset, _ coef: Dataset, catalog: [ClaimResult], beds: [String], draws: Int) throws
        -> Report
    {
        var fits = Dataset(
            name: "slopes",
            description:
                """
                Weighted log-log fits over the ε grid: fitted exponent of the measured quantity in ε (95 % \
                interval), exponent of the exact theory over the same grid, and the Wald χ²₂ test of \
                log(measured/theory) = a + b log ε against a = b = 0.
                """,
            columns: [
                Column("quantity", "mean bias or RMS coefficient error"), Column("problem", "problem"),
                Column("scheme", "scheme"),
                Column("slope", "fitted exponent in ε"), Column("lower95", "95 % interval, lower"),
                Column("upper95", "95 % interval, upper"),
                Column("theory_slope", "exponent of the exact theory over the grid"), Column("wald", "Wald χ²₂"),
                Column("p", "p-value"),
            ])
        var verdicts: [VerdictRow] = []
        var headlines: [Headline] = []
        var figure = Figure(
            name: "bias_vs_epsilon", title: "Mean bias ‖E ĝ − ∇f‖ of MeZO versus ε", xLabel: "ε (perturbation radius)",
            yLabel: "‖E ĝ − ∇f‖  (mean ± 95 %)", logX: true, logY: true,
            caption:
                """
                Points: control-variate measurement with 95 % intervals (\(draws) draws per point; central and \
                one-sided coincide, as derived). Dashed: exact ‖∇f_ε − ∇f‖. Solid lines: the ε² asymptote \
                ε²‖½∇Δf‖. Dots (plain mean): ‖mean ĝ − ∇f‖ without the control variate, stuck at its noise floor \
                ≈ ‖∇f‖√(d/n) for small ε.
                """
        )
        for bed in beds {
            let rows = data.filtered("problem", equals: bed)
            var smoothedP: [Double] = []
            var gradientP: [Double] = []
            for scheme in schemes.map(schemeName) {
                let d = rows.filtered("scheme", equals: scheme)
                let x = column(d, "epsilon")
                let y = column(d, "bias")
                let se = column(d, "se")
                let theory = column(d, "theory")
                let short = bed.components(separatedBy: " ").first ?? bed
                figure.series.append(
                    Series(
                        "\(short) \(scheme)", style: .errorBars, x: x, y: y, lower: column(d, "lower95"),
                        upper: column(d, "upper95"), group: "\(bed) \(scheme)"))
                if scheme == "central" {
                    figure.series.append(
                        Series("\(short) exact", style: .dashed, x: x, y: theory, group: "\(bed) theory"))
                    figure.series.append(
                        Series(
                            "\(short) ε² term", style: .lines, x: x, y: column(d, "leading"), group: "\(bed) leading"))
                    figure.series.append(
                        Series(
                            "\(short) plain mean", style: .points, x: x, y: column(d, "plain_bias"),
                            group: "\(bed) plain"))
                }
                smoothedP += column(d, "p_smoothed")
                gradientP += column(d, "p_gradient")
                try fit(
                    &fits, &verdicts, &headlines, quantity: "mean bias", problem: bed, scheme: scheme, x: x, y: y,
                    se: se, theory: theory)
            }
            let holm = Multiplicity.holm(smoothedP, alpha: alpha)
            verdicts.append(
                VerdictRow(
                    claim: "\(bed): E ĝ = ∇f_ε at every ε, both schemes", outcome: holm.anyRejected ? "fail" : "pass",
                    expected: "holds",
                    statistic: Double(smoothedP.count), pValue: holm.adjustedMinimum, alpha: alpha, n: draws,
                    detail:
                        """
                        Hotelling T² on the control variate per (scheme, ε), Holm over \(smoothedP.count) tests; \
                        smallest adjusted p shown.
                        """
                ))
            let worst = gradientP.max() ?? 1
            verdicts.append(
                VerdictRow(
                    claim: "\(bed): E ĝ = ∇f (unsmoothed) at some ε", outcome: worst < alpha ? "fail" : "pass",
                    expected: "refuted",
                    statistic: Double(gradientP.count), pValue: worst, alpha: alpha, n: draws,
                    detail:
                        """
                        Hotelling T² of E D = 0 per (scheme, ε); fails only if rejected at every ε (largest p \
                        shown): the bias is resolved everywhere on the grid.
                        """
                ))
        }
        var coefFigure = Figure(
            name: "coefficient_error_vs_epsilon",
            title: "Per-direction error of the difference coefficient on CosineSum",
            xLabel: "ε (perturbation radius)", yLabel: "√E(c − ⟨∇f, z⟩)²  (mean ± 95 %)", logX: true, logY: true,
            caption:
                """
                Points: measured RMS error of the coefficient with 95 % intervals; dashed: exact closed form. \
                Central ∝ ε², one-sided ∝ ε (CENTRAL-COEFFICIENT-ORDER) — while the mean bias of both is O(ε²).
                """
        )
        for scheme in schemes.map(schemeName) {
            let d = coef.filtered("scheme", equals: scheme)
            let x = column(d, "epsilon")
            let y = column(d, "rms")
            let theory = column(d, "theory")
            coefFigure.series.append(
                Series(
                    "\(scheme), measured", style: .errorBars, x: x, y: y, lower: column(d, "lower95"),
                    upper: column(d, "upper95"), group: scheme))
            coefFigure.series.append(Series("\(scheme), exact", style: .dashed, x: x, y: theory, group: scheme))
            try fit(
                &fits, &verdicts, &headlines, quantity: "RMS coefficient error", problem: beds[0], scheme: scheme, x: x,
                y: y, se: column(d, "se"), theory: theory)
        }
        verdicts += catalog.map(NB.row)
        return Report(
            name: name, title: title, claims: claims,
            summary: [
                """
                On a non-quadratic f the Gaussian estimator is unbiased for the smoothed gradient ∇f_ε, not for \
                ∇f: its bias is exactly ‖∇f_ε − ∇f‖, which falls as ε² (the dashed exact curves, and the ε² \
                asymptote). The one-sided difference has the *same* mean as the central one for every ε \
                (ONE-SIDED-MEAN-EQUALS-CENTRAL), so its mean bias is also O(ε²) — the measured points of both \
                schemes lie on one curve. Its O(ε) defect is per direction: the RMS coefficient error (second \
                plot) has slope 1 one-sided versus 2 central, which costs variance, not bias.
                """,
                """
                Resolving a bias of order ε² needs a noise floor below it. The plain mean of ĝ has noise ≈ \
                ‖∇f‖√(d/n), so for small ε it measures only its floor. The control variate D = ĝ − ⟨∇f, z⟩z \
                (one-sided also − (ε/2)(zᵀHz)z, mean zero by symmetry) has exactly the same mean as ĝ − ∇f but \
                noise of order ε², so every point is resolved (column `cv_floor` against `bias`).
                """,
                "Each verdict states α = \(alpha). Hotelling tests are asymptotic (n ≫ d = 16).",
            ], headlines: headlines, verdicts: verdicts, datasets: [data, coef, fits], figures: [figure, coefFigure])
    }

    static func fit(
        _ fits: inout Dataset, _ verdicts: inout [VerdictRow], _ headlines: inout [Headline], quantity: String,
        problem: String, scheme: String,
        x: [Double], y: [Double], se: [Double], theory: [Double]
    ) throws {
        guard x.count >= 2, y.allSatisfy({ $0 > 0 }), se.allSatisfy({ $0 > 0 }) else { return }
        let (verdict, _, raw) = try Fits.scalingAgainstTheory(
            x: x, measured: y, standardErrors: se, theory: theory, alpha: alpha,
            name: "\(problem), \(scheme): \(quantity) = theory over ε")
        let theorySlope = try Fits.weightedLine(x: x.map(log), y: theory.map(log), variances: x.map { _ in 1 }).slope
        let (lo, hi) = raw.slopeInterval()
        fits.append([
            NB.text(quantity), NB.text(problem), NB.text(scheme), NB.num(raw.slope), NB.num(lo), NB.num(hi),
            NB.num(theorySlope),
            NB.num(verdict.statistic), NB.num(verdict.pValue),
        ])
        verdicts.append(NB.row("\(problem), \(scheme): \(quantity) = exact theory over ε", verdict))
        headlines.append(
            Headline(
                "\(quantity) exponent, \(problem), \(scheme)", raw.slope,
                detail: String(format: "95 %% [%.3f, %.3f]; exact theory over the grid %.3f", lo, hi, theorySlope)))
    }
}
