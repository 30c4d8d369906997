import Foundation
import ZOCheck
import ZOReports

/// In-place perturb-and-restore (θ += εz; θ −= 2εz; θ += εz in Float) versus the copy path: how far
/// the weights drift over repeated measurements, against the random-walk law of Proofs/pitfalls.md.
public enum RestoreDrift: Notebook {
    public static let name = "restore-drift"
    public static let title = "In-place perturb-and-restore drift versus the copy path"
    public static let abstract =
        """
        Fraction of entries changed and RMS/max drift of in-place perturb-and-restore over steps, random-walk law \
        overlaid; copy path exactly zero.
        """
    public static let discussion = """
        Problem: a k×k Float weight matrix θ₀ with N(0, σ²) entries (σ = 1 and the transformer-like σ = 0.02) and \
        the objective ½‖θ‖²; every step measures MeZO's two-point difference with a fresh keyed z, either in place \
        (PerturbMode.inPlace: θ += εz, θ −= 2εz, θ += εz, as the MeZO reference code does) or through the copy \
        path (PerturbMode.copy: θ is only read); nothing else changes θ. After T = 1, 2, 4, … steps: the fraction \
        of entries that differ from θ₀, the RMS drift ‖θ_T − θ₀‖/‖θ₀‖ and the max drift ‖θ_T − θ₀‖∞/‖θ₀‖∞, for \
        several ε. Theory (Proofs/pitfalls.md#inplace-restore-drift, #inplace-drift-random-walk): an entry that \
        stays in its binade with a uniform rounding phase drifts by 0 or ±1 ulp per step with probabilities ½, ¼, \
        ¼, so its drift in ulps after T steps is S_T = Bin(2T, ½) − T: E S_T² = T/2 and P(S_T ≠ 0) = \
        1 − C(2T, T)/4^T, and ‖θ_T − θ₀‖ ≈ √(T/2)·‖ulp(θ₀)‖. Verdicts (α = 0.001, Holm over the configurations): \
        a t-test of E[S_T²/(T/2)] = 1 and a binomial z-test of the changed fraction at the largest T, on the \
        entries at least 8ε inside their binade; the catalog's INPLACE-RESTORE-DRIFT and KEYED-REGENERATION \
        (exact). Sizes: tiny 32×32, T ≤ 64, ε = 1e-3, 2 seeds; ci 64×64, T ≤ 4096, ε ∈ {1e-4, 1e-3, 1e-2}, \
        6 seeds; full 128×128, T ≤ 16384, the same ε, 10 seeds.
        """
    public static let claims = ["INPLACE-RESTORE-DRIFT", "KEYED-REGENERATION"]
    static let alpha = 0.001

    struct Bowl: Objective {
        let layout: ParameterLayout
        func loss(_ p: Parameters<Float>, batch: BatchSelection) throws -> Double {
            0.5 * p.values.reduce(0) { $0 + Double($1) * Double($1) }
        }
    }

    /// The starting weights of (σ, seed): σ · N(0, 1) in Float.
    public static func start(k: Int, sigma: Double, key: PRNGKey) throws -> Parameters<Float> {
        let layout = try ParameterLayout.matrix(rows: k, cols: k)
        return try Parameters<Float>(
            layout: layout,
            values: RandomFill.gaussian(Float.self, count: layout.count, key: key).map { Float(sigma) * $0 })
    }

    /// Runs `steps` measurements (step t with `key`) in `mode` and returns θ after each checkpoint in `at`.
    public static func trajectory(
        _ theta0: Parameters<Float>, epsilon: Double, mode: PerturbMode, steps at: [Int], key: PRNGKey,
        onStep: (Int) -> Void = { _ in }
    ) throws -> [[Float]] {
        let estimator = try ZOEstimator(GaussianRGE(), epsilon: epsilon, mode: mode)
        let bowl = Bowl(layout: theta0.layout)
        var theta = theta0
        var out: [[Float]] = []
        for t in 0..<(at.max() ?? 0) {
            _ = try estimator.measure(bowl, inPlace: &theta, step: t, key: key)
            onStep(t)
            if at.contains(t + 1) { out.append(theta.values) }
        }
        return out
    }

    /// Entries whose |θ| is at least `margin` inside its binade [2^e, 2^{e+1}).
    public static func eligible(_ theta: [Float], margin: Double) -> [Int] {
        theta.indices.filter { i in
            let a = Double(theta[i].magnitude)
            guard a > 0 else { return false }
            let lo = pow(2, Double(theta[i].exponent))
            return a - lo > margin && 2 * lo - a > margin
        }
    }

    /// P(S_T ≠ 0) for S_T = Bin(2T, ½) − T: 1 − C(2T, T)/4^T.
    public static func changedFraction(steps T: Int) -> Double {
        let n = Double(T)
        let logCentral: Double = lgamma(2 * n + 1) - 2 * lgamma(n + 1) - 2 * n * log(2.0)
        return 1 - exp(logCentral)
    }

    public static func run(_ ctx: NotebookContext) throws -> Report {
        let k = ctx.size.pick(tiny: 32, ci: 64, full: 128)
        let tMax = ctx.size.pick(tiny: 64, ci: 4096, full: 16384)
        let epsilons = ctx.size.pick(tiny: [1e-3], ci: [1e-4, 1e-3, 1e-2], full: [1e-4, 1e-3, 1e-2])
        let seeds = ctx.size.pick(tiny: 2, ci: 6, full: 10)
        let sigmas = [1.0, 0.02]
        let checkpoints = (0...Int(log2(Double(tMax)))).map { 1 << $0 }
        var data = Dataset(
            name: "drift",
            description:
                "One row per configuration, path, seed and checkpoint: how θ_T differs from θ₀ after T measurements.",
            columns: [
                Column("sigma", "standard deviation of the starting weights"),
                Column("epsilon", "perturbation scale ε"),
                Column("path", "in-place (θ += εz, −2εz, +εz) or copy"),
                Column("seed", "run index (key fold(σ, ε, seed))"),
                Column("T", unit: "steps", "measurements so far"), Column("entries", "k²"),
                Column("changed", "fraction of entries with θ_T ≠ θ₀"),
                Column("rms_rel", "‖θ_T − θ₀‖₂ / ‖θ₀‖₂"), Column("max_rel", "‖θ_T − θ₀‖∞ / ‖θ₀‖∞"),
                Column("rms_rel_model", "random-walk prediction √(T/2)·‖ulp(θ₀)‖₂/‖θ₀‖₂"),
                Column("eligible", "entries ≥ 8ε inside their binade"),
                Column("eligible_changed", "fraction of eligible entries with S_T ≠ 0"),
                Column(
                    "eligible_ms_ulps", unit: "ulp²", "mean of S_T² over eligible entries (S_T = drift in ulps of θ₀)"),
                Column("eligible_ms_se", unit: "ulp²", "standard error of eligible_ms_ulps"),
                Column("model_changed", "1 − C(2T, T)/4^T"), Column("model_ms_ulps", unit: "ulp²", "T/2"),
            ])
        let configs = sigmas.flatMap { s in epsilons.map { (s, $0) } }
        let total = configs.count * (seeds + 1) * tMax
        var done = 0
        // Pooled S_T² / (T/2) and S_T ≠ 0 of eligible entries at T_max, per configuration (for the verdicts).
        var pooled: [(String, [Double], [Double])] = []
        for (ci, (sigma, epsilon)) in configs.enumerated() {
            var ratios: [Double] = []
            var changed: [Double] = []
            for (path, mode) in [("in-place", PerturbMode.inPlace), ("copy", .copy)] {
                for s in 0..<(mode == .copy ? 1 : seeds) {
                    let key = ctx.key.fold(in: ci).fold(in: s)
                    let theta0 = try start(k: k, sigma: sigma, key: key.fold(in: .startingPoint))
                    let before = done
                    let states = try trajectory(
                        theta0, epsilon: epsilon, mode: mode, steps: checkpoints, key: key.fold(in: .driftDraws)
                    ) { t in
                        ctx.progress.update("σ = \(sigma), ε = \(epsilon), \(path)", done: before + t + 1, total: total)
                    }
                    done += tMax
                    let x0 = theta0.values
                    let norm0 = x0.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
                    let max0 = x0.map { Double($0.magnitude) }.max() ?? 1
                    let ulpNorm = x0.reduce(0) { $0 + Double($1.ulp) * Double($1.ulp) }.squareRoot()
                    let el = eligible(x0, margin: 8 * epsilon)
                    for (T, x) in zip(checkpoints, states) {
                        let diff = zip(x, x0).map { Double($0) - Double($1) }
                        let ulps = el.map { diff[$0] / Double(x0[$0].ulp) }
                        let sq = MeanChecks.Summary(ulps.map { $0 * $0 })
                        let elChanged = Double(ulps.filter { $0 != 0 }.count) / Double(max(el.count, 1))
                        data.append([
                            NB.num(sigma), NB.num(epsilon), NB.text(path), NB.num(s), NB.num(T), NB.num(x0.count),
                            NB.num(Double(diff.filter { $0 != 0 }.count) / Double(x0.count)),
                            NB.num(diff.reduce(0) { $0 + $1 * $1 }.squareRoot() / norm0),
                            NB.num((diff.map(abs).max() ?? 0) / max0),
                            NB.num((Double(T) / 2).squareRoot() * ulpNorm / norm0), NB.num(el.count),
                            NB.num(el.isEmpty ? .nan : elChanged), NB.num(el.isEmpty ? .nan : sq.mean),
                            NB.num(el.isEmpty ? .nan : sq.standardError),
                            NB.num(changedFraction(steps: T)), NB.num(Double(T) / 2),
                        ])
                        if T == tMax, mode == .inPlace {
                            ratios += ulps.map { $0 * $0 / (Double(T) / 2) }
                            changed += ulps.map { $0 != 0 ? 1 : 0 }
                        }
                    }
                }
            }
            pooled.append(("σ=\(sigma) ε=\(epsilon)", ratios, changed))
        }
        var verdicts = try ["INPLACE-RESTORE-DRIFT", "KEYED-REGENERATION"].map { id in
            guard let claim = Catalog.standard.claim(id: id) else {
                throw ZOError("claim \(id) missing from the catalog", at: name, fix: "update the notebook")
            }
            return NB.row(Catalog.run(claim, context: ClaimContext(seed: ctx.seed)))
        }
        verdicts += randomWalkVerdicts(pooled, tMax: tMax)
        return RestoreDriftReport.build(
            data, verdicts: verdicts, configs: configs, checkpoints: checkpoints, seeds: seeds, k: k)
    }

    /// Holm over configurations with ≥ 200 eligible entries: E[S_T²/(T/2)] = 1 (t) and
    /// P(S_T ≠ 0) = 1 − C(2T,T)/4^T (proportion z-test, `ProportionChecks.zTest`).
    static func randomWalkVerdicts(_ pooled: [(String, [Double], [Double])], tMax: Int) -> [VerdictRow] {
        let used = pooled.filter { $0.1.count >= 200 }
        guard !used.isEmpty else { return [] }
        let p0 = changedFraction(steps: tMax)
        let ms = used.map { MeanChecks.scalarMean($0.1, target: 1, alpha: alpha, name: $0.0) }
        let fr = used.map { c -> Verdict in
            let phat = c.2.reduce(0, +) / Double(c.2.count)
            var v = ProportionChecks.zTest(rate: phat, trials: c.2.count, null: p0, alpha: alpha, name: c.0)
            v.details = "changed \(NB.f(phat)) vs \(NB.f(p0))"
            return v
        }
        func combine(_ name: String, _ vs: [Verdict], unit: String) -> VerdictRow {
            let n = vs.map(\.n).reduce(0, +)
            let v = Multiplicity.holmAcross(vs, alpha: alpha, name: name, n: n, effectUnit: unit) { worst in
                """
                T = \(tMax); Holm over \(vs.count) configurations \
                (\(vs.map(\.check).joined(separator: "; "))); smallest adjusted p at \(worst.check): \
                \(worst.details)
                """
            }
            return NB.row(name, v)
        }
        return [
            combine("INPLACE-DRIFT-RANDOM-WALK: E S_T² = T/2", ms, unit: "× T/2"),
            combine("INPLACE-DRIFT-RANDOM-WALK: P(S_T ≠ 0) = 1 − C(2T,T)/4^T", fr, unit: "fraction"),
        ]
    }
}
