import Foundation
import ZOClaims
import ZOCore
import ZOModel
import ZOStats

// (b) Estimator quality at scale: at fixed pretrained weights θ and one fixed minibatch, many ZO
// estimates ĝ (fused f(θ ± εZ) through the objective, Float, ε = 1e-3) against the backprop gradient
// g of the same minibatch, next to what the synthetic theory predicts for this model's shapes.
// Proofs/scale.md#scale-estimator-moments.
//
// Every draw records four numbers, from which every reported quantity follows exactly:
//   c   the measured two-point coefficient (f(θ+εZ) − f(θ−εZ)) / 2ε,
//   c₀  = ⟨g, Z⟩ = Σ_t ⟨G_t, Z_t⟩, the directional derivative (the ε → 0, exact-arithmetic coefficient),
//   p   = Σ_t S_t ⟨G_t, Z_t⟩, so that ⟨ĝ, g⟩ = c·p,
//   w   = Σ_t S_t² ‖Z_t‖², so that ‖ĝ‖² = c²·w
// (S_t the distribution's gradient scale). ĝ₀ = c₀·S·Z is the "linearised" estimate with the same Z:
// its moments are exactly the synthetic theory's (MULTI-TENSOR-MOMENTS holds for every f's linearisation),
// so E‖ĝ₀‖² is known in closed form and serves as a control variate: the difference ‖ĝ‖² − ‖ĝ₀‖² is
// all that finite ε and Float rounding change, and it is measured with far less noise than ‖ĝ‖² itself.

/// What the synthetic theory predicts for this model's shapes and gradient (Proofs/scale.md#scale-theory).
public struct ScaleTheory: Codable, Sendable, Equatable {
    /// E‖ĝ‖² / ‖g‖² by MULTI-TENSOR-MOMENTS: (Σ_t e_t)(Σ_t q_t) + Σ_t (A_t − e_t q_t), over ‖g‖².
    public let secondMomentRatio: Double
    /// Predicted E cos(ĝ, g).
    public let cosine: Double
    /// True when `cosine` is exact for the linearisation (MeZO: c_d; Sparse MeZO: c_d̂ ‖m⊙g‖/‖g‖);
    /// false for the Gaussian approximation √(2/π)·√(Σ S_t² q_t)/(√(Σ e_t) ‖g‖) (LOZO, SubZero), which
    /// in the concentration limit is an upper bound by Jensen.
    public let cosineExact: Bool
    /// The perturbed dimension (d, or d̂ for Sparse MeZO).
    public let dimension: Int
    /// E ĝ = g (true for MeZO, LOZO, SubZero), or m ⊙ g (Sparse MeZO: ‖E ĝ − g‖/‖g‖ = `relativeBias`).
    public let relativeBias: Double
    /// The formula, in words.
    public let formula: String

    public init(
        secondMomentRatio: Double, cosine: Double, cosineExact: Bool, dimension: Int, relativeBias: Double,
        formula: String
    ) {
        self.secondMomentRatio = secondMomentRatio
        self.cosine = cosine
        self.cosineExact = cosineExact
        self.dimension = dimension
        self.relativeBias = relativeBias
        self.formula = formula
    }
}

extension ScaleTheory {
    /// E cos for Gaussian z in dimension d: Γ(d/2)/(√π Γ((d+1)/2)) (MEZO-COSINE).
    public static func gaussianCosine(dimension d: Int) -> Double {
        guard d >= 1 else { return .nan }
        return exp(lgamma(Double(d) / 2) - lgamma(Double(d + 1) / 2)) / Double.pi.squareRoot()
    }

    /// The theory for `spec` at gradient `g`; `mask` is Sparse MeZO's (required for it). The per-tensor
    /// terms e, q, A, S²q are the distribution's own (`ExactMomentsProviding.tensorMoments`), combined by
    /// MULTI-TENSOR-MOMENTS (`TensorMoments.secondMoment`). Proofs/scale.md#scale-theory.
    public static func predict<T: ZOScalar>(
        _ spec: ScaleEstimatorSpec, layout: ParameterLayout, gradient g: [T],
        mask: SparseMeZO.Mask? = nil
    ) throws(ZOError) -> ScaleTheory {
        let at = "ScaleTheory.predict(\(spec.name))"
        guard g.count == layout.count else {
            throw ZOError(
                "gradient of \(g.count) values for a layout of \(layout.count)", at: at, fix: "pass ∇f in layout order")
        }
        guard let terms = try spec.momentsProvider(mask: mask).tensorMoments(gradient: g, layout: layout) else {
            throw ZOError(
                "no exact moments for \(spec.name) on this layout", at: at,
                fix: "use a rank ≤ min(m, n) of every matrix")
        }
        let g2 = terms.reduce(0) { $0 + $1.gradientNorm2 }
        guard g2 > 0 else {
            throw ZOError(
                "the gradient is zero", at: at, fix: "measure at a point that is not stationary on this minibatch")
        }
        let second = TensorMoments.secondMoment(terms) / g2
        let gaussApprox = TensorMoments.approximateCosine(terms, gradientNorm2: g2)
        switch spec.kind {
        case .mezo:
            return ScaleTheory(
                secondMomentRatio: second, cosine: gaussianCosine(dimension: layout.count), cosineExact: true,
                dimension: layout.count, relativeBias: 0,
                formula: "E‖ĝ‖² = (d+2)‖g‖²; E cos = Γ(d/2)/(√π Γ((d+1)/2)) ≈ √(2/(πd))")
        case .lozo:
            return ScaleTheory(
                secondMomentRatio: second, cosine: gaussApprox, cosineExact: false, dimension: layout.count,
                relativeBias: 0,
                formula:
                    """
                    MULTI-TENSOR-MOMENTS with LOZO matrices (e = mn/r, q = r‖G‖², A = (mn+2+2(m+n+1)/r)‖G‖²) and \
                    Gaussian vectors; cos: Gaussian approximation
                    """
            )
        case .subzero:
            return ScaleTheory(
                secondMomentRatio: second, cosine: gaussApprox, cosineExact: false, dimension: layout.count,
                relativeBias: 0,
                formula:
                    """
                    MULTI-TENSOR-MOMENTS with SubZero matrices at r_t = min(r,m,n) (e = mn, q = ‖G‖², A = \
                    mn(1+2/r_t²)‖G‖²) and Gaussian vectors; cos: Gaussian approximation
                    """
            )
        case .sparseMeZO:
            let kept = terms.reduce(0) { $0 + $1.dimension }
            let maskedNorm2 = terms.reduce(0) { $0 + $1.q }
            let bias = max(g2 - maskedNorm2, 0).squareRoot() / g2.squareRoot()
            return ScaleTheory(
                secondMomentRatio: second, cosine: gaussianCosine(dimension: kept) * (maskedNorm2 / g2).squareRoot(),
                cosineExact: true, dimension: kept, relativeBias: bias,
                formula: "E‖ĝ‖² = (d̂+2)‖m⊙g‖²; E cos = c_d̂ ‖m⊙g‖/‖g‖")
        }
    }
}

/// One estimator's measurement.
public struct EstimatorQualityRow: Codable, Sendable {
    public let spec: ScaleEstimatorSpec
    public let estimator: String
    public let draws: Int
    public let epsilon: Double
    public let theory: ScaleTheory
    /// mean ‖ĝ‖²/‖g‖², plain Monte Carlo.
    public let secondMomentRatio: ConfidenceInterval
    /// theory + mean(‖ĝ‖² − ‖ĝ₀‖²)/‖g‖²: the control-variate estimate of E‖ĝ‖²/‖g‖².
    public let secondMomentRatioControlled: ConfidenceInterval
    /// secondMomentRatioControlled / theory: E‖ĝ‖² relative to the synthetic formula.
    public let secondMomentRelativeToTheory: ConfidenceInterval
    /// mean ‖ĝ₀‖²/‖g‖² (Monte Carlo of the exact formula: a check of the implementation at scale).
    public let linearisedSecondMomentRatio: ConfidenceInterval
    /// mean cos(ĝ, g), plain.
    public let cosine: ConfidenceInterval
    /// theory + mean(cos − cos₀) when the cosine theory is exact, else nil.
    public let cosineControlled: ConfidenceInterval?
    /// mean cos(ĝ₀, g).
    public let linearisedCosine: ConfidenceInterval
    /// √(Σ(c − c₀)²/Σ c₀²): how far the two-point coefficient is from the directional derivative.
    public let coefficientRelativeError: Double
    /// Fraction of draws with sign(c) = sign(c₀).
    public let signAgreement: Double
    public let forwardPassesPerDraw: Int
    public let secondsPerDraw: Double
    public let records: [DrawRecord]

    func withoutRecords() -> EstimatorQualityRow {
        EstimatorQualityRow(
            spec: spec, estimator: estimator, draws: draws, epsilon: epsilon, theory: theory,
            secondMomentRatio: secondMomentRatio, secondMomentRatioControlled: secondMomentRatioControlled,
            secondMomentRelativeToTheory: secondMomentRelativeToTheory,
            linearisedSecondMomentRatio: linearisedSecondMomentRatio, cosine: cosine,
            cosineControlled: cosineControlled,
            linearisedCosine: linearisedCosine, coefficientRelativeError: coefficientRelativeError,
            signAgreement: signAgreement, forwardPassesPerDraw: forwardPassesPerDraw, secondsPerDraw: secondsPerDraw,
            records: [])
    }
}

public struct EstimatorQualityReport: Codable, Sendable {
    public let problem: ProblemSummary
    public let loss: Double
    public let gradientNorm: Double
    public let epsilon: Double
    public let seed: UInt64
    public let rows: [EstimatorQualityRow]
    public let seconds: Double

    /// The same report without the per-draw records (smaller JSON).
    public func withoutRecords() -> EstimatorQualityReport {
        EstimatorQualityReport(
            problem: problem, loss: loss, gradientNorm: gradientNorm, epsilon: epsilon, seed: seed,
            rows: rows.map { $0.withoutRecords() }, seconds: seconds)
    }
}

public enum EstimatorQuality {
    /// Runs `draws` estimates of each estimator at θ on the problem's minibatch. Draw k of estimator e
    /// uses step k and key `spec.key(key).fold(in: k)` (fresh factors every draw).
    public static func measure(
        _ problem: ScaleProblem, estimators: [ScaleEstimatorSpec] = ScaleEstimatorSpec.defaults,
        draws: Int, epsilon: Double = ZODefaults.epsilon, key: PRNGKey, gradient: [Float]? = nil,
        progress: ((String, Int) -> Void)? = nil
    ) throws -> EstimatorQualityReport {
        let start = DispatchTime.now().uptimeNanoseconds
        let g = try gradient ?? problem.gradient()
        let loss = try problem.loss()
        let rows = try estimators.map { spec in
            try row(problem, spec: spec, gradient: g, draws: draws, epsilon: epsilon, key: key, progress: progress)
        }
        return EstimatorQualityReport(
            problem: problem.summary, loss: loss, gradientNorm: norm(g), epsilon: epsilon, seed: problem.setup.seed,
            rows: rows, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
    }

    /// One estimator's row on the scale problem.
    public static func row(
        _ problem: ScaleProblem, spec: ScaleEstimatorSpec, gradient g: [Float], draws: Int, epsilon: Double,
        key: PRNGKey, plantedScale: Double = 1, progress: ((String, Int) -> Void)? = nil
    ) throws -> EstimatorQualityRow {
        try row(
            problem.objective, at: problem.parameters, spec: spec, gradient: g, draws: draws, epsilon: epsilon,
            key: key, plantedScale: plantedScale, progress: progress)
    }

    /// One estimator's row on any sentence-classification objective at θ (all examples: `.full`);
    /// `g` must be its backprop gradient there. `plantedScale` ≠ 1 multiplies the distribution's gradient
    /// scale (`Rescaled`): a planted fault (dropped ½: 2; LOZO's 1/r²: 1/r), never set in normal use.
    /// Sparse MeZO runs through the library's default (dynamic) mask, recomputed from θ at every draw.
    public static func row(
        _ objective: SentenceClassificationObjective<Float>, at theta: Parameters<Float>, spec: ScaleEstimatorSpec,
        gradient g: [Float], draws: Int, epsilon: Double, key: PRNGKey, plantedScale: Double = 1,
        progress: ((String, Int) -> Void)? = nil
    ) throws -> EstimatorQualityRow {
        let at = "EstimatorQuality(\(spec.name))"
        try Check.positive(draws, "draws", at: at, fix: "pass --draws ≥ 2")
        try MemoryBudget.check(draws, of: DrawRecord.self, "\(draws) draw records", at: at, fix: "pass fewer --draws")
        try Check.positive(epsilon, "ε", at: at, fix: "pass ε > 0 (1e-3 is the papers' default)")
        guard theta.layout == objective.layout, g.count == objective.layout.count else {
            throw ZOError(
                """
                θ (\(theta.count) values) and g (\(g.count)) do not match the objective's layout \
                (\(objective.layout.count))
                """,
                at: at, fix: "pass θ and its gradient in the objective's layout")
        }
        var mask: SparseMeZO.Mask? = nil
        if let s = spec.sparsity { mask = SparseMeZO.mask(for: theta, sparsity: s) }
        let theory = try ScaleTheory.predict(spec, layout: objective.layout, gradient: g, mask: mask)
        let start = DispatchTime.now().uptimeNanoseconds
        let (records, passes): ([DrawRecord], Int)
        let k = spec.key(key)
        let problem = (objective, theta, g, draws, epsilon, k, progress)
        func go<D: PerturbationDistribution>(_ d: D) throws -> ([DrawRecord], Int) {
            plantedScale == 1
                ? try run(d, spec, problem) : try run(Rescaled(base: d, factor: plantedScale), spec, problem)
        }
        switch spec.kind {
        case .mezo: (records, passes) = try go(GaussianRGE())
        case .lozo: (records, passes) = try go(LOZO(rank: spec.rank ?? 2, lazyInterval: 1))
        case .subzero: (records, passes) = try go(SubZeroRankCapped(rank: spec.rank ?? 8, refreshInterval: 1))
        case .sparseMeZO: (records, passes) = try go(SparseMeZO(sparsity: spec.sparsity ?? 0.8))
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 / Double(draws)
        return summarise(
            records, spec: spec, theory: theory, gradientNorm: norm(g), epsilon: epsilon, passes: passes,
            secondsPerDraw: seconds)
    }

    /// The row's statistics from its records (exposed for tests and for re-analysis of saved JSON).
    public static func summarise(
        _ records: [DrawRecord], spec: ScaleEstimatorSpec, theory: ScaleTheory, gradientNorm gn: Double,
        epsilon: Double, passes: Int, secondsPerDraw: Double
    ) -> EstimatorQualityRow {
        let g2 = gn * gn
        let t = theory.secondMomentRatio
        let controlled = ConfidenceInterval.mean(
            records.map { ($0.squaredNorm - $0.linearisedSquaredNorm) / g2 }, offset: t)
        let cos = records.map { $0.cosine(gradientNorm: gn) }
        let cos0 = records.map { $0.linearisedCosine(gradientNorm: gn) }
        let err2 = records.reduce(0.0) { $0 + ($1.c - $1.c0) * ($1.c - $1.c0) }
        let c02 = records.reduce(0.0) { $0 + $1.c0 * $1.c0 }
        let agree = records.filter { ($0.c > 0) == ($0.c0 > 0) }.count
        return EstimatorQualityRow(
            spec: spec, estimator: spec.name, draws: records.count, epsilon: epsilon, theory: theory,
            secondMomentRatio: ConfidenceInterval.mean(records.map { $0.squaredNorm / g2 }),
            secondMomentRatioControlled: controlled,
            secondMomentRelativeToTheory: ConfidenceInterval(
                estimate: controlled.estimate / t, standardError: controlled.standardError / t),
            linearisedSecondMomentRatio: ConfidenceInterval.mean(records.map { $0.linearisedSquaredNorm / g2 }),
            cosine: ConfidenceInterval.mean(cos),
            cosineControlled: theory.cosineExact
                ? ConfidenceInterval.mean(zip(cos, cos0).map { $0 - $1 }, offset: theory.cosine) : nil,
            linearisedCosine: ConfidenceInterval.mean(cos0),
            coefficientRelativeError: c02 > 0 ? (err2 / c02).squareRoot() : .nan,
            signAgreement: records.isEmpty ? .nan : Double(agree) / Double(records.count),
            forwardPassesPerDraw: passes, secondsPerDraw: secondsPerDraw, records: records)
    }

    typealias RunInputs = (
        objective: SentenceClassificationObjective<Float>, theta: Parameters<Float>, g: [Float], draws: Int,
        epsilon: Double, key: PRNGKey, progress: ((String, Int) -> Void)?
    )

    static func run<D: PerturbationDistribution>(_ distribution: D, _ spec: ScaleEstimatorSpec, _ x: RunInputs) throws
        -> ([DrawRecord], Int)
    {
        let estimator = try ZOEstimator(distribution, epsilon: x.epsilon)
        var inner = DirectionalProducts(gradient: x.g, layout: x.objective.layout)
        var records: [DrawRecord] = []
        records.reserveCapacity(x.draws)
        var passes = 0
        for k in 0..<x.draws {
            let e = try estimator.measure(x.objective, at: x.theta, step: k, key: x.key.fold(in: k), batch: .full)
            passes = e.forwardPasses
            guard let z = e.samples.first, let c = e.coefficients.first else {
                throw ZOError(
                    "the estimate has no sample", at: "EstimatorQuality(\(spec.name))", fix: "report this bug")
            }
            let (c0, p, w) = inner.products(z)
            records.append(DrawRecord(c: c, c0: c0, p: p, w: w))
            if let progress = x.progress, k % max(1, x.draws / 10) == 0 { progress(spec.name, k) }
        }
        return (records, passes)
    }

    /// E cos(ĝ₀, g) of the linearised estimate by Monte Carlo over the perturbation alone (no forward
    /// pass: ĝ₀ = ⟨g, Z⟩·S·Z needs only Z and g): the mean of `lawRecords`' linearised cosines.
    /// The measured E cos(ĝ, g) differs from it only through draws where sign(c) ≠ sign(c₀) (reported as
    /// `signAgreement`). The prediction for estimators without a closed form (LOZO, SubZero).
    public static func linearisedCosine(
        _ problem: ScaleProblem, spec: ScaleEstimatorSpec, gradient g: [Float], samples: Int,
        key: PRNGKey, progress: ((String, Int) -> Void)? = nil
    ) throws -> ConfidenceInterval {
        try linearisedCosine(
            at: problem.parameters, spec: spec, gradient: g, samples: samples, key: key, progress: progress)
    }

    /// The same at any θ (its layout) with gradient g.
    public static func linearisedCosine(
        at theta: Parameters<Float>, spec: ScaleEstimatorSpec, gradient g: [Float], samples: Int,
        key: PRNGKey, progress: ((String, Int) -> Void)? = nil
    ) throws -> ConfidenceInterval {
        let gn = norm(g)
        let records = try lawRecords(
            at: theta, spec: spec, gradient: g, samples: samples, key: key, progress: progress)
        return ConfidenceInterval.mean(records.map { $0.linearisedCosine(gradientNorm: gn) })
    }

    /// The estimator's law alone: `samples` perturbations Z from the library's own distribution (the
    /// code the estimator uses, default Sparse MeZO mask included), each reduced to a record with
    /// c = c₀ = ⟨g, Z⟩, so that ‖ĝ₀‖² = c₀²·w and cos(ĝ₀, g) follow; no forward pass. Keys
    /// `spec.key(key).fold(in: .linearisedCosine).fold(in: k)` (2⁴⁰, then k): independent of the forward
    /// draws. An independent Monte Carlo of E‖ĝ₀‖² and E cos(ĝ₀, g), against which the formula is tested
    /// (Proofs/scale.md#scale-estimator-moments). `plantedScale` as in `row`.
    public static func lawRecords(
        at theta: Parameters<Float>, spec: ScaleEstimatorSpec, gradient g: [Float], samples: Int,
        key: PRNGKey, plantedScale: Double = 1, progress: ((String, Int) -> Void)? = nil
    ) throws -> [DrawRecord] {
        try Check.positive(samples, "samples", at: "EstimatorQuality.lawRecords(\(spec.name))", fix: "pass ≥ 2 samples")
        guard g.count == theta.count else {
            throw ZOError(
                "g has \(g.count) values for \(theta.count) parameters", at: "EstimatorQuality.lawRecords",
                fix: "pass ∇f in θ's layout")
        }
        let root = spec.key(key).fold(in: .linearisedCosine)
        func run<D: PerturbationDistribution>(_ d: D) throws -> [DrawRecord] {
            var inner = DirectionalProducts(gradient: g, layout: theta.layout)
            return try (0..<samples).map { k in
                let z = try d.perturbation(
                    step: k, key: ZOEstimator<D>.sampleKey(root.fold(in: k), sample: 0), parameters: theta,
                    use: .measurement)
                let (c0, p, w) = inner.products(z)
                if let progress, k % max(1, samples / 10) == 0 { progress(spec.name + " (law)", k) }
                return DrawRecord(c: c0, c0: c0, p: p, w: w)
            }
        }
        func go<D: PerturbationDistribution>(_ d: D) throws -> [DrawRecord] {
            plantedScale == 1 ? try run(d) : try run(Rescaled(base: d, factor: plantedScale))
        }
        switch spec.kind {
        case .mezo: return try go(GaussianRGE())
        case .lozo: return try go(LOZO(rank: spec.rank ?? 2, lazyInterval: 1))
        case .subzero: return try go(SubZeroRankCapped(rank: spec.rank ?? 8, refreshInterval: 1))
        case .sparseMeZO: return try go(SparseMeZO(sparsity: spec.sparsity ?? 0.8))
        }
    }

    static func norm(_ g: [Float]) -> Double { g.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot() }
}
