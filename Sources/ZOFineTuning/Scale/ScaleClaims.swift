import Foundation
import ZOClaims
import ZOCore
import ZOModel
import ZOStats

/// Claims at scale (escalation item 7): measurements on the pretrained all-MiniLM-L6-v2 and real
/// labelled sentences (VADER movie-review snippets) instead of synthetic problems. Each check loads the
/// pinned assets; without them it is `inconclusive` and says "run `make assets`". CI size: the first
/// encoder layer (d = 13.7M parameters: the embeddings are always there), 16 sentences of at most 32
/// tokens; `zocheck scale …` runs the 6-layer versions. Proofs: Proofs/scale.md.
public enum ScaleClaims {
    static func source(_ location: String) -> ClaimSource { ClaimSource(paper: .scale, location: location) }
    static let alpha = 1e-5
    /// The relative band of the moment claims: |E X / theory − 1| ≤ 10 %.
    public static let tolerance = 0.1
    /// ε of the estimator claims (the papers' default).
    public static let epsilon = ZODefaults.epsilon
    /// The stable-rank threshold: stable rank ≤ 0.1·min(m, n).
    public static let stableRankThreshold = 0.1

    public static let all: [Claim] = [lowStableRank, mezoMoments, lozoSecondMoment, subzeroSecondMoment, sparseMoments]
    public static var ids: Set<String> { Set(all.map(\.id)) }

    /// Whether the assets the scale claims need are in the default cache (size check only): the gate of
    /// their tests.
    public static var assetsAvailable: Bool { AssetCache.standard.hasRequiredAssets }

    // MARK: claims

    static let lowStableRank = Claim(
        id: "SCALE-GRADIENT-LOW-STABLE-RANK",
        source: source(
            "LOZO (Chen et al., ICLR 2025) §3, 'gradients of LLMs are low rank' — the premise of the low-rank estimator"
        ),
        statement:
            """
            At the pretrained all-MiniLM-L6-v2 (CI: its first layer) with a fresh 2-class head, the backprop \
            gradient of the mean cross-entropy on a fixed minibatch of 16 VADER train sentences (≤ 32 tokens, \
            drawn by the seed) has, for every attention and FFN weight matrix (query, key, value, attention \
            output, FFN in, FFN out of each layer run), stable rank ‖G‖²_F/‖G‖²₂ ≤ 0.1·min(m, n) (≤ 38.4 for \
            these shapes; an i.i.d. matrix of the same shape has ≈ 0.25–0.44·min(m, n)). A deterministic \
            measurement on the seed's minibatch.
            """,
        proof: "Proofs/scale.md#scale-gradient-low-stable-rank", alpha: 0
    ) { context in
        guard assetsAvailable else { return missingAssetsVerdict("SCALE-GRADIENT-LOW-STABLE-RANK", alpha: 0) }
        let problem = try cachedProblem(seed: context.seed).problem
        let report = try GradientRank.measure(problem)
        guard let s = report.attentionAndFFN else {
            throw ZOError(
                "no attention or FFN matrix in a \(problem.setup.layers)-layer model",
                at: "SCALE-GRADIENT-LOW-STABLE-RANK",
                fix: "measure at least one layer")
        }
        let ok = s.maxFraction <= stableRankThreshold
        let perMatrix = report.matrices.filter(\.isAttentionOrFFN)
            .map { "\($0.role)[\($0.layer ?? -1)] \(TextFormat.fixed($0.stableRank, 2))" }.joined(separator: ", ")
        return ExactChecks.verdict(
            "max stable rank / min(m, n) ≤ \(stableRankThreshold)", ok: ok, statistic: s.maxFraction, n: s.count,
            tolerance: stableRankThreshold, unit: "stable rank / min(m, n)",
            details:
                """
                max \(TextFormat.fixed(s.maxFraction, 4)) at \(s.worst), median \
                \(TextFormat.fixed(s.medianFraction, 4)) (median stable rank \
                \(TextFormat.fixed(s.medianStableRank, 2))); stable ranks: \(perMatrix); \(problem.setup.layers) \
                layer(s), seed \(context.seed)
                """
        )
    }

    static let mezoMoments = Claim(
        id: "SCALE-MEZO-MOMENTS",
        source: source(
            """
            MeZO (Malladi et al., NeurIPS 2023) §4 / Lemma 2: E‖ĝ‖² = (d+2)‖g‖² and the cosine ≈ √(2/(πd)) of the \
            Gaussian estimator
            """
        ),
        statement:
            """
            At the pretrained all-MiniLM-L6-v2 (CI: first layer, d = 13.7M) on a fixed minibatch of 16 VADER \
            sentences, MeZO's two-point estimate ĝ = c·z (fused f(θ ± εz), ε = 1e-3, Float) satisfies E‖ĝ‖² = (1 \
            ± 0.1)·(d+2)‖g‖² and E cos(ĝ, g) = (1 ± 0.1)·Γ(d/2)/(√π Γ((d+1)/2)) ≈ √(2/(πd)), g the backprop \
            gradient on the same minibatch.
            """,
        proof: "Proofs/scale.md#scale-estimator-moments", alpha: alpha
    ) { context in
        try momentsCheck(.mezo, draws: 20, lawDraws: 200, cosine: true, id: "SCALE-MEZO-MOMENTS", context: context)
    }

    static let lozoSecondMoment = Claim(
        id: "SCALE-LOZO-SECOND-MOMENT",
        source: source(
            """
            LOZO (Chen et al., ICLR 2025) §3 estimator at r = 2; second moment derived here (LOZO-SECOND-MOMENT \
            with MULTI-TENSOR-MOMENTS)
            """
        ),
        statement:
            """
            At the same point, LOZO at r = 2 (fresh U, V every draw: the per-step marginal; vectors perturbed \
            densely) satisfies E‖ĝ‖² = (1 ± 0.1)·(Σe_t·Σq_t + Σ(A_t − e_t q_t)) with e_t = mn/r, q_t = r‖G_t‖², \
            A_t = (mn + 2 + 2(m+n+1)/r)‖G_t‖² for each matrix and e_t = d_t, q_t = ‖G_t‖², A_t = (d_t+2)‖G_t‖² \
            for each vector (ε = 1e-3, Float).
            """,
        proof: "Proofs/scale.md#scale-estimator-moments", alpha: alpha
    ) { context in
        try momentsCheck(
            .lozo, draws: 30, lawDraws: 1000, cosine: false, id: "SCALE-LOZO-SECOND-MOMENT", context: context)
    }

    static let subzeroSecondMoment = Claim(
        id: "SCALE-SUBZERO-SECOND-MOMENT",
        source: source(
            """
            SubZero (Yu et al., arXiv 2410.08989) at r = 8, reference scaling; second moment \
            SUBZERO-SECOND-MOMENT with MULTI-TENSOR-MOMENTS
            """
        ),
        statement:
            """
            At the same point, SubZero at r = 8 (rank capped at min(r, m, n) for the 2×384 matrices, fresh Haar \
            subspaces every draw, reference scaling) satisfies E‖ĝ‖² = (1 ± 0.1)·(d‖g‖² + 2‖g_vectors‖² + \
            Σ_matrices (2mn/r_t²)·‖G_t‖²) (ε = 1e-3, Float).
            """,
        proof: "Proofs/scale.md#scale-estimator-moments", alpha: alpha
    ) { context in
        try momentsCheck(
            .subzero, draws: 30, lawDraws: 400, cosine: false, id: "SCALE-SUBZERO-SECOND-MOMENT", context: context)
    }

    static let sparseMoments = Claim(
        id: "SCALE-SPARSE-MOMENTS",
        source: source("Sparse MeZO (Liu et al., arXiv 2402.15751) at s = 0.8; moments SPARSE-MOMENTS"),
        statement:
            """
            At the same point, Sparse MeZO at sparsity 0.8 (mask: the 20 % smallest-magnitude entries of each \
            tensor of θ) satisfies E‖ĝ‖² = (1 ± 0.1)·(d̂+2)‖m⊙g‖² and E cos(ĝ, g) = (1 ± 0.1)·c_d̂·‖m⊙g‖/‖g‖, \
            c_d̂ = Γ(d̂/2)/(√π Γ((d̂+1)/2)) (ε = 1e-3, Float).
            """,
        proof: "Proofs/scale.md#scale-estimator-moments", alpha: alpha
    ) { context in
        try momentsCheck(
            .sparseMeZO, draws: 20, lawDraws: 200, cosine: true, id: "SCALE-SPARSE-MOMENTS", context: context)
    }

    // MARK: checks

    /// The moment claims, in two independent parts (Proofs/scale.md#scale-estimator-moments):
    /// - forward: `draws` two-point estimates at the CI problem; (‖ĝ‖² − ‖ĝ₀‖²)/(T‖g‖²) with the same Z (what
    ///   finite ε and Float change) and, with `cosine`, (cos − cos₀)/theory, each within ±`tolerance`;
    /// - law: `lawDraws` perturbations from the library's own distribution without forward passes;
    ///   E‖ĝ₀‖²/(T‖g‖²) = 1 and, with `cosine`, E cos(ĝ₀, g)/theory = 1 (two-sided t-tests).
    /// Holm over the parts at α. A wrong scale, variance or formula moves the law part, which no control
    /// variate cancels. `context.fault` plants a scale fault (`PlantedFault.caughtAtScaleBy`).
    static func momentsCheck(
        _ spec: ScaleEstimatorSpec, draws: Int, lawDraws: Int, cosine: Bool, id: String, context: ClaimContext
    ) throws -> Verdict {
        let a = context.alpha(alpha)
        guard assetsAvailable else { return missingAssetsVerdict(id, alpha: a) }
        let (problem, g) = try cachedProblem(seed: context.seed)
        let planted = plantedScale(context.fault, spec: spec)
        let key = context.key.fold(in: .estimatorQualityDraws)
        let row = try EstimatorQuality.row(
            problem, spec: spec, gradient: g, draws: context.draws(draws), epsilon: epsilon, key: key,
            plantedScale: planted)
        let law = try EstimatorQuality.lawRecords(
            at: problem.parameters, spec: spec, gradient: g, samples: context.draws(lawDraws), key: key,
            plantedScale: planted)
        let gn = g.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        var v = momentsVerdict(row, law: law, gradientNorm: gn, cosine: cosine, alpha: a)
        v.details =
            describe(row, law: law, gradientNorm: gn) + "; \(row.estimator), d = \(row.theory.dimension), "
            + "n = \(row.draws) forward + \(law.count) law draws, ε = \(epsilon), \(problem.setup.layers) layer(s), "
            + "seed \(context.seed)\(planted == 1 ? "" : ", planted gradient scale ×\(planted)"). " + v.details
        return v
    }

    /// The planted scale of a fault for this estimator (1: none).
    static func plantedScale(_ fault: PlantedFault?, spec: ScaleEstimatorSpec) -> Double {
        switch (fault, spec.kind) {
        case (.droppedHalf?, _): 2
        case (.lozoInverseRSquared?, .lozo): 1 / Double(spec.rank ?? 2)
        default: 1
        }
    }

    /// The measured E‖ĝ‖²/theory = (law mean of ‖ĝ₀‖² + forward mean of ‖ĝ‖² − ‖ĝ₀‖²)/(T‖g‖²) and E cos =
    /// law mean of cos₀ + forward mean of cos − cos₀, with 95 % intervals (independent parts).
    static func describe(_ row: EstimatorQualityRow, law: [DrawRecord], gradientNorm gn: Double) -> String {
        let scale = row.theory.secondMomentRatio * gn * gn
        let lawSecond = ConfidenceInterval.mean(law.map { $0.linearisedSquaredNorm / scale })
        let diff = ConfidenceInterval.mean(row.records.map { ($0.squaredNorm - $0.linearisedSquaredNorm) / scale })
        let second = ConfidenceInterval(
            estimate: lawSecond.estimate + diff.estimate,
            standardError: (lawSecond.standardError * lawSecond.standardError
                + diff.standardError * diff.standardError).squareRoot())
        let lawCos = ConfidenceInterval.mean(law.map { $0.linearisedCosine(gradientNorm: gn) })
        let cosDiff = ConfidenceInterval.mean(
            row.records.map { $0.cosine(gradientNorm: gn) - $0.linearisedCosine(gradientNorm: gn) })
        let cos = ConfidenceInterval(
            estimate: lawCos.estimate + cosDiff.estimate,
            standardError: (lawCos.standardError * lawCos.standardError
                + cosDiff.standardError * cosDiff.standardError).squareRoot())
        return String(
            format:
                """
                E‖ĝ‖²/theory = %.4f [%.4f, %.4f] (95 %%; law %.4f, forward correction %+.2e); theory \
                E‖ĝ‖²/‖g‖² = %.5g; E cos = %.4g [%.4g, %.4g] measured vs theory %.4g%@; coefficient relative \
                RMS error %.2e, sign agreement %.4f
                """,
            second.estimate, second.lower, second.upper, lawSecond.estimate, diff.estimate,
            row.theory.secondMomentRatio, cos.estimate, cos.lower, cos.upper, row.theory.cosine,
            row.theory.cosineExact ? "" : " (Gaussian approximation)", row.coefficientRelativeError, row.signAgreement)
    }

    /// The statistics of the moment claims (shared by the catalog check and the estimator-quality
    /// notebook): the forward parts (second moment, and with `cosine` the cosine, relative differences to
    /// the same-Z linearisation within ±`tolerance`) and the law parts (E‖ĝ₀‖²/theory = 1, and with
    /// `cosine` E cos₀/theory = 1, from `law`), each at α/k for its design, Holm-combined at α.
    public static func momentsVerdict(
        _ row: EstimatorQualityRow, law: [DrawRecord], gradientNorm gn: Double, cosine: Bool, alpha a: Double
    ) -> Verdict {
        let t = row.theory.secondMomentRatio
        let k = cosine ? 4 : 2
        let part = Multiplicity.bonferroni(a, tests: k)
        let second = row.records.map { ($0.squaredNorm - $0.linearisedSquaredNorm) / (t * gn * gn) }
        var parts = [
            withinBand(second, alpha: part, name: "forward: E(‖ĝ‖² − ‖ĝ₀‖²)/theory ∈ [−\(tolerance), \(tolerance)]"),
            lawMean(law.map { $0.linearisedSquaredNorm / (t * gn * gn) }, alpha: part, name: "law: E‖ĝ₀‖²/theory = 1"),
        ]
        if cosine {
            let c = row.theory.cosine
            let cos = row.records.map { ($0.cosine(gradientNorm: gn) - $0.linearisedCosine(gradientNorm: gn)) / c }
            parts.append(
                withinBand(cos, alpha: part, name: "forward: E(cos − cos₀)/theory ∈ [−\(tolerance), \(tolerance)]"))
            parts.append(
                lawMean(
                    law.map { $0.linearisedCosine(gradientNorm: gn) / c }, alpha: part, name: "law: E cos₀/theory = 1"))
        }
        return Multiplicity.holmCombined(
            parts, alpha: a, name: "moments: forward within ±\(tolerance), law = theory (Holm)")
    }

    /// Two-sided t-test of E x = 1 for relative values x (effect unit "relative").
    public static func lawMean(_ values: [Double], alpha: Double, name: String) -> Verdict {
        var v = MeanChecks.scalarMean(values, target: 1, alpha: alpha, name: name)
        v.effectUnit = "relative"
        return v
    }

    /// Fails when the mean of `values` is significantly above +tolerance or below −tolerance (one-sided
    /// t-tests at α/2 each); inconclusive when the design cannot detect a deviation of `tolerance`.
    public static func bandVerdict(_ values: [Double], alpha: Double) -> Verdict {
        withinBand(values, alpha: alpha, name: "mean ∈ [−\(tolerance), \(tolerance)]")
    }

    static func withinBand(_ values: [Double], alpha: Double, name: String) -> Verdict {
        var upper = MeanChecks.scalarMean(
            values, target: tolerance, alpha: Multiplicity.bonferroni(alpha, tests: 2), sides: .one,
            required: tolerance, name: "≤ +\(tolerance)")
        var lower = MeanChecks.scalarMean(
            values.map { -$0 }, target: tolerance, alpha: Multiplicity.bonferroni(alpha, tests: 2), sides: .one,
            required: tolerance,
            name: "≥ −\(tolerance)")
        upper.effectUnit = "relative"
        lower.effectUnit = "relative"
        var v = Multiplicity.holmCombined([upper, lower], alpha: alpha, name: name)
        v.effectUnit = "relative"
        return v
    }

    /// The verdict of a scale check when the assets are missing: inconclusive, with the fix.
    public static func missingAssetsVerdict(_ id: String, alpha: Double, cache: AssetCache = .standard) -> Verdict {
        Verdict(
            check: id, statistic: .nan, pValue: .nan, n: 0, alpha: alpha, detectableEffect: .infinity,
            outcome: .inconclusive,
            details: "assets not found in \(cache.directory.path): run `make assets` (or set ZOCHECK_CACHE)")
    }

    // MARK: the CI problem, loaded once per seed and process

    /// The CI-size problem of `seed` and its backprop gradient (the last one loaded is kept: the
    /// claims of one run share it; loading takes ~1 s).
    static func cachedProblem(seed: UInt64) throws -> (problem: ScaleProblem, gradient: [Float]) {
        try ProblemCache.shared.get(seed: seed)
    }
}

private final class ProblemCache: @unchecked Sendable {
    static let shared = ProblemCache()
    private let lock = NSLock()
    private var entry: (seed: UInt64, problem: ScaleProblem, gradient: [Float])?

    func get(seed: UInt64) throws -> (problem: ScaleProblem, gradient: [Float]) {
        lock.lock()
        defer { lock.unlock() }
        if let e = entry, e.seed == seed { return (e.problem, e.gradient) }
        let problem = try ScaleProblem.load(.ci(seed: seed))
        let g = try problem.gradient()
        entry = (seed, problem, g)
        return (problem, g)
    }
}
