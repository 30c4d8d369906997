import ZOCore
import ZOStats

/// Implementation pitfalls of the reference code (theory-notes "Known pitfalls"). Proofs/pitfalls.md.
public enum PitfallClaims {
    static func source(_ location: String) -> ClaimSource { ClaimSource(paper: .pitfalls, location: location) }
    static let alpha = 2e-5

    public static let all: [Claim] = [
        inPlaceDrift, keyedRegeneration, faithfulRegeneration, faithfulUpdateBias, lozoUpdateUnbiased,
        weightDecayByKind,
    ]

    static let inPlaceDrift = Claim(
        id: "INPLACE-RESTORE-DRIFT", source: source("MeZO reference code: θ += εz; θ −= 2εz; θ += εz"),
        statement:
            """
            In-place perturb/restore is not bit-exact in Float: a large fraction of entries drift by an ulp after \
            one step (weights ~ N(0, 0.02²), ε = 1e-3); the copy path leaves θ bit-identical.
            """,
        proof: "Proofs/pitfalls.md#inplace-restore-drift", alpha: 0
    ) { context in
        let layout = try ParameterLayout([("W", [64, 64]), ("b", [64])])
        let start = try Parameters<Float>(
            layout: layout,
            values: RandomFill.gaussian(Float.self, count: layout.count, key: context.key).map { 0.02 * $0 })
        struct Bowl: Objective {
            let layout: ParameterLayout
            func loss(_ p: Parameters<Float>, batch: BatchSelection) throws -> Double {
                0.5 * p.values.reduce(0) { $0 + Double($1) * Double($1) }
            }
        }
        var drifted = [0, 0]
        for (k, mode) in [PerturbMode.inPlace, .copy].enumerated() {
            var theta = start
            _ = try ZOEstimator(GaussianRGE(), epsilon: ZODefaults.epsilon, mode: mode).measure(
                Bowl(layout: layout), inPlace: &theta, step: 0, key: context.key)
            drifted[k] = zip(theta.values, start.values).filter { $0 != $1 }.count
        }
        let fraction = Double(drifted[0]) / Double(layout.count)
        return ExactChecks.verdict(
            "in-place drifts, copy exact", ok: drifted[0] > 0 && drifted[1] == 0, statistic: fraction, n: layout.count,
            tolerance: 0, unit: "entries changed by the copy path",
            details: String(
                format: "in-place: %.1f%% of entries changed after one step; copy: %d", 100 * fraction, drifted[1]))
    }

    static let keyedRegeneration = Claim(
        id: "KEYED-REGENERATION", source: source("keyed RNG (JAX-style) versus a position in a global stream"),
        statement:
            """
            For every built-in distribution, the perturbation regenerated for the update is bit-identical to the \
            measured one, in any order.
            """,
        proof: "Proofs/pitfalls.md#keyed-rng-regeneration", alpha: 0
    ) { context in
        let distributions: [any PerturbationDistribution] = [
            GaussianRGE(), SphereRGE(), try LOZO(rank: 2, lazyInterval: 3),
            try SubZero(rank: 2, refreshInterval: 3), try SparseMeZO(sparsity: 0.5),
        ]
        var bad: [String] = []
        for d in distributions where try !ExactChecks.regenerationIdentical(d, steps: 7, context: context).0 {
            bad.append(d.name)
        }
        return ExactChecks.verdict(
            "update regenerates the measured Z", ok: bad.isEmpty, statistic: Double(bad.count), n: distributions.count,
            tolerance: 0, unit: "distributions whose regenerated Z differs (bitwise)",
            details: bad.isEmpty ? "all \(distributions.count) distributions bit-identical" : "mismatch: \(bad)")
    }

    static let faithfulRegeneration = Claim(
        id: "LOZO-REFERENCE-RNG-ORDER",
        source: source("LOZO reference code (open upstream issue): V drawn before U at resample steps"),
        statement:
            """
            The reference-faithful LOZO (a deliberately faulty reproduction) regenerates the measured \
            perturbation for its update. The suite must flag this as false: at every V-resample step the update's \
            U differs.
            """,
        proof: "Proofs/pitfalls.md#lozo-rng-order-bug", alpha: 0, expectation: .refuted
    ) { context in
        let (ok, mismatches) = try ExactChecks.regenerationIdentical(
            LOZOReferenceFaithful(rank: 2, lazyInterval: 3), steps: 9, context: context)
        return ExactChecks.verdict(
            "update regenerates the measured Z", ok: ok, statistic: Double(mismatches), n: 9, tolerance: 0,
            unit: "steps whose regenerated Z differs (bitwise)",
            details: "\(mismatches) of 9 steps differ (resample steps 0, 3, 6)")
    }

    /// Mean update direction (regenerated for the update) along G, at ν = 1 (every step resamples V).
    static func updateUnbiased(_ d: some PerturbationDistribution, context: ClaimContext, name: String) throws
        -> Verdict
    {
        try Checks.unbiasedClaim(
            d, bed: Checks.lowRankBed(m: 12, n: 8, context: context), count: context.draws(2000),
            alpha: context.alpha(alpha), context: context, use: .update, name: name)
    }

    static let faithfulUpdateBias = Claim(
        id: "LOZO-REFERENCE-UPDATE-BIAS", source: source("LOZO reference code, consequence of the RNG-order bug"),
        statement:
            """
            The update direction applied by the reference-faithful LOZO at V-resample steps is unbiased for G. It \
            is not: the update's U is read from where the measured V was, so E[update] ≠ G (0 when m ≤ n; at 12×8 \
            a shifted copy of G's rows, Proofs/pitfalls.md). Checked at ν = 1; must be refuted.
            """,
        proof: "Proofs/pitfalls.md#lozo-reference-update-bias", alpha: alpha, expectation: .refuted
    ) { context in
        try updateUnbiased(
            LOZOReferenceFaithful(rank: 2, lazyInterval: 1), context: context,
            name: "E[applied update] = G (faithful LOZO)")
    }

    static let lozoUpdateUnbiased = Claim(
        id: "LOZO-UPDATE-UNBIASED", source: source("keyed LOZO: the applied update is the measured estimate"),
        statement:
            """
            The update direction applied by keyed LOZO (regenerated from keys) is unbiased for G at every step, \
            V-resample steps included (ν = 1).
            """,
        proof: "Proofs/pitfalls.md#keyed-rng-regeneration", alpha: alpha
    ) { context in
        try updateUnbiased(LOZO(rank: 2, lazyInterval: 1), context: context, name: "E[applied update] = G (keyed LOZO)")
    }

    static let weightDecayByKind = Claim(
        id: "WEIGHT-DECAY-BY-KIND",
        source: source("reference code excludes decay by name substring ('bias', 'LayerNorm.weight')"),
        statement:
            """
            ZO-SGD applies weight decay to matrix tensors only, by kind: vectors named 'norm', \
            'final_norm.weight' or 'ln_f' are never decayed, matrices always are, whatever their names.
            """,
        proof: "Proofs/optimizers.md#opt-weight-decay-by-kind", alpha: 0
    ) { context in
        let layout = try ParameterLayout([
            ("final_norm.weight", [5]), ("ln_f", [5]), ("norm", [3]), ("bias_projection", [4, 3]),
        ])
        let theta = try Parameters<Double>(
            layout: layout, values: RandomFill.gaussian(Double.self, count: layout.count, key: context.key))
        // c = 0: only decay moves θ.
        let objective = Checks.Linear(layout: layout, g: [Double](repeating: 0, count: layout.count))
        let estimator = try ZOEstimator(GaussianRGE(), epsilon: ZODefaults.epsilon)
        let e = try estimator.measure(objective, at: theta, step: 0, key: context.key)
        var updated = theta
        try ZOSGD(learningRate: 0.1, weightDecay: 0.5).update(&updated, estimate: e, estimator: estimator)
        var wrong = 0
        for spec in layout.tensors {
            for i in spec.range {
                let expected = spec.kind == .matrix ? theta.values[i] * (1 - 0.05) : theta.values[i]
                if abs(updated.values[i] - expected) > 1e-15 { wrong += 1 }
            }
        }
        return ExactChecks.verdict(
            "decay on matrices only", ok: wrong == 0, statistic: Double(wrong), n: layout.count, tolerance: 0,
            unit: "entries off by > 1e-15",
            details: "\(wrong) entries decayed wrongly")
    }
}
