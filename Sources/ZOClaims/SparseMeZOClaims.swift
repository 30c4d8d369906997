import ZOCore
import ZOProblems
import ZOStats

/// Claims of Sparse MeZO (Liu et al., "Sparse MeZO: Less Parameters for Better Performance in
/// Zeroth-Order LLM Fine-Tuning", arXiv 2402.15751). Proofs: Proofs/estimators.md §Sparse MeZO.
public enum SparseMeZOClaims {
    static func source(_ location: String) -> ClaimSource { ClaimSource(paper: .sparseMeZO, location: location) }
    static let alpha = 2e-5

    public static let all: [Claim] = [unbiasedMasked, secondMoment, density, maskUnperturbed, theorem1]

    /// 80 parameters at a random θ (the mask of θ keeps 20 at s = 0.75), g ~ N(0, I).
    static func maskedBed(_ context: ClaimContext) throws -> Checks.Bed {
        try Checks.gaussianBed(dimension: 80, context: context, randomTheta: true)
    }

    static let unbiasedMasked = Claim(
        id: "SPARSE-UNBIASED-MASKED", source: source("§3, Eq. (4): ĝ = c·(m ⊙ z)"),
        statement:
            """
            With the mask m of the unperturbed θ, E ĝ = m ⊙ ∇f on a quadratic (unbiased for the masked gradient, \
            not for ∇f).
            """,
        proof: "Proofs/estimators.md#sparse-moments", alpha: alpha
    ) { context in
        let bed = try maskedBed(context)
        let mask = SparseMeZO.mask(for: bed.theta, sparsity: 0.75)
        let masked = bed.g.indices.map { bed.g[$0] * (mask.isKept(tensor: 0, $0) ? 1.0 : 0.0) }
        return try Checks.unbiasedClaim(
            SparseMeZO(sparsity: 0.75), bed: bed, count: context.draws(3000), target: masked, gradient: bed.g,
            alpha: context.alpha(alpha), context: context, name: "E ĝ = m ⊙ g")
    }

    static let secondMoment = Claim(
        id: "SPARSE-SECOND-MOMENT", source: source("derived here (MeZO's moment on the d̂ kept coordinates)"),
        statement: "E‖ĝ‖² = (d̂ + 2)‖m ⊙ ∇f‖², d̂ = Σ mᵢ, on a quadratic.",
        proof: "Proofs/estimators.md#sparse-moments", alpha: alpha
    ) { context in
        try Checks.secondMomentClaim(
            SparseMeZO(sparsity: 0.75), theory: SparseMeZO(sparsity: 0.75), bed: maskedBed(context),
            count: context.draws(8000), alpha: context.alpha(alpha), context: context, name: "E‖ĝ‖²/((d̂+2)‖m⊙g‖²) = 1")
    }

    static let density = Claim(
        id: "SPARSE-MASK-DENSITY", source: source("§3.2 (per-layer magnitude threshold at the sparsity percentile)"),
        statement:
            """
            Each tensor's mask keeps exactly round((1 − s)·n) entries, the smallest in magnitude (ties by index): \
            |density − (1 − s)| ≤ 1/n.
            """,
        proof: "Proofs/estimators.md#sparse-mask-density", alpha: 0
    ) { context in
        let layout = try ParameterLayout([("W", [31, 17]), ("b", [31]), ("norm", [9])])
        var theta = try Parameters<Double>(
            layout: layout, values: RandomFill.gaussian(Double.self, count: layout.count, key: context.key))
        theta.values = theta.values.map { ($0 * 4).rounded() / 4 }  // ties
        var worst = 0.0
        var ordered = true
        for s in [0.0, 0.5, 0.8, 0.95] {
            let mask = SparseMeZO.mask(for: theta, sparsity: s)
            for (t, spec) in layout.tensors.enumerated() {
                let kept = (0..<spec.count).filter { mask.isKept(tensor: t, $0) }
                worst = max(worst, abs(Double(kept.count) / Double(spec.count) - (1 - s)) * Double(spec.count))
                let mags = theta.tensor(t).map { abs($0) }
                let keptMax = kept.map { mags[$0] }.max() ?? -1
                let droppedMin =
                    (0..<spec.count).filter { !mask.isKept(tensor: t, $0) }.map { mags[$0] }.min() ?? .infinity
                if keptMax > droppedMin { ordered = false }
            }
        }
        return ExactChecks.verdict(
            "|kept − (1−s)n| ≤ 1, smallest magnitudes kept", ok: worst <= 1 && ordered, statistic: worst, n: 12,
            tolerance: 1, unit: "entries of |kept − (1−s)n|",
            details: "worst |kept − (1−s)n| = \(worst); kept entries are the smallest: \(ordered)")
    }

    static let maskUnperturbed = Claim(
        id: "SPARSE-MASK-UNPERTURBED",
        source: source("§3.3 (memory-efficient implementation: mask from θ, not θ + εz)"),
        statement:
            """
            The mask used to measure and to update is the mask of the unperturbed θ (realistic weights, std 0.02, \
            ε = 1e-3).
            """,
        proof: "Proofs/pitfalls.md#sparse-mask-perturbed", alpha: 0
    ) { context in
        let layout = try ParameterLayout([("W", [64, 64])])
        let theta = try Parameters<Double>(
            layout: layout,
            values: RandomFill.gaussian(Double.self, count: layout.count, key: context.key).map { 0.02 * $0 })
        let d: any PerturbationDistribution =
            context.fault == .sparseMaskFromPerturbed
            ? SparseMaskFromPerturbed(sparsity: 0.8, epsilon: ZODefaults.epsilon) : try SparseMeZO(sparsity: 0.8)
        let reference = SparseMeZO.mask(for: theta, sparsity: 0.8)
        var flipped = 0
        for step in 0..<5 {
            guard
                let s = try d.perturbation(step: step, key: context.key, parameters: theta, use: .measurement)
                    as? SparseMeZO.Sample
            else {
                throw ZOError("not a Sparse MeZO sample", at: "SPARSE-MASK-UNPERTURBED", fix: "")
            }
            for i in 0..<layout.count where s.mask.isKept(tensor: 0, i) != reference.isKept(tensor: 0, i) {
                flipped += 1
            }
        }
        return ExactChecks.verdict(
            "measured mask = mask(θ)", ok: flipped == 0, statistic: Double(flipped), n: 5 * layout.count,
            tolerance: 0, unit: "mask entries that differ",
            details: "\(flipped) mask entries differ from the unperturbed mask over 5 steps")
    }

    static let theorem1 = Claim(
        id: "SPARSE-THEOREM-1", source: source("Theorem 1 (convergence, L-smooth)"),
        statement:
            """
            With η = 1/(4(d̂+4)L): (1/(T+1)) Σ_t E‖m ⊙ ∇f(θ_t)‖² ≤ 16(d̂+4)L(f(θ₀) − f*)/(T+1) (+ an ε-term that \
            vanishes on quadratics). Stated for the last iterate; the argument bounds the average, which is what \
            is tested (one-sided, across 40 seeds), with the runs matching the exact expected trajectory (two-sided).
            """,
        proof: "Proofs/rates.md#sparse-theorem-1", alpha: alpha
    ) { context in
        let d = 64
        let T = 400
        let seeds = 40
        let problem = try LeastSquares<Double>(
            dimension: d, spectrum: .powerLaw(exponent: 1), key: context.key.fold(in: .problem))
        guard let L = problem.smoothness else { throw ZOError("no L", at: "SPARSE-THEOREM-1", fix: "") }
        let start = problem.initialPoint()
        let sparse = try SparseMeZO(sparsity: 0.75, fixedMaskFrom: start)
        let mask = SparseMeZO.mask(for: start, sparsity: 0.75)
        let dHat = Double(mask.kept.reduce(0, +))
        let eta = 1 / (4 * (dHat + 4) * L)
        let estimator = try ZOEstimator(sparse, epsilon: ZODefaults.epsilon)
        let sgd = try ZOSGD(learningRate: eta)
        let f0 = try problem.loss(start)
        let fStar = problem.optimalValue ?? 0
        let bound = 16 * (dHat + 4) * L * (f0 - fStar) / Double(T + 1)
        let kept = (0..<d).map { mask.isKept(tensor: 0, $0) }
        let exact = ExpectedZOSGDTrajectory.average(
            try problem.expectedZOSGDTrajectory(from: start, learningRate: eta, steps: T, mask: kept)
                .maskedSquaredGradient, first: T + 1)
        var averages: [Double] = []
        for s in 0..<context.draws(seeds) {
            var theta = start
            var total = 0.0
            for t in 0...T {
                let g = try problem.gradient(theta)
                total += (0..<d).reduce(0.0) { kept[$1] ? $0 + g[$1] * g[$1] : $0 }
                if t == T { break }
                let e = try estimator.measure(problem, at: theta, step: t, key: context.key.fold(in: .seedRun(s)))
                try sgd.update(&theta, estimate: e, estimator: estimator)
            }
            averages.append(total / Double(T + 1))
        }
        return TrajectoryChecks.boundAndExactTrajectory(
            observed: averages, exact: exact, bound: bound, alpha: context.alpha(alpha),
            name: "avg E‖m⊙∇f‖²: = exact trajectory, ≤ bound")
    }
}
