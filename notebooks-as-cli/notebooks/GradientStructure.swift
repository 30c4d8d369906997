import Foundation
import ZOCheck
import ZOReports

/// Stable ranks of the true gradient of every weight matrix of the pretrained all-MiniLM-L6-v2.
public enum GradientStructure: Notebook {
    public static let name = "gradient-structure"
    public static let title = "Stable rank of the true fine-tuning gradient of all-MiniLM-L6-v2"
    public static let abstract =
        """
        ‖G‖²_F/‖G‖²₂ of the backprop gradient of every weight matrix of the pretrained encoder (LOZO's low-rank \
        premise), with spectra.
        """
    public static let discussion = """
        Problem: the pretrained all-MiniLM-L6-v2 cut to its first K layers with a fresh 2-class head (BERT \
        initialisation), and one fixed minibatch of VADER movie-review train sentences (≤ 32 tokens) drawn from \
        the seed (ScaleProblem). One backward pass gives the exact gradient G of the mean cross-entropy; for \
        every weight matrix GradientRank computes the singular values (Gram matrix of the nonzero rows, GSL \
        eigensolver), the stable rank ‖G‖²_F/‖G‖²₂, its fraction of min(m, n), and the share of ‖G‖²_F in the \
        top 1, 2, 4, 8 directions. Reference lines: min(m, n) (full rank), the claim's threshold 0.1·min(m, n), \
        and the stable rank of an i.i.d. Gaussian matrix of the same shape (Bai–Yin: mn/(√m+√n)²). The spectra \
        figure compares σᵢ/σ₁ of a few gradients with that of a keyed i.i.d. Gaussian matrix of the same shape. \
        Verdict: SCALE-GRADIENT-LOW-STABLE-RANK, a deterministic measurement (α = 0): every attention and FFN \
        matrix has stable rank ≤ 0.1·min(m, n). Sizes: tiny 1 layer, 8 sentences; ci 2 layers, 16 sentences; \
        full all 6 layers, 16 sentences.
        """
    public static let claims = ["SCALE-GRADIENT-LOW-STABLE-RANK"]
    /// SCALE-GRADIENT-LOW-STABLE-RANK's threshold on stable rank / min(m, n).
    static let threshold = ScaleClaims.stableRankThreshold

    /// The problem of a size.
    public static func setup(_ ctx: NotebookContext) -> ScaleSetup {
        ScaleSetup(
            layers: ctx.size.pick(tiny: 1, ci: 2, full: 6), batch: ctx.size.pick(tiny: 8, ci: 16, full: 16),
            maxLength: 32, seed: ctx.seed)
    }

    /// Matrices whose full spectra are plotted: query, value, FFN in and FFN out of the first and last layer.
    static func spectrumNames(layers: Int) -> [String] {
        let last = max(layers - 1, 0)
        return [
            (0, "attention.self.query.weight"), (0, "attention.self.value.weight"), (0, "intermediate.dense.weight"),
            (last, "output.dense.weight"),
        ].map { "encoder.layer.\($0.0).\($0.1)" }
            + (layers == 0 ? ["embeddings.word_embeddings.weight"] : [])
    }

    public static func run(_ ctx: NotebookContext) throws -> Report {
        let s = setup(ctx)
        ctx.progress.update("load model and minibatch", done: 0, total: 3)
        let problem = try ScaleProblem.load(s, cache: ctx.cache)
        ctx.progress.update("backward pass", done: 1, total: 3)
        let loss = try problem.loss()
        let g = try problem.gradient()
        let matrixTensors = problem.layout.tensors.enumerated().filter { $0.element.kind == .matrix }
        var matrices: [MatrixGradientRank] = []
        for (i, (t, _)) in matrixTensors.enumerated() {
            ctx.progress.update("spectra", done: i, total: matrixTensors.count)
            matrices.append(try GradientRank.analyse(g, layout: problem.layout, tensor: t))
        }
        var spectra = Dataset(
            name: "spectra",
            description:
                """
                Every singular value of a few gradient matrices and of a keyed i.i.d. N(0, 1) matrix of the same \
                shape, descending.
                """,
            columns: [
                Column("matrix", "checkpoint tensor name, or 'iid <m>x<n>' for the Gaussian reference"),
                Column("index", "i, 1-based"),
                Column("sigma", unit: "loss per unit weight", "σᵢ (Gaussian reference: unscaled)"),
                Column("sigma_over_sigma1", "σᵢ/σ₁"),
            ])
        let wanted = spectrumNames(layers: s.layers)
        var shapes: [String] = []
        for (t, spec) in problem.layout.tensors.enumerated() where wanted.contains(spec.name) {
            let sv = try GradientRank.singularValues(g[spec.range], rows: spec.rows, cols: spec.cols)
            append(&spectra, spec.name, sv)
            let shape = "iid \(spec.rows)x\(spec.cols)"
            if !shapes.contains(shape) {
                shapes.append(shape)
                let z = RandomFill.gaussian(
                    Double.self, count: spec.rows * spec.cols,
                    key: ctx.key.fold(in: .randomMatrices).fold(in: UInt64(t)))
                append(&spectra, shape, try GradientRank.singularValues(z[...], rows: spec.rows, cols: spec.cols))
            }
        }
        ctx.progress.update("spectra", done: matrixTensors.count, total: matrixTensors.count)
        return try report(
            matrices, spectra: spectra, problem: problem, loss: loss,
            gradientNorm: g.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot())
    }

    static func append(_ d: inout Dataset, _ name: String, _ sv: [Double]) {
        let top = sv.first ?? 0
        for (i, v) in sv.enumerated() {
            d.append([NB.text(name), NB.num(i + 1), NB.num(v), NB.num(top > 0 ? v / top : .nan)])
        }
    }

    /// "query", …, or "embeddings" for the three embedding tables.
    static func kind(_ m: MatrixGradientRank) -> String { m.role.hasSuffix("embeddings") ? "embeddings" : m.role }

    static func report(
        _ matrices: [MatrixGradientRank], spectra: Dataset, problem: ScaleProblem, loss: Double, gradientNorm: Double
    ) throws -> Report {
        let s = problem.setup
        var table = Dataset(
            name: "stable_ranks",
            description: "One row per weight matrix of the gradient at the pretrained weights (GradientRank.analyse).",
            columns: [
                Column("matrix", "checkpoint tensor name"),
                Column("role", "query, key, value, attention-output, ffn-in, ffn-out, *-embeddings, classifier"),
                Column("layer", "encoder layer (−1: embeddings, K: classifier head)"), Column("rows", "m"),
                Column("cols", "n"),
                Column("min_mn", "min(m, n)"), Column("frobenius", unit: "loss per unit weight", "‖G‖_F"),
                Column("spectral", unit: "loss per unit weight", "‖G‖₂ = σ₁"), Column("stable_rank", "‖G‖²_F/‖G‖²₂"),
                Column("fraction", "stable rank / min(m, n)"), Column("nonzero_rows", "rows of G not identically zero"),
                Column("energy_top1", "share of ‖G‖²_F in σ₁"), Column("energy_top4", "share of ‖G‖²_F in σ₁…σ₄"),
                Column("energy_top8", "share of ‖G‖²_F in σ₁…σ₈"),
                Column("iid_stable_rank", "stable rank of an i.i.d. Gaussian m×n matrix, mn/(√m+√n)²"),
                Column("threshold", "0.1·min(m, n), the claim's bound (attention and FFN matrices)"),
            ])
        for m in matrices {
            let mn = Double(min(m.rows, m.cols))
            let layer = m.layer ?? (m.role == "classifier" ? s.layers : -1)
            table.append([
                NB.text(m.name), NB.text(m.role), NB.num(layer), NB.num(m.rows), NB.num(m.cols), NB.num(mn),
                NB.num(m.frobeniusNorm),
                NB.num(m.spectralNorm), NB.num(m.stableRank), NB.num(m.stableRankFraction), NB.num(m.nonzeroRows),
                NB.num(m.energyInTop[0]), NB.num(m.energyInTop[2]), NB.num(m.energyInTop[3]),
                NB.num(m.iidBaselineFraction * mn), NB.num(threshold * mn),
            ])
        }
        let summaries = GradientRank.summarise(matrices)
        var groups = Dataset(
            name: "summaries",
            description:
                """
                Median and maximum over the matrices of each role, then over all attention and FFN matrices \
                (GradientRank.summarise).
                """,
            columns: [
                Column("group", "role, or attention+ffn"), Column("matrices", "count"),
                Column("median_stable_rank", "median ‖G‖²_F/‖G‖²₂"),
                Column("median_fraction", "median stable rank / min(m, n)"),
                Column("max_fraction", "largest stable rank / min(m, n)"),
                Column("worst", "the matrix with the largest fraction"),
            ])
        for g in summaries {
            groups.append([
                NB.text(g.group), NB.num(g.count), NB.num(g.medianStableRank), NB.num(g.medianFraction),
                NB.num(g.maxFraction), NB.text(g.worst),
            ])
        }
        guard let af = summaries.first(where: { $0.group == GradientRank.attentionAndFFNGroup }) else {
            throw ZOError(
                "no attention or FFN matrix in a \(s.layers)-layer model", at: "notebook \(name)",
                fix: "measure at least one layer")
        }
        let attention = matrices.filter(\.isAttentionOrFFN)
        let ok = af.maxFraction <= threshold
        let verdict = Verdict(
            check: "max stable rank / min(m, n) ≤ \(threshold)", statistic: af.maxFraction, pValue: ok ? 1 : 0,
            n: af.count, alpha: 0,
            detectableEffect: 0, effectUnit: "exact", outcome: ok ? .pass : .fail,
            details:
                """
                max \(NB.f(af.maxFraction)) at \(af.worst), median \(NB.f(af.medianFraction)) (median stable rank \
                \(NB.f(af.medianStableRank))) over \(af.count) attention and FFN matrices; \(s.layers) layer(s), \
                \(s.batch) sentences, seed \(s.seed). A deterministic measurement (α = 0).
                """
        )
        let iidFraction = attention.map(\.iidBaselineFraction).min() ?? .nan
        let headlines = [
            Headline(
                "max stable rank / min(m, n), attention+FFN", af.maxFraction,
                detail: "at \(af.worst); threshold \(threshold); i.i.d. Gaussian ≥ \(NB.f(iidFraction, 3))"),
            Headline(
                "median stable rank, attention+FFN", af.medianStableRank,
                detail: "of min(m, n) = 384 (\(af.count) matrices)"),
            Headline(
                "median top-1 energy share, attention+FFN", median(attention.map { $0.energyInTop[0] }),
                detail: "share of ‖G‖²_F in σ₁"),
            Headline("loss on the minibatch", loss, unit: "nats", detail: "‖∇f‖ = \(NB.f(gradientNorm))"),
        ]
        return Report(
            name: name, title: title, claims: claims,
            summary: [
                """
                At the pretrained all-MiniLM-L6-v2 (\(s.layers) layer(s), d = \(problem.layout.count) parameters) \
                on \(s.batch) VADER train sentences, the backprop gradient of every attention and FFN matrix has \
                a stable rank of \
                \(NB.f(attention.map(\.stableRank).min() ?? .nan, 3))–\(NB.f(attention.map(\.stableRank).max() ?? .nan, 3)) \
                out of min(m, n) = 384, i.e. at most \(NB.f(100 * af.maxFraction, 3)) % of full rank, against ≥ \
                \(NB.f(100 * iidFraction, 3)) % for an i.i.d. matrix of the same shape: LOZO's premise that \
                fine-tuning gradients are low rank holds here, and by a wide margin (σ₁ alone carries a median \
                \(NB.f(100 * median(attention.map { $0.energyInTop[0] }), 3)) % of ‖G‖²_F).
                """,
                """
                The verdict is a deterministic measurement on the seed's minibatch (α = 0): \
                SCALE-GRADIENT-LOW-STABLE-RANK holds when every attention and FFN matrix has stable rank ≤ \
                \(threshold)·min(m, n). Embedding tables and the 2×384 head are shown but not part of the claim \
                (the head's gradient is rank ≤ 2 by shape; the token-type table has one used row).
                """,
            ], headlines: headlines, verdicts: [NB.row("SCALE-GRADIENT-LOW-STABLE-RANK", verdict)],
            datasets: [table, groups, spectra],
            figures: [
                byLayer(table, layers: s.layers), ecdf(matrices),
                spectraFigure(spectra, tokens: problem.tokenCounts.reduce(0, +)),
            ])
    }

    static func median(_ x: [Double]) -> Double {
        let s = x.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    static let kinds = ["query", "key", "value", "attention-output", "ffn-in", "ffn-out", "embeddings and head"]

    /// Stable rank per matrix against its layer, one series per kind (small x offsets keep them apart).
    static func byLayer(_ table: Dataset, layers: Int) -> Figure {
        var f = Figure(
            name: "stable_rank_by_layer", title: "Stable rank of the gradient per weight matrix (\(layers) layer(s))",
            xLabel: "layer (−1 = embeddings, \(layers) = classifier head)",
            yLabel: "stable rank ‖G‖²_F / ‖G‖²₂ (dimensionless)", logY: true,
            caption:
                """
                Each attention/FFN matrix's stable rank by kind, joined across layers (small x offsets keep the \
                kinds apart); separate points: the embedding tables (at −1) and the 2×384 classifier head. \
                Reference lines: min(m, n) = 384 (full rank), the stable rank of an i.i.d. Gaussian 384×384 and \
                1536×384 matrix, and the claim's threshold 0.1·min(m, n) = 38.4.
                """
        )
        let roles = table.rows.compactMap { $0[1].text }
        let layer = table.numbers("layer")
        let sr = table.numbers("stable_rank")
        for (k, kind) in kinds.enumerated() {
            let perLayer = k < 6
            let idx = roles.indices.filter {
                perLayer ? roles[$0] == kind : !GradientRank.attentionAndFFNRoles.contains(roles[$0])
            }
            guard !idx.isEmpty else { continue }
            let offset = (Double(k) - 3) * 0.06
            f.series.append(
                Series(
                    kind, style: perLayer ? .linesPoints : .points, x: idx.map { (layer[$0] ?? .nan) + offset },
                    y: idx.map { sr[$0] ?? .nan }))
        }
        let xs = [-1.4, Double(layers) + 0.4]
        let big = GradientRank.iidBaselineFraction(rows: 1536, cols: 384) * 384
        let square = GradientRank.iidBaselineFraction(rows: 384, cols: 384) * 384
        // Both i.i.d. references share a colour and one legend entry (an empty label has none).
        f.series.append(
            Series(
                "i.i.d. Gaussian (upper 1536×384, lower 384×384)", style: .dashed, x: xs, y: [big, big], group: "iid"))
        f.series.append(Series("", style: .dashed, x: xs, y: [square, square], group: "iid"))
        f.series.append(Series("min(m, n) = 384 (full rank)", style: .lines, x: xs, y: [384, 384], group: "reference"))
        f.series.append(
            Series("threshold 0.1·min(m, n) = 38.4", style: .dashed, x: xs, y: [38.4, 38.4], group: "reference"))
        return f
    }

    /// Empirical CDF of stable rank / min(m, n) over the attention and FFN matrices.
    static func ecdf(_ matrices: [MatrixGradientRank]) -> Figure {
        let x = matrices.filter(\.isAttentionOrFFN).map(\.stableRankFraction).sorted()
        let n = Double(x.count)
        let y = x.indices.map { Double($0 + 1) / n }
        let iid = GradientRank.iidBaselineFraction(rows: 384, cols: 384)
        return Figure(
            name: "stable_rank_ecdf",
            title: "Distribution of stable rank / min(m, n) over the attention and FFN matrices",
            xLabel: "stable rank / min(m, n) (dimensionless)", yLabel: "fraction of matrices (ECDF)", logX: true,
            caption:
                """
                Empirical CDF over the \(x.count) attention and FFN matrices (sorted values, steps at each \
                matrix). Vertical lines: the claim's threshold 0.1 and the i.i.d. Gaussian fraction \
                \(NB.f(iid, 3)) of a 384×384 matrix.
                """,
            series: [
                Series("attention + FFN matrices", style: .linesPoints, x: x, y: y),
                Series("threshold 0.1", style: .dashed, x: [threshold, threshold], y: [0, 1]),
                Series("i.i.d. 384×384", style: .dashed, x: [iid, iid], y: [0, 1]),
            ])
    }

    static func spectraFigure(_ spectra: Dataset, tokens: Int) -> Figure {
        var f = Figure(
            name: "singular_value_spectra",
            title: "Singular-value spectra σᵢ/σ₁ of gradient matrices and of i.i.d. Gaussian matrices",
            xLabel: "index i (1-based)", yLabel: "σᵢ / σ₁ (dimensionless)", logX: true, logY: true,
            caption:
                """
                Solid: gradients of the pretrained model on the minibatch; dashed: a keyed i.i.d. N(0, 1) matrix \
                of the same shape. The gradients' spectra fall by orders of magnitude within a few indices; the \
                Gaussian ones stay within a small factor of σ₁ over most indices. A linear layer's gradient is a \
                sum of one outer product per token position, so its rank is bounded by the tokens of the \
                minibatch (\(tokens) real tokens): the cliffs to rounding level (~1e-8) near that index.
                """
        )
        var names: [String] = []
        for r in spectra.rows { if let t = r[0].text, !names.contains(t) { names.append(t) } }
        // Gradients first, then the i.i.d. references (one colour for all of them).
        for name in names.filter({ !$0.hasPrefix("iid") }) + names.filter({ $0.hasPrefix("iid") }) {
            let d = spectra.filtered("matrix", equals: name)
            let short = name.replacingOccurrences(of: "encoder.layer.", with: "L").replacingOccurrences(
                of: ".weight", with: ""
            )
            .replacingOccurrences(of: "attention.self.", with: "").replacingOccurrences(of: ".dense", with: "")
            // Zero singular values (rank-deficient gradients) cannot be drawn on a log axis.
            let keep = d.rows.indices.filter { (d.numbers("sigma_over_sigma1")[$0] ?? 0) > 0 }
            f.series.append(
                Series(
                    short.replacingOccurrences(of: "iid ", with: "i.i.d. "),
                    style: name.hasPrefix("iid") ? .dashed : .lines,
                    x: keep.map { d.numbers("index")[$0] ?? .nan },
                    y: keep.map { d.numbers("sigma_over_sigma1")[$0] ?? .nan },
                    group: name.hasPrefix("iid") ? "iid" : nil))
        }
        return f
    }
}
