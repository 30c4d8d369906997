import Foundation
import ZOCheck
import ZOReports

/// Cosine and E‖ĝ‖²/‖∇f‖² of the ZO estimators at the pretrained weights, against backprop and the theory.
public enum EstimatorQualityNotebook: Notebook {
    public static let name = "estimator-quality"
    public static let title = "ZO estimator quality at scale: all-MiniLM-L6-v2 against backprop and the theory"
    public static let abstract =
        """
        Cosine and E‖ĝ‖²/‖∇f‖² of MeZO, LOZO, SubZero and Sparse MeZO at fixed pretrained weights, with 95 % \
        intervals, next to the synthetic theory.
        """
    public static let discussion = """
        Problem: the pretrained all-MiniLM-L6-v2 cut to its first K layers with a fresh 2-class head, on one \
        fixed minibatch of VADER train sentences (ScaleProblem). At these fixed weights each estimator (MeZO; \
        LOZO r = 2 with fresh factors every draw; SubZero r = 8, reference scaling; Sparse MeZO s = 0.8) is drawn \
        n times (fused f(θ ± εZ), ε = 1e-3, Float; EstimatorQuality) and compared with the backprop gradient g \
        of the same minibatch. Reported with 95 % normal intervals: E‖ĝ‖²/‖g‖² by plain Monte Carlo and with the \
        linearised estimate ĝ₀ = ⟨g, Z⟩·S·Z as a control variate, E cos(ĝ, g) likewise, and the theory for this \
        model's d, shapes (m, n) and r: MULTI-TENSOR-MOMENTS (Proofs/scale.md#scale-theory), E cos = \
        Γ(d/2)/(√π Γ((d+1)/2)) ≈ √(2/(πd)) for MeZO, c_d̂·‖m⊙g‖/‖g‖ for Sparse MeZO, a Monte Carlo of the \
        linearised cosine (no forward passes) and a Gaussian approximation for LOZO and SubZero. Verdicts: \
        SCALE-MEZO-MOMENTS, SCALE-LOZO-SECOND-MOMENT, SCALE-SUBZERO-SECOND-MOMENT, SCALE-SPARSE-MOMENTS, each \
        the catalog's test at this notebook's size, in two parts Holm-combined at α = 1e-5: forward, the \
        control-variate differences (‖ĝ‖² − ‖ĝ₀‖²)/theory (and (cos − cos₀)/theory where the cosine theory is \
        exact) within ±10 % (two one-sided t-tests); law, E‖ĝ₀‖²/theory = 1 (and E cos₀/theory = 1) over the \
        linearised samples of the library's own distribution (two-sided t-tests), which a wrong scale or \
        formula moves. Sizes: tiny 1 layer, 8 sentences, 6 draws each (8 law samples); ci 2 layers, 16 \
        sentences, 30 draws (60 law samples); full 6 layers, 16 sentences, 200 draws (1000 law samples).
        """
    public static let claims = [
        "SCALE-MEZO-MOMENTS", "SCALE-LOZO-SECOND-MOMENT", "SCALE-SUBZERO-SECOND-MOMENT", "SCALE-SPARSE-MOMENTS",
    ]
    static let alpha = 1e-5
    static let tolerance = ScaleClaims.tolerance
    static let epsilon = ScaleClaims.epsilon

    static func claim(_ spec: ScaleEstimatorSpec) -> (id: String, cosine: Bool) {
        switch spec.kind {
        case .mezo: ("SCALE-MEZO-MOMENTS", true)
        case .lozo: ("SCALE-LOZO-SECOND-MOMENT", false)
        case .subzero: ("SCALE-SUBZERO-SECOND-MOMENT", false)
        case .sparseMeZO: ("SCALE-SPARSE-MOMENTS", true)
        }
    }

    public static func setup(_ ctx: NotebookContext) -> ScaleSetup {
        ScaleSetup(
            layers: ctx.size.pick(tiny: 1, ci: 2, full: 6), batch: ctx.size.pick(tiny: 8, ci: 16, full: 16),
            maxLength: 32, seed: ctx.seed)
    }

    public static func run(_ ctx: NotebookContext) throws -> Report {
        let s = setup(ctx)
        let draws = ctx.size.pick(tiny: 6, ci: 30, full: 200)
        let linearised = ctx.size.pick(tiny: 8, ci: 60, full: 1000)
        ctx.progress.update("load model and minibatch", done: 0, total: 1)
        let problem = try ScaleProblem.load(s, cache: ctx.cache)
        let g = try problem.gradient()
        let specs = ScaleEstimatorSpec.defaults
        let key = ctx.key.fold(in: .estimatorQualityDraws)
        let report = try EstimatorQuality.measure(
            problem, estimators: specs, draws: draws, epsilon: epsilon, key: key, gradient: g
        ) { name, k in
            let e = specs.firstIndex { $0.name == name } ?? 0
            ctx.progress.update("draws of \(name)", done: e * draws + k, total: specs.count * draws)
        }
        // The estimators' laws alone (no forward passes): the law part of the moment verdicts, and the
        // linearised cosine where no closed form exists (LOZO, SubZero).
        var law: [String: [DrawRecord]] = [:]
        var mc: [String: ConfidenceInterval] = [:]
        let gn = g.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        for spec in specs {
            law[spec.name] = try EstimatorQuality.lawRecords(
                at: problem.parameters, spec: spec, gradient: g, samples: linearised, key: key
            ) { _, k in
                ctx.progress.update("law of \(spec.name)", done: k, total: linearised)
            }
            if !report.rows.contains(where: { $0.spec == spec && $0.theory.cosineExact }) {
                mc[spec.name] = ConfidenceInterval.mean(
                    (law[spec.name] ?? []).map { $0.linearisedCosine(gradientNorm: gn) })
            }
        }
        return try make(report, linearisedCosines: mc, law: law, linearisedSamples: linearised)
    }

    static func ci(_ i: ConfidenceInterval?) -> [Cell] {
        guard let i else { return [NB.num(.nan), NB.num(.nan), NB.num(.nan)] }
        return [NB.num(i.estimate), NB.num(i.lower), NB.num(i.upper)]
    }

    static func triple(_ name: String, _ what: String, unit: String = "") -> [Column] {
        [
            Column(name, unit: unit, what), Column(name + "_lower95", unit: unit, "95 % interval, lower"),
            Column(name + "_upper95", unit: unit, "95 % interval, upper"),
        ]
    }

    static func make(
        _ r: EstimatorQualityReport, linearisedCosines mc: [String: ConfidenceInterval],
        law: [String: [DrawRecord]], linearisedSamples: Int
    ) throws -> Report {
        let s = r.problem.setup
        let d = r.problem.parameterCount
        var moments = Dataset(
            name: "moments",
            description:
                """
                Per estimator: theory and measurement (mean over `draws` draws, 95 % normal intervals) at the \
                pretrained weights; EstimatorQualityRow.
                """,
            columns: [
                Column("estimator", "estimator and parameter"), Column("number", "x position in the figures"),
                Column("d", unit: "parameters", "parameters of the model and head"),
                Column("perturbed_dimension", unit: "parameters", "d, or d̂ (Sparse MeZO)"), Column("draws", "n"),
                Column("epsilon", "ε"), Column("theory_second_moment", "E‖ĝ‖²/‖g‖² by MULTI-TENSOR-MOMENTS"),
            ]
                + triple("second_moment_plain", "mean ‖ĝ‖²/‖g‖²")
                + triple("second_moment_cv", "theory + mean(‖ĝ‖² − ‖ĝ₀‖²)/‖g‖² (control variate)")
                + triple("ratio_to_theory", "second_moment_cv / theory")
                + [
                    Column("theory_cosine", "predicted E cos(ĝ, g)"),
                    Column("cosine_theory_exact", "1: exact for the linearisation; 0: Gaussian approximation"),
                ]
                + triple("cosine_plain", "mean cos(ĝ, g)")
                + triple("cosine_cv", "theory + mean(cos − cos₀) (exact theories only)")
                + triple("cosine_linearised_mc", "Monte Carlo of E cos(ĝ₀, g) over fresh Z (LOZO, SubZero)")
                + [
                    Column("coefficient_rel_error", "√(Σ(c − c₀)²/Σc₀²): two-point coefficient vs ⟨g, Z⟩"),
                    Column("sign_agreement", "fraction of draws with sign(c) = sign(c₀)"),
                    Column("relative_bias", "‖E ĝ − g‖/‖g‖ (Sparse MeZO: masked gradient)"),
                    Column("seconds_per_draw", unit: "s", "wall time per estimate"),
                ])
        var records = Dataset(
            name: "draws",
            description: "Every draw's four numbers (DrawRecord): ‖ĝ‖² = c²w, ⟨ĝ, g⟩ = c·p, ĝ₀ uses c₀ = ⟨g, Z⟩.",
            columns: [
                Column("estimator", "estimator"), Column("draw", "k"), Column("c", "(f(θ+εZ) − f(θ−εZ))/2ε"),
                Column("c0", "⟨g, Z⟩"), Column("p", "Σ S_t⟨G_t, Z_t⟩"), Column("w", "Σ S_t²‖Z_t‖²"),
                Column("second_moment_ratio", "‖ĝ‖²/‖g‖²"), Column("cosine", "cos(ĝ, g)"),
            ])
        var verdicts: [VerdictRow] = []
        var headlines: [Headline] = []
        let gn = r.gradientNorm
        for (i, row) in r.rows.enumerated() {
            let t = row.theory
            moments.append(
                [
                    NB.text(row.estimator), NB.num(i + 1), NB.num(d), NB.num(t.dimension), NB.num(row.draws),
                    NB.num(row.epsilon),
                    NB.num(t.secondMomentRatio),
                ] + ci(row.secondMomentRatio) + ci(row.secondMomentRatioControlled)
                    + ci(row.secondMomentRelativeToTheory) + [NB.num(t.cosine), NB.num(t.cosineExact ? 1 : 0)]
                    + ci(row.cosine) + ci(row.cosineControlled) + ci(mc[row.estimator])
                    + [
                        NB.num(row.coefficientRelativeError), NB.num(row.signAgreement), NB.num(t.relativeBias),
                        NB.num(row.secondsPerDraw),
                    ])
            for (k, rec) in row.records.enumerated() {
                records.append([
                    NB.text(row.estimator), NB.num(k), NB.num(rec.c), NB.num(rec.c0), NB.num(rec.p), NB.num(rec.w),
                    NB.num(rec.squaredNorm / (gn * gn)), NB.num(rec.cosine(gradientNorm: gn)),
                ])
            }
            let (id, withCosine) = claim(row.spec)
            let v = verdict(
                row, law: law[row.estimator] ?? [], gradientNorm: gn, cosine: withCosine, layers: s.layers,
                seed: s.seed)
            verdicts.append(NB.row(id, v))
            let q = row.secondMomentRelativeToTheory
            headlines.append(
                Headline(
                    "\(row.estimator): E‖ĝ‖² / theory", q.estimate,
                    detail: String(
                        format: "95 %% [%.4f, %.4f]; theory E‖ĝ‖²/‖g‖² = %.4g", q.lower, q.upper, t.secondMomentRatio)))
            let cos = row.cosineControlled ?? row.cosine
            headlines.append(
                Headline(
                    "\(row.estimator): E cos(ĝ, g)", cos.estimate,
                    detail: String(
                        format: "95 %% [%.3g, %.3g] (%@); theory %.4g (%@)", cos.lower, cos.upper,
                        row.cosineControlled == nil ? "plain" : "control variate", t.cosine,
                        t.cosineExact ? "exact" : "Gaussian approx.")))
        }
        let names = r.rows.map(\.estimator)
        let axis =
            "estimator (" + names.enumerated().map { "\($0.offset + 1) \($0.element)" }.joined(separator: ", ") + ")"
        return Report(
            name: name, title: title, claims: claims,
            summary: [
                """
                At the pretrained all-MiniLM-L6-v2 (\(s.layers) layer(s), d = \(d) parameters) on \(s.batch) \
                VADER sentences, every estimator's second moment agrees with the synthetic theory for this \
                model's shapes: E‖ĝ‖²/‖g‖² ≈ d for MeZO, LOZO and SubZero (the rank structure changes the \
                constant only through lower-order terms) and ≈ d̂ times the masked share for Sparse MeZO. The \
                cosine with the true gradient is ≈ √(2/(πd)) ≈ \
                \(NB.f((2 / (Double.pi * Double(d))).squareRoot(), 3)): one ZO estimate is almost orthogonal to \
                the gradient at this scale, as the theory says.
                """,
                """
                Plain Monte Carlo of ‖ĝ‖² is very noisy at few draws (the distribution of ⟨g, Z⟩² is χ²₁-like); \
                the control-variate estimate subtracts the linearised estimate ĝ₀ with the same Z, whose mean is \
                known exactly, and measures only what finite ε and Float rounding change: that is what the \
                verdicts test (±\(Int(tolerance * 100)) % band, α = \(alpha), Holm across the second moment and \
                the cosine). Intervals are 95 % normal intervals over \(r.rows.first?.draws ?? 0) draws; LOZO's \
                and SubZero's cosine has no closed form: its prediction is a \(linearisedSamples)-sample Monte \
                Carlo of the linearised estimate (and the Gaussian approximation).
                """,
            ], headlines: headlines, verdicts: verdicts, datasets: [moments, records],
            figures: [
                secondMomentFigure(moments, axis: axis), cosineFigure(moments, axis: axis),
                ratioFigure(moments, axis: axis),
            ])
    }

    /// SCALE-*-MOMENTS at this size: the catalog's test (ScaleClaims.momentsCheck) on this row's records.
    static func verdict(
        _ row: EstimatorQualityRow, law: [DrawRecord], gradientNorm gn: Double, cosine withCosine: Bool, layers: Int,
        seed: UInt64
    ) -> Verdict {
        var v = ScaleClaims.momentsVerdict(row, law: law, gradientNorm: gn, cosine: withCosine, alpha: alpha)
        let q = row.secondMomentRelativeToTheory
        v.details =
            String(format: "E‖ĝ‖²/theory = %.5f [%.5f, %.5f] (95 %%)", q.estimate, q.lower, q.upper)
            + (row.cosineControlled.map {
                String(
                    format: "; E cos = %.4g [%.4g, %.4g] vs theory %.4g", $0.estimate, $0.lower, $0.upper,
                    row.theory.cosine)
            } ?? "")
            + "; \(row.estimator), n = \(row.draws), ε = \(row.epsilon), \(layers) layer(s), seed \(seed). " + v.details
        return v
    }

    /// Error bars at x = number + shift, one series per estimator (error bars are drawn joined: the
    /// estimators are categories, not a curve), one legend entry; lower limits at or below zero are
    /// clipped to estimate/20 (log axes).
    static func bars(_ label: String, _ m: Dataset, _ column: String, shift: Double, group: String, log: Bool = true)
        -> [Series]
    {
        let x = m.numbers("number").map { ($0 ?? .nan) + shift }
        let y = m.numbers(column).map { $0 ?? .nan }
        let lo = m.numbers(column + "_lower95").map { $0 ?? .nan }
        let hi = m.numbers(column + "_upper95").map { $0 ?? .nan }
        let keep = y.indices.filter { y[$0].isFinite && (!log || y[$0] > 0) }
        return keep.enumerated().map { n, i in
            Series(
                n == 0 ? label : "", style: .errorBars, x: [x[i]], y: [y[i]],
                lower: [log ? max(lo[i], y[i] / 20) : lo[i]], upper: [hi[i]], group: group)
        }
    }

    /// A theory value as a short horizontal segment over each estimator's x position (one series per
    /// segment, same colour; only the first has a legend entry: JSON has no NaN for gaps).
    static func segments(_ label: String, _ m: Dataset, _ column: String, group: String) -> [Series] {
        var out: [Series] = []
        for (n, v) in zip(m.numbers("number"), m.numbers(column)) {
            guard let n, let v, v.isFinite else { continue }
            out.append(
                Series(out.isEmpty ? label : "", style: .dashed, x: [n - 0.3, n + 0.3], y: [v, v], group: group))
        }
        return out
    }

    static func secondMomentFigure(_ m: Dataset, axis: String) -> Figure {
        var f = Figure(
            name: "second_moment_vs_theory", title: "E‖ĝ‖² / ‖∇f‖²: measured (95 %) and theory", xLabel: axis,
            yLabel: "E‖ĝ‖² / ‖∇f‖² (dimensionless)", logY: true,
            caption:
                """
                Per estimator: plain Monte Carlo mean (left, 95 % interval; lower limits ≤ 0 clipped to mean/20 \
                on the log axis), control-variate estimate (right, 95 %) and the theory for this model's d, \
                shapes and rank (dashed).
                """
        )
        f.series += [
            bars("plain Monte Carlo", m, "second_moment_plain", shift: -0.12, group: "plain"),
            bars("control variate", m, "second_moment_cv", shift: 0.12, group: "cv"),
        ].flatMap { $0 }
        f.series += (segments("theory (MULTI-TENSOR-MOMENTS)", m, "theory_second_moment", group: "theory"))
        return f
    }

    static func cosineFigure(_ m: Dataset, axis: String) -> Figure {
        var f = Figure(
            name: "cosine_vs_theory", title: "E cos(ĝ, ∇f): measured (95 %) and theory", xLabel: axis,
            yLabel: "E cos(ĝ, ∇f) (dimensionless)", logY: true,
            caption:
                """
                Plain mean (95 %; lower limits ≤ 0 clipped to mean/20), control variate where the theory is exact \
                (MeZO, Sparse MeZO), Monte Carlo of the linearised estimate for LOZO and SubZero, and the \
                prediction (dashed; MeZO Γ(d/2)/(√π Γ((d+1)/2)) ≈ √(2/(πd)), Sparse MeZO c_d̂‖m⊙g‖/‖g‖, LOZO and \
                SubZero the Gaussian approximation).
                """
        )
        f.series += [
            bars("plain", m, "cosine_plain", shift: -0.15, group: "plain"),
            bars("control variate", m, "cosine_cv", shift: 0, group: "cv"),
            bars("linearised ĝ₀ (Monte Carlo)", m, "cosine_linearised_mc", shift: 0.15, group: "lin"),
        ].flatMap { $0 }
        f.series += (segments("theory", m, "theory_cosine", group: "theory"))
        return f
    }

    static func ratioFigure(_ m: Dataset, axis: String) -> Figure {
        var f = Figure(
            name: "second_moment_ratio", title: "E‖ĝ‖² / theory with the claims' ±\(Int(tolerance * 100)) % band",
            xLabel: axis,
            yLabel: "E‖ĝ‖² / theory (dimensionless)",
            caption:
                """
                Control-variate estimate of E‖ĝ‖²/theory with 95 % intervals; dashed lines: 1 ± \(tolerance), the \
                band the SCALE-*-MOMENTS claims test (α = \(alpha)).
                """
        )
        f.series += bars("E‖ĝ‖²/theory", m, "ratio_to_theory", shift: 0, group: "cv", log: false)
        let n = Double(m.rows.count)
        for (label, y) in [("1 + \(tolerance)", 1 + tolerance), ("1", 1.0), ("1 − \(tolerance)", 1 - tolerance)] {
            f.series.append(
                Series(label, style: .dashed, x: [0.5, n + 0.5], y: [y, y], group: label == "1" ? "theory" : "band"))
        }
        return f
    }
}
