// Written as a researcher's own package would be: `import ZOCheck` only, public API only.
import Testing
import ZOCheck

/// A researcher's own perturbation distribution: Rademacher (±1) entries, keyed like the built-ins.
/// E[zzᵀ] = I, so ĝ = c·z is unbiased on quadratics, with E‖ĝ‖² = d‖g‖² since ‖z‖² = d.
struct RademacherPerturbation: PerturbationDistribution {
    var name: String { "rademacher" }

    struct Sample: Perturbation {
        let layout: ParameterLayout
        let key: PRNGKey
        let step: Int
        func fill<T: ZOScalar>(tensor t: Int, into buffer: UnsafeMutableBufferPointer<T>) {
            RandomFill.rademacher(buffer, key: PerturbationKey.key(key, role: .dense, index: step, tensor: t))
        }
    }

    func perturbation<T: ZOScalar>(step: Int, key: PRNGKey, parameters: Parameters<T>, use: PerturbationUse)
        throws(ZOError) -> Sample
    {
        Sample(layout: parameters.layout, key: key, step: step)
    }
}

/// A researcher's own problem: f(θ) = Σ wᵢ θᵢ² / 2 + Σ θᵢ over a two-tensor layout.
struct WeightedBowl: DifferentiableObjective {
    let layout: ParameterLayout
    let weights: [Double]
    init() throws {
        layout = try ParameterLayout([("A", [3, 4]), ("bias", [3])])
        weights = (0..<15).map { 1 + Double($0) / 10 }
    }
    func loss(_ p: Parameters<Double>, batch: BatchSelection) throws -> Double {
        zip(weights, p.values).reduce(0) { $0 + $1.0 * $1.1 * $1.1 / 2 + $1.1 }
    }
    func gradient(_ p: Parameters<Double>, batch: BatchSelection) throws -> [Double] {
        zip(weights, p.values).map { $0 * $1 + 1 }
    }
}

/// A researcher's own estimator: the antithetic average of a built-in estimator at two keys.
struct TwoKeyAverage<D: PerturbationDistribution>: GradientEstimator {
    let base: ZOEstimator<D>
    var name: String { "two-key(\(base.name))" }
    func estimateGradient<O: Objective>(
        _ objective: O, at parameters: Parameters<O.Scalar>, step: Int,
        key: PRNGKey, batch: BatchSelection
    ) throws -> GradientSample<O.Scalar> {
        let (k1, k2) = key.split()
        let a = try base.estimateGradient(objective, at: parameters, step: step, key: k1, batch: batch)
        let b = try base.estimateGradient(objective, at: parameters, step: step, key: k2, batch: batch)
        return GradientSample(
            gradient: zip(a.gradient, b.gradient).map { ($0 + $1) / 2 },
            forwardPasses: a.forwardPasses + b.forwardPasses)
    }
}

@Suite struct ResearcherExtensionTests {
    /// The own distribution plugs into ZOEstimator: central difference = directional derivative, and
    /// regeneration for the update is bit-identical.
    @Test func ownDistributionWorksWithTheEstimator() throws {
        let problem = try WeightedBowl()
        let theta = try Parameters<Double>(layout: problem.layout, values: (0..<15).map { Double($0) / 7 - 1 })
        let estimator = try ZOEstimator(RademacherPerturbation(), epsilon: 0.1)
        let g = try problem.gradient(theta)
        for step in 0..<10 {
            let e = try estimator.measure(problem, at: theta, step: step, key: PRNGKey(seed: 3))
            let z: [Double] = e.samples[0].materialize()
            #expect(z.allSatisfy { $0 == 1 || $0 == -1 })
            let exact = zip(g, z).reduce(0) { $0 + $1.0 * $1.1 }
            #expect(abs(e.coefficients[0] - exact) <= 1e-12 * (1 + abs(exact)), "step \(step), seed 3")
            let again: [Double] = try estimator.perturbations(
                step: step, key: PRNGKey(seed: 3), parameters: theta, use: .update)[0].materialize()
            #expect(again == z)
        }
    }

    /// Unbiasedness of the own distribution: for Rademacher z, E[⟨g,z⟩ z] = g exactly, so the mean of ĝ over
    /// N = 20 000 draws is within 4.89 standard errors (α = 1e-6 per coordinate-free direction test) of g.
    @Test func ownDistributionIsUnbiased() throws {
        let problem = try WeightedBowl()
        let theta = Parameters<Double>(zeros: problem.layout)
        let g = try problem.gradient(theta)
        let estimator = try ZOEstimator(RademacherPerturbation(), epsilon: 1e-3)
        let n = 20_000
        var s = 0.0
        var s2 = 0.0
        let gn = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
        for step in 0..<n {
            let gh: [Double] = try estimator.measure(problem, at: theta, step: step, key: PRNGKey(seed: 4)).gradient()
            let along = zip(gh, g).reduce(0) { $0 + $1.0 * $1.1 } / gn
            s += along
            s2 += along * along
        }
        let mean = s / Double(n)
        let se = ((s2 / Double(n) - mean * mean) / Double(n)).squareRoot()
        #expect(abs(mean - gn) <= 4.89 * se, "mean along g \(mean) vs ‖g‖ \(gn), seed 4")
    }

    /// The own estimator and problem train with the built-in optimizers.
    @Test func ownEstimatorTrainsWithBuiltInOptimizer() throws {
        let problem = try WeightedBowl()
        var theta = Parameters<Double>(zeros: problem.layout)
        let f0 = try problem.loss(theta)
        let estimator = TwoKeyAverage(base: try ZOEstimator(RademacherPerturbation(), epsilon: 1e-3))
        var sgd = try SGD(layout: problem.layout, learningRate: 0.02)
        for step in 0..<1500 {
            let sample = try estimator.estimateGradient(
                problem, at: theta, step: step, key: PRNGKey(seed: 5), batch: .full)
            #expect(sample.forwardPasses == 4)
            try sgd.update(&theta, gradient: sample.gradient)
        }
        // f* = −Σ 1/(2wᵢ); the run must close most of the gap.
        let fStar = problem.weights.reduce(0) { $0 - 1 / (2 * $1) }
        #expect(try problem.loss(theta) - fStar < 0.02 * (f0 - fStar), "seed 5")
    }
}

/// Claim templates applied to the researcher's own estimator, in a few lines each.
@Suite struct ClaimTemplateTests {
    @Test func ownEstimatorAgainstTemplates() throws {
        let problem = try WeightedBowl()
        let theta = Parameters<Double>(zeros: problem.layout)
        let estimator = try ZOEstimator(RademacherPerturbation(), epsilon: 1e-3)
        let unbiased = try ClaimTemplates.unbiased(estimator, on: problem, at: theta, alpha: 1e-5, seed: 7)
        #expect(unbiased.outcome == .pass, "\(unbiased)")
        // Rademacher: ‖z‖² = d exactly, so E‖ĝ‖² = d‖g‖² (not the Gaussian d + 2).
        let d = Double(problem.layout.count)
        let second = try ClaimTemplates.secondMoment(estimator, on: problem, at: theta, alpha: 1e-5, seed: 8) { g in
            d * g.reduce(0) { $0 + $1 * $1 }
        }
        #expect(second.outcome == .pass, "\(second)")
        let wrong = try ClaimTemplates.secondMoment(estimator, on: problem, at: theta, alpha: 1e-5, seed: 8) { g in
            (d + 2) * g.reduce(0) { $0 + $1 * $1 }
        }
        #expect(wrong.outcome == .fail, "the Gaussian formula must be rejected for Rademacher: \(wrong)")
        // Rate: with a constant step on this strongly convex bowl, f − f* decays geometrically: slope ≤ −1 holds.
        let fStar = problem.weights.reduce(0) { $0 - 1 / (2 * $1) }
        let rate = try ClaimTemplates.convergenceRate(
            horizons: [50, 100, 200, 400], seeds: 6, exponent: 1, alpha: 1e-5, seed: 9
        ) { steps, key in
            var p = Parameters<Double>(zeros: problem.layout)
            let sgd = try ZOSGD(learningRate: 0.02)
            for t in 0..<steps {
                let e = try estimator.measure(problem, at: p, step: t, key: key)
                try sgd.update(&p, estimate: e, estimator: estimator)
            }
            return try problem.loss(p) - fStar
        }
        #expect(rate.outcome == .pass, "\(rate)")
    }
}
