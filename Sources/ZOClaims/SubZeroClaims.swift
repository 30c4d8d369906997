import ZOCore
import ZOStats

/// Claims of SubZero (Yu et al., "SubZero: Random Subspace Zeroth-Order Optimization for
/// Memory-Efficient LLM Fine-Tuning", arXiv 2410.08989). Proofs: Proofs/estimators.md §SubZero.
public enum SubZeroClaims {
    static func source(_ location: String) -> ClaimSource { ClaimSource(paper: .subzero, location: location) }
    static let alpha = 2e-5
    static let (m, n, r) = (12, 8, 4)

    public static let all: [Claim] = [
        unbiased, secondMoment, conditionalMean, relativeVariance, orthonormal, cosineVersusMeZO,
    ]

    static let unbiased = Claim(
        id: "SUBZERO-UNBIASED", source: source("§3.2 (estimator with s = √(mn)/r, U, V refreshed)"),
        statement:
            """
            With U, V Haar-orthonormal and fresh, Z₀ i.i.d. N(0,1), ĝ = c·s·UZ₀Vᵀ with s = √(mn)/r is unbiased on \
            a quadratic.
            """,
        proof: "Proofs/estimators.md#subzero-unbiased", alpha: alpha
    ) { context in
        try Checks.unbiasedClaim(
            SubZero(rank: r, refreshInterval: 1), bed: Checks.lowRankBed(m: m, n: n, context: context),
            count: context.draws(3000), alpha: context.alpha(alpha), context: context, name: "E ĝ = G")
    }

    static let secondMoment = Claim(
        id: "SUBZERO-SECOND-MOMENT", source: source("derived here (Theorem on variance, unconditional form)"),
        statement: "With U, V fresh, E‖ĝ‖² = mn(1 + 2/r²)‖G‖² — above MeZO's (mn + 2)‖G‖² for r² < mn/2.",
        proof: "Proofs/estimators.md#subzero-second-moment", alpha: alpha
    ) { context in
        try Checks.secondMomentClaim(
            SubZero(rank: r, refreshInterval: 1), theory: SubZero(rank: r, refreshInterval: 1),
            bed: Checks.lowRankBed(m: m, n: n, context: context), count: context.draws(8000),
            alpha: context.alpha(alpha), context: context, name: "E‖ĝ‖²/(mn(1+2/r²)‖G‖²) = 1")
    }

    /// Samples with U, V fixed (one key, F = count), and E[ĝ | U, V] = (mn/r²) UUᵀ G VVᵀ for those bases.
    static func fixedBases(
        _ context: ClaimContext, count: Int, block: Int = 0,
        shape: (m: Int, n: Int) = (m, n)
    ) throws -> ([[Double]], [Double], Checks.Linear) {
        let (m, n) = shape
        let bed = try Checks.lowRankBed(m: m, n: n, context: context)
        let (objective, theta) = (bed.objective, bed.theta)
        let key = context.key.fold(in: .draws).fold(in: block)
        let d: any PerturbationDistribution =
            context.fault == .subZeroNotOrthonormal
            ? SubZeroGaussianBases(rank: r, refreshInterval: count) : try SubZero(rank: r, refreshInterval: count)
        let samples = try Checks.estimates(d, objective: objective, at: theta, count: count, key: key, sameKey: true)
        // The bases of block 0 (the mutant's Gaussian ones when planted), from the factors of step 0.
        let (u, v) = try bases(d, key: ZOEstimator<SubZero>.sampleKey(key, sample: 0), theta: theta)
        let g = objective.g
        let proj = { (a: [Double], rows: Int) -> [Double] in  // a·aᵀ for a rows×r
            var p = [Double](repeating: 0, count: rows * rows)
            for i in 0..<rows {
                for j in 0..<rows {
                    var s = 0.0
                    for l in 0..<r { s += a[i * r + l] * a[j * r + l] }
                    p[i * rows + j] = s
                }
            }
            return p
        }
        let pu = proj(u, m)
        let pv = proj(v, n)
        var target = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for a in 0..<m { for b in 0..<n { s += pu[i * m + a] * g[a * n + b] * pv[b * n + j] } }
                target[i * n + j] = Double(m * n) / Double(r * r) * s
            }
        }
        return (samples, target, objective)
    }

    static func bases(_ d: any PerturbationDistribution, key: PRNGKey, theta: Parameters<Double>) throws -> (
        [Double], [Double]
    ) {
        if let sz = d as? SubZero,
            let b = try sz.perturbation(step: 0, key: key, parameters: theta, use: .measurement).bases(tensor: 0)
        {
            return b
        }
        if let g = d as? SubZeroGaussianBases,
            let b = try g.perturbation(step: 0, key: key, parameters: theta, use: .measurement).bases(tensor: 0)
        {
            return b
        }
        throw ZOError("no bases for \(d.name)", at: "SubZeroClaims", fix: "use SubZero")
    }

    static let conditionalMean = Claim(
        id: "SUBZERO-CONDITIONAL-MEAN", source: source("§3.2, U, V fixed for F steps"),
        statement: "With U, V fixed, E[ĝ | U, V] = (mn/r²) UUᵀ G VVᵀ (a biased projection inside a refresh period).",
        proof: "Proofs/estimators.md#subzero-conditional-mean", alpha: alpha
    ) { context in
        let (samples, target, objective) = try fixedBases(context, count: context.draws(3000))
        return Checks.unbiased(
            samples, target: target, gradient: objective.g, alpha: context.alpha(alpha), key: context.key,
            name: "E[ĝ | U, V] = (mn/r²)UUᵀGVVᵀ")
    }

    static let relativeVariance = Claim(
        id: "SUBZERO-RELATIVE-VARIANCE", source: source("Theorem (lower variance than MeZO), relative form"),
        statement:
            """
            With U, V fixed, E‖ĝ − E[ĝ|U,V]‖² / ‖E[ĝ|U,V]‖² = r² + 1 exactly (versus d + 1 for MeZO): the 'lower \
            variance' holds in this relative sense.
            """,
        proof: "Proofs/estimators.md#subzero-relative-variance", alpha: alpha
    ) { context in
        // B independent blocks (fresh U, V each); within a block U, V are fixed. Statistic Σ_b z_b² ~ χ²_B.
        let blocks = 8
        let a = context.alpha(alpha)
        var zs: [Double] = []
        var means: [Double] = []
        for b in 0..<blocks {
            let (samples, target, _) = try fixedBases(context, count: context.draws(2500), block: b, shape: (8, 6))
            let ratios = samples.map { Checks.norm2($0) / (Double(r * r + 2) * Checks.norm2(target)) }
            let summary = MeanChecks.Summary(ratios)
            zs.append((summary.mean - 1) / summary.standardError)
            means.append(summary.mean)
        }
        var v = MeanChecks.zScoresChiSquared(
            zs, alpha: a, n: blocks * context.draws(2500),
            name: "E‖ĝ‖² / ((r²+2)‖E[ĝ|U,V]‖²) = 1 in \(blocks) blocks (Σz² ~ χ²)")
        v.details = "block ratios " + means.map { TextFormat.fixed($0, 4) }.joined(separator: ", ")
        return v
    }

    static let orthonormal = Claim(
        id: "SUBZERO-ORTHONORMAL", source: source("§3.2 (QR of a Gaussian matrix)"),
        statement:
            """
            SubZero's U and V have orthonormal columns (to 1e-12 in Double), and are fixed within each refresh \
            period of F steps.
            """,
        proof: "Proofs/estimators.md#subzero-factors-orthonormal", alpha: 0
    ) { context in
        try ExactChecks.subZeroOrthonormal(context: context)
    }

    static let cosineVersusMeZO = Claim(
        id: "SUBZERO-COSINE-VS-MEZO",
        source: source("§4 / Fig. 2: estimate closer (cosine) to the backprop gradient than MeZO's"),
        statement:
            """
            In SubZero's lazy setting (U, V fixed for a refresh period of F = 50 steps), the update accumulated over \
            a period, Σ_t ĝ_t, is at least as close (cosine) to ∇f as MeZO's over the same 50 steps, on a matrix \
            with a low-rank gradient (24×16, rank-2 G, r = 2). Tested as the null over 200 independent periods; \
            a significantly lower SubZero cosine refutes it.
            """,
        proof: "Proofs/estimators.md#subzero-cosine-vs-mezo", alpha: alpha, expectation: .refuted
    ) { context in
        let bed = try Checks.lowRankBed(m: 24, n: 16, context: context)
        let (g, blocks, period) = (bed.g, context.draws(200), 50)
        let gn = Checks.norm2(g).squareRoot()
        let cosine = { (v: [Double]) in Checks.dot(v, g) / (Checks.norm2(v).squareRoot() * gn) }
        let sum = { (vs: [[Double]]) in vs.dropFirst().reduce(vs[0]) { zip($0, $1).map { $0 + $1 } } }
        var (sz, mz, szStep, mzStep) = ([Double](), [Double](), [Double](), [Double]())
        for b in 0..<blocks {
            // One key per period and consecutive steps: SubZero's U, V are shared by the period's 50 steps.
            let lazy = try Checks.estimates(
                SubZero(rank: 2, refreshInterval: period), objective: bed.objective, at: bed.theta, count: period,
                key: context.key.fold(in: .draws).fold(in: b), sameKey: true)
            let fresh = try Checks.estimates(
                GaussianRGE(), objective: bed.objective, at: bed.theta, count: period,
                key: context.key.fold(in: .referenceDraws).fold(in: b))
            sz.append(cosine(sum(lazy)))
            mz.append(cosine(sum(fresh)))
            szStep.append(lazy.map(cosine).reduce(0, +) / Double(period))
            mzStep.append(fresh.map(cosine).reduce(0, +) / Double(period))
        }
        // Independent periods: difference of means; one-sided, fails when SubZero is significantly lower.
        let a = MeanChecks.Summary(sz)
        let b = MeanChecks.Summary(mz)
        var v = MeanChecks.differenceBelow(
            a, b, alpha: context.alpha(alpha), effectUnit: "cosine",
            name: "E cos(Σ ĝ over a period) SubZero ≥ MeZO (one-sided z)")
        v.details = String(
            format: """
                accumulated over %d steps: mean cosine SubZero %.5f ± %.5f, MeZO %.5f ± %.5f; per step: SubZero \
                %.5f, MeZO %.5f (%d periods)
                """, period, a.mean, a.standardError, b.mean, b.standardError,
            MeanChecks.Summary(szStep).mean, MeanChecks.Summary(mzStep).mean, blocks)
        return v
    }
}
