import Foundation
import ZOCheck
import ZOReports

/// The registered estimators' part of `BiasVsEpsilon`: for each estimator a researcher's executable
/// registers with a variable ε (`LabelledEstimator.atEpsilon`), the mean bias ‖E ĝ − ∇f‖ on the same
/// beds and ε grid, measured from the plain mean (no control variate: that needs Gaussian directions)
/// with its noise floor, and the Hotelling test of E ĝ = ∇f per ε. No theory is assumed for these
/// estimators: the rows are measurements, the fitted exponent uses only the points resolved above 2 SE.
enum BiasVsEpsilonRegistered {
    static let columns = [
        Column("estimator", "registered estimator (label)"), Column("problem", "test problem"),
        Column("epsilon", "ε"), Column("draws", "independent keyed draws"),
        Column("bias", "‖mean ĝ − ∇f‖ corrected for noise (√(‖D̄‖² − tr Σ̂/n)), D = ĝ − ∇f"),
        Column("se", "delta-method standard error of `bias`"), Column("lower95", "bias − z₀.₉₇₅ se"),
        Column("upper95", "bias + z₀.₉₇₅ se"), Column("floor", "noise floor √(tr Σ̂/n) of the plain mean"),
        Column("p_gradient", "Hotelling p of E ĝ = ∇f"),
    ]

    /// The rows of every registered estimator with an ε to vary; nil when there is none.
    static func run(_ ctx: NotebookContext, beds: [BiasBed], epsilons: [Double], draws: Int) throws -> Dataset? {
        let registered = ZOCheckExtensions.current.estimators.filter { $0.atEpsilon != nil }
        guard !registered.isEmpty else { return nil }
        var data = Dataset(
            name: "registered_bias",
            description: "Mean bias ‖E ĝ − ∇f‖ of each registered estimator per problem and ε (plain mean).",
            columns: columns)
        let total = registered.count * beds.count * epsilons.count * draws
        var done = 0
        for (ri, r) in registered.enumerated() {
            for (bi, bed) in beds.enumerated() {
                for (ei, epsilon) in epsilons.enumerated() {
                    guard let estimator = try r.atEpsilon?(epsilon) else { continue }
                    let key = ctx.key.fold(in: .registeredBiasDraws(ri)).fold(in: bi).fold(in: ei)
                    var deviations: [[Double]] = []
                    deviations.reserveCapacity(draws)
                    for k in 0..<draws {
                        let g = try bed.estimate(estimator, k, key.fold(in: k))
                        guard g.count == bed.gradient.count else {
                            throw ZOError(
                                "\(r.label) returned \(g.count) coordinates on a \(bed.gradient.count)-parameter problem",
                                at: BiasVsEpsilon.name, fix: "return one coordinate per parameter")
                        }
                        deviations.append(zip(g, bed.gradient).map { $0 - $1 })
                        done += 1
                        if k % 200 == 0 {
                            ctx.progress.update("\(r.label), \(bed.label), ε = \(epsilon)", done: done, total: total)
                        }
                    }
                    let s = MeanChecks.normOfMean(deviations)
                    let ci = ConfidenceInterval(estimate: s.norm, standardError: s.standardError)
                    let p = MeanChecks.hotelling(
                        deviations, target: [Double](repeating: 0, count: bed.gradient.count),
                        alpha: BiasVsEpsilon.alpha
                    ).pValue
                    data.append([
                        NB.text(r.label), NB.text(bed.label), NB.num(epsilon), NB.num(draws), NB.num(s.norm),
                        NB.num(s.standardError), NB.num(ci.lower), NB.num(ci.upper), NB.num(s.floor), NB.num(p),
                    ])
                }
            }
        }
        return data
    }

    /// The figure (one series per estimator and bed, MeZO's exact bias dashed for reference) and one
    /// headline per estimator and bed: the fitted exponent in ε over the resolved points (bias > 2 SE);
    /// a note where fewer than two points are resolved.
    static func figureAndHeadlines(_ data: Dataset, mezo: Dataset, draws: Int) throws -> (
        figure: Figure, headlines: [Headline], notes: [String]
    ) {
        var figure = Figure(
            name: "registered_bias_vs_epsilon", title: "Mean bias ‖E ĝ − ∇f‖ of the registered estimators versus ε",
            xLabel: "ε (perturbation radius)", yLabel: "‖E ĝ − ∇f‖  (mean ± 95 %)", logX: true, logY: true,
            caption:
                """
                Points: the registered estimators' debiased plain-mean bias with 95 % intervals (\(draws) draws \
                per point); dots: their noise floors (a point near its floor is not resolved). Dashed: MeZO's \
                exact ‖∇f_ε − ∇f‖ on the same problem, for reference.
                """)
        var headlines: [Headline] = []
        var notes: [String] = []
        let col = BiasVsEpsilon.column
        for bed in unique(mezo, "problem") {
            let m = mezo.filtered("problem", equals: bed).filtered("scheme", equals: "central")
            let short = bed.components(separatedBy: " ").first ?? bed
            figure.series.append(
                Series("MeZO exact, \(short)", style: .dashed, x: col(m, "epsilon"), y: col(m, "theory"), group: bed))
        }
        for label in unique(data, "estimator") {
            for bed in unique(data.filtered("estimator", equals: label), "problem") {
                let d = data.filtered("estimator", equals: label).filtered("problem", equals: bed)
                let short = bed.components(separatedBy: " ").first ?? bed
                let (x, y, se) = (col(d, "epsilon"), col(d, "bias"), col(d, "se"))
                figure.series.append(
                    Series(
                        "\(label), \(short)", style: .errorBars, x: x, y: y, lower: col(d, "lower95"),
                        upper: col(d, "upper95"), group: "\(label) \(bed)"))
                figure.series.append(
                    Series("\(label) floor, \(short)", style: .points, x: x, y: col(d, "floor"), group: "\(label) \(bed)"))
                let resolved = x.indices.filter { y[$0] > 2 * se[$0] && se[$0] > 0 }
                guard resolved.count >= 2 else {
                    notes.append(
                        "\(label) on \(bed): fewer than two ε resolve the bias above 2 SE, so no exponent is fitted.")
                    continue
                }
                let fit = try Fits.weightedLine(
                    x: resolved.map { log(x[$0]) }, y: resolved.map { log(y[$0]) },
                    variances: resolved.map { (se[$0] / y[$0]) * (se[$0] / y[$0]) })
                let (lo, hi) = fit.slopeInterval()
                headlines.append(
                    Headline(
                        "\(label) bias exponent in ε, \(bed)", fit.slope,
                        detail: String(format: "95 %% [%.3f, %.3f] over %d resolved ε", lo, hi, resolved.count)))
            }
        }
        return (figure, headlines, notes)
    }

    static func unique(_ d: Dataset, _ column: String) -> [String] {
        d.texts(column).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    }
}
