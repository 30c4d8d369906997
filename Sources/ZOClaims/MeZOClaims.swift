import ZOCore
import ZOProblems
import ZOStats

/// Claims of MeZO (Malladi et al., "Fine-Tuning Language Models with Just Forward Passes", NeurIPS 2023)
/// and of the Gaussian/sphere estimators it builds on. Proofs: Proofs/estimators.md.
public enum MeZOClaims {
    static func source(_ location: String) -> ClaimSource { ClaimSource(paper: .mezo, location: location) }
    static let alpha = 2e-5

    public static let all: [Claim] = [
        unbiased, secondMoment, smoothed, sphereSecondMoment, nSPSA, oneStep, effectiveRank,
    ]

    /// The Gaussian estimator, or its planted mutants.
    static func gaussian(_ context: ClaimContext) -> any PerturbationDistribution {
        switch context.fault {
        case .droppedHalf: Rescaled(base: GaussianRGE(), factor: 2)
        case .dInsteadOfDPlus2: SphereRGE()
        default: GaussianRGE()
        }
    }

    static let unbiased = Claim(
        id: "MEZO-UNBIASED", source: source("Alg. 1 / Definition 1 (SPSA); Nesterov–Spokoiny 2017"),
        statement:
            """
            On a quadratic, the Gaussian estimator ĝ = c·z with c = (f(θ+εz) − f(θ−εz))/(2ε) has E ĝ = ∇f \
            exactly, and Cov ĝ = ‖g‖²I + ggᵀ.
            """,
        proof: "Proofs/estimators.md#mezo-unbiased", alpha: alpha
    ) { context in
        let bed = try Checks.gaussianBed(dimension: 20, context: context)
        let samples = try Checks.draws(gaussian(context), bed: bed, count: context.draws(2000), context: context)
        let (g, a) = (bed.g, context.alpha(alpha))
        let directed = Checks.unbiased(
            samples, target: g, alpha: Multiplicity.bonferroni(a, tests: 2), key: context.key, name: "directed",
            omnibus: false)  // the χ² test below is the omnibus (known covariance)
        // Known covariance Σ = ‖g‖²I + ggᵀ: Σ⁻¹v = (v − g gᵀv / (2‖g‖²)) / ‖g‖² (Sherman–Morrison).
        let g2 = Checks.norm2(g)
        let chi = MeanChecks.chiSquaredMean(samples, target: g, alpha: Multiplicity.bonferroni(a, tests: 2)) { v in
            let c = Checks.dot(g, v) / (2 * g2)
            return zip(v, g).map { ($0 - c * $1) / g2 }
        }
        return Multiplicity.holmCombined([directed, chi], alpha: a, name: "E ĝ = ∇f (directed t + χ², Holm)")
    }

    static let secondMoment = Claim(
        id: "MEZO-SECOND-MOMENT", source: source("Lemma 2 (n = 1) / Nesterov–Spokoiny Lemma 3"),
        statement: "On a quadratic, E‖ĝ‖² = (d + 2)‖∇f‖² for the Gaussian estimator.",
        proof: "Proofs/estimators.md#mezo-second-moment", alpha: alpha
    ) { context in
        try Checks.secondMomentClaim(
            gaussian(context), theory: GaussianRGE(), bed: Checks.gaussianBed(dimension: 10, context: context),
            count: context.draws(8000), alpha: context.alpha(alpha), context: context,
            name: "E‖ĝ‖²/((d+2)‖g‖²) = 1")
    }

    static let smoothed = Claim(
        id: "MEZO-SMOOTHED", source: source("§2 / Nesterov–Spokoiny Theorem 1 (Gaussian smoothing)"),
        statement:
            """
            On a non-quadratic f the Gaussian estimator is unbiased for ∇f_ε, the gradient of f_ε(θ) = E f(θ + \
            εz), not for ∇f (checked on Σ aᵢcos(bᵢθᵢ), whose f_ε is closed-form).
            """,
        proof: "Proofs/estimators.md#mezo-smoothed", alpha: alpha
    ) { context in
        let d = 10
        let n = context.draws(4000)
        let epsilon = 0.5
        let problem = try CosineSum<Double>(dimension: d, key: context.key.fold(in: .problem))
        let theta = problem.initialPoint()
        guard let smoothedGradient = problem.smoothedGradient(theta, epsilon: epsilon) else {
            throw ZOError(
                "CosineSum lost its smoothed gradient", at: "MEZO-SMOOTHED", fix: "restore CosineSum.smoothedGradient")
        }
        let samples = try Checks.estimates(
            GaussianRGE(), objective: problem, at: theta, count: n, key: context.key.fold(in: .draws), epsilon: epsilon)
        return Checks.unbiased(
            samples, target: smoothedGradient, gradient: try problem.gradient(theta),
            alpha: context.alpha(alpha), key: context.key, name: "E ĝ = ∇f_ε at ε = 0.5")
    }

    static let sphereSecondMoment = Claim(
        id: "SPHERE-SECOND-MOMENT", source: source("Lemma 2 (sphere of radius √d)"),
        statement: "For z uniform on the sphere of radius √d, E ĝ = ∇f and E‖ĝ‖² = d‖∇f‖² on a quadratic.",
        proof: "Proofs/estimators.md#sphere-second-moment", alpha: alpha
    ) { context in
        try sphereCheck(context, samplesPerEstimate: 1)
    }

    static let nSPSA = Claim(
        id: "NSPSA-SECOND-MOMENT", source: source("Lemma 2 (n-SPSA)"),
        statement: "Averaging n sphere estimates gives E‖ĝ‖² = (d + n − 1)/n · ‖∇f‖² on a quadratic.",
        proof: "Proofs/estimators.md#nspsa-second-moment", alpha: alpha
    ) { context in
        try sphereCheck(context, samplesPerEstimate: 4)
    }

    static func sphereCheck(_ context: ClaimContext, samplesPerEstimate k: Int) throws -> Verdict {
        let d = 12
        let bed = try Checks.gaussianBed(dimension: d, context: context)
        let g = bed.g
        let samples = try Checks.draws(SphereRGE(), bed: bed, count: context.draws(6000), context: context, samples: k)
        let a = context.alpha(alpha)
        let mean = Checks.unbiased(
            samples, target: g, alpha: Multiplicity.bonferroni(a, tests: 2), key: context.key, name: "E ĝ = ∇f")
        let expected = Double(d + k - 1) / Double(k) * Checks.norm2(g)
        let second = Checks.secondMoment(
            samples, expected: expected, alpha: Multiplicity.bonferroni(a, tests: 2),
            name: "E‖ĝ‖² = (d+n−1)/n‖g‖², n = \(k)")
        return Multiplicity.holmCombined([mean, second], alpha: a, name: "sphere moments, n = \(k)")
    }

    static let oneStep = Claim(
        id: "ONE-STEP-QUADRATIC", source: source("Lemma 1 / Theorem 1 (descent lemma, exact on quadratics)"),
        statement:
            """
            One ZO-SGD step on a quadratic with Hessian H: E f(θ − ηĝ) − f(θ) = −η‖g‖² + ½η²(‖g‖² tr H + 2gᵀHg) \
            for the Gaussian estimator.
            """,
        proof: "Proofs/estimators.md#one-step-gaussian", alpha: alpha
    ) { context in
        // The per-draw change is a quadratic form in ĝ (skewed, heavy-tailed): n is large so that the
        // t-test's size holds (audited: `zocheck audit --id ONE-STEP-QUADRATIC --alpha 0.05`).
        let d = 32
        let n = context.draws(24000)
        let problem = try LeastSquares<Double>(
            dimension: d, spectrum: .effectiveRank(4), key: context.key.fold(in: .problem))
        let theta = problem.initialPoint()
        let g = try problem.gradient(theta)
        guard let hg = problem.hessianVectorProduct(g), let spectrum = problem.hessianSpectrum,
            let L = problem.smoothness
        else {
            throw ZOError(
                "LeastSquares lost its Hessian", at: "ONE-STEP-QUADRATIC", fix: "restore LeastSquares' spectrum")
        }
        let eta = 1 / (L * Double(d + 2))
        let f0 = try problem.loss(theta)
        let predicted =
            -eta * Checks.norm2(g) + 0.5 * eta * eta * (Checks.norm2(g) * spectrum.reduce(0, +) + 2 * Checks.dot(g, hg))
        let samples = try Checks.estimates(
            GaussianRGE(), objective: problem, at: theta, count: n, key: context.key.fold(in: .draws))
        var changes: [Double] = []
        for gh in samples {
            var p = theta
            for i in 0..<d { p.values[i] -= eta * gh[i] }
            changes.append((try problem.loss(p) - f0) / abs(predicted))
        }
        var v = MeanChecks.scalarMean(
            changes, target: predicted / abs(predicted), alpha: context.alpha(alpha),
            name: "E[f(θ−ηĝ) − f(θ)] = exact one-step formula")
        v.effectUnit = "× |predicted change|"
        return v
    }

    static let effectiveRank = Claim(
        id: "MEZO-EFFECTIVE-RANK", source: source("Lemma 3 / Theorem 1 (effective rank r = tr H/‖H‖)"),
        statement:
            """
            E[ĝᵀHĝ] = ‖g‖² tr H + 2gᵀHg: the ZO slowdown is governed by tr H = r‖H‖ (effective rank r), not by d \
            (checked at d = 256, r = 4).
            """,
        proof: "Proofs/estimators.md#mezo-effective-rank", alpha: alpha
    ) { context in
        let d = 256
        let n = context.draws(6000)
        let problem = try LeastSquares<Double>(
            dimension: d, spectrum: .effectiveRank(4), key: context.key.fold(in: .problem))
        let theta = problem.initialPoint()
        let g = try problem.gradient(theta)
        guard let hg = problem.hessianVectorProduct(g), let spectrum = problem.hessianSpectrum else {
            throw ZOError(
                "LeastSquares lost its Hessian", at: "MEZO-EFFECTIVE-RANK", fix: "restore LeastSquares' spectrum")
        }
        let predicted = Checks.norm2(g) * spectrum.reduce(0, +) + 2 * Checks.dot(g, hg)
        let samples = try Checks.estimates(
            GaussianRGE(), objective: problem, at: theta, count: n, key: context.key.fold(in: .draws))
        let values = try samples.map { gh -> Double in
            guard let h = problem.hessianVectorProduct(gh) else {
                throw ZOError("no Hv", at: "MEZO-EFFECTIVE-RANK", fix: "")
            }
            return Checks.dot(gh, h) / predicted
        }
        var v = MeanChecks.scalarMean(
            values, target: 1, alpha: context.alpha(alpha), name: "E[ĝᵀHĝ] / (‖g‖² tr H + 2gᵀHg) = 1")
        v.effectUnit = "relative"
        v.details += String(format: "; tr H/‖H‖ = %.2f versus d = %d", spectrum.reduce(0, +) / (spectrum.max() ?? 1), d)
        return v
    }
}
