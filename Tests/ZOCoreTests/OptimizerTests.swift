import Foundation
import Testing
import ZOCore

@Suite struct OptimizerTests {
    /// ZO-SGD: θ ← θ − η(ĝ + λθ) with λ on matrices only (vectors named like "norm" included).
    @Test func zoSGDAppliesEstimateAndDecayByKind() throws {
        let layout = try networkLayout()
        let problem = DenseQuadratic<Double>(layout: layout, key: PRNGKey(seed: 3))
        let theta: Parameters<Double> = try randomParameters(layout, key: PRNGKey(seed: 4))
        for distribution in try allDistributions() {
            try check(distribution, problem: problem, theta: theta)
        }
    }

    private func check<D: PerturbationDistribution>(_ d: D, problem: DenseQuadratic<Double>, theta: Parameters<Double>)
        throws
    {
        let estimator = try ZOEstimator(d, epsilon: 1e-3, samples: 2)
        let sgd = try ZOSGD(learningRate: 0.05, weightDecay: 0.1)
        let e = try estimator.measure(problem, at: theta, step: 6, key: PRNGKey(seed: 5))
        let g: [Double] = e.gradient()
        var updated = theta
        try sgd.update(&updated, estimate: e, estimator: estimator)
        for spec in theta.layout.tensors {
            for i in spec.range {
                let decay = spec.kind == .matrix ? 0.1 * theta.values[i] : 0
                let expected = theta.values[i] - 0.05 * (g[i] + decay)
                #expect(
                    abs(updated.values[i] - expected) <= 1e-12 * (1 + abs(expected)),
                    "\(d.name) \(spec.name)[\(i - spec.offset)]")
            }
        }
    }

    /// LOZO-M against a direct transcription of the update rules, across a V refresh.
    @Test func lozoMomentumMatchesTheRecurrence() throws {
        let layout = try ParameterLayout([("W", [6, 4]), ("b", [6])])
        let problem = DenseQuadratic<Double>(layout: layout, key: PRNGKey(seed: 6))
        let lozo = try LOZO(rank: 2, lazyInterval: 2)
        let estimator = try ZOEstimator(lozo, epsilon: 1e-3)
        var opt = try LOZOMomentum(layout: layout, learningRate: 0.1, beta: 0.8)
        var theta: Parameters<Double> = try randomParameters(layout, key: PRNGKey(seed: 7))
        let key = PRNGKey(seed: 8)
        var nRef = [Double](repeating: 0, count: 12)
        var vRef: [Double]? = nil
        var mRef = [Double](repeating: 0, count: 6)
        for step in 0..<5 {
            let e = try estimator.measure(problem, at: theta, step: step, key: key)
            let f = try #require(e.samples[0].lowRankFactors(tensor: 0))
            let c = e.coefficients[0]
            if let vOld = vRef, vOld != f.v {
                var projected = [Double](repeating: 0, count: 12)
                for i in 0..<6 {
                    for b in 0..<2 {
                        for a in 0..<2 {
                            let p = (0..<4).reduce(0.0) { $0 + vOld[$1 * 2 + a] * f.v[$1 * 2 + b] } / 4
                            projected[i * 2 + b] += nRef[i * 2 + a] * p
                        }
                    }
                }
                nRef = projected
            }
            nRef = (0..<12).map { 0.8 * nRef[$0] + 0.2 * c * f.u[$0] }
            vRef = f.v
            let z: [Double] = e.samples[0].materialize(tensor: 1)
            mRef = (0..<6).map { 0.8 * mRef[$0] + 0.2 * c * z[$0] }
            var expected = theta
            for i in 0..<6 {
                for j in 0..<4 {
                    let s = (0..<2).reduce(0.0) { $0 + nRef[i * 2 + $1] * f.v[j * 2 + $1] }
                    expected.values[i * 4 + j] -= 0.1 * 0.5 * s
                }
            }
            for i in 0..<6 { expected.values[24 + i] -= 0.1 * mRef[i] }
            try opt.update(&theta, estimate: e, estimator: estimator)
            for i in 0..<theta.count {
                #expect(abs(theta.values[i] - expected.values[i]) <= 1e-12, "step \(step) entry \(i)")
            }
        }
        #expect(throws: ZOError.self) {
            let e = try estimator.measure(problem, at: theta, step: 2, key: key)
            try opt.update(&theta, estimate: e, estimator: estimator)
        }
    }

    /// A matrix large enough for LOZO-M's row split (m·n ≥ 2¹⁸) is updated to exactly the bits of
    /// the serial expression T(w − η·scale·Σ_k N_ik V_jk − ηλ·w), read from the optimizer's own N and V.
    @Test func lozoMomentumSplitUpdateIsTheSerialExpression() throws {
        let layout = try ParameterLayout([("W", [640, 512]), ("b", [16])])
        let objective = SumOfSquares<Float>(layout: layout)
        let estimator = try ZOEstimator(try LOZO(rank: 2, lazyInterval: 3), epsilon: 1e-3)
        var opt = try LOZOMomentum(layout: layout, learningRate: 0.05, beta: 0.7, weightDecay: 0.01)
        var theta: Parameters<Float> = try randomParameters(layout, key: PRNGKey(seed: 31))
        for step in 0..<4 {
            let before = theta
            let e = try estimator.measure(objective, at: theta, step: step, key: PRNGKey(seed: 32))
            try opt.update(&theta, estimate: e, estimator: estimator)
            let n = opt.momentum[0]
            let v = try #require(opt.basis[0])
            let scale = e.samples[0].gradientScale(tensor: 0)
            var mismatches = 0
            for i in 0..<640 {
                for j in 0..<512 {
                    var s = 0.0
                    for k in 0..<2 { s += n[i * 2 + k] * v[j * 2 + k] }
                    let old = Double(before.values[i * 512 + j])
                    if theta.values[i * 512 + j] != Float(old - 0.05 * scale * s - 0.05 * 0.01 * old) {
                        mismatches += 1
                    }
                }
            }
            #expect(mismatches == 0, "step \(step), seeds 31/32")
        }
    }

    /// FO-SGD (μ = 0) on a buffer large enough for the split path: exactly T(θ − η(g + λθ)),
    /// decay on the matrix only, two steps (the unused velocity does not leak into the second).
    @Test func sgdWithoutMomentumIsThePlainStep() throws {
        let layout = try ParameterLayout([("W", [300, 300]), ("b", [7])])
        var p: Parameters<Float> = try randomParameters(layout, key: PRNGKey(seed: 51))
        var sgd = try SGD(layout: layout, learningRate: 0.1, weightDecay: 0.01)
        for step in 0..<2 {
            let g = RandomFill.gaussian(Float.self, count: layout.count, key: PRNGKey(seed: 52 + UInt64(step)))
            let expected = (0..<layout.count).map { i -> Float in
                let t = Double(p.values[i])
                return Float(t - 0.1 * (Double(g[i]) + (i < 90_000 ? 0.01 * t : 0)))
            }
            try sgd.update(&p, gradient: g)
            #expect(p.values == expected, "step \(step), seeds 51-53")
        }
    }

    /// SGD with momentum and Adam against their formulas, two steps, decay on matrices only.
    @Test func firstOrderOptimizersMatchFormulas() throws {
        let layout = try ParameterLayout([("W", [1, 2]), ("b", [1])])
        var p = try Parameters<Double>(layout: layout, values: [1, -2, 3])
        var sgd = try SGD(layout: layout, learningRate: 0.1, momentum: 0.9, weightDecay: 0.5)
        let g1: [Double] = [0.2, 0.4, -0.6]
        let g2: [Double] = [1, 0, 2]
        try sgd.update(&p, gradient: g1)
        var v = [0.2 + 0.5, 0.4 - 1.0, -0.6]
        var expected = [1 - 0.1 * v[0], -2 - 0.1 * v[1], 3 - 0.1 * v[2]]
        #expect(zip(p.values, expected).allSatisfy { abs($0 - $1) < 1e-15 })
        let before = p.values
        try sgd.update(&p, gradient: g2)
        v = [0.9 * v[0] + 1 + 0.5 * before[0], 0.9 * v[1] + 0 + 0.5 * before[1], 0.9 * v[2] + 2]
        expected = (0..<3).map { before[$0] - 0.1 * v[$0] }
        #expect(zip(p.values, expected).allSatisfy { abs($0 - $1) < 1e-15 })

        var q = try Parameters<Double>(layout: layout, values: [1, -2, 3])
        var adam = try Adam(layout: layout, learningRate: 0.01, weightDecay: 0.1)
        try adam.update(&q, gradient: g1)
        // After one step Adam moves each coordinate by lr·sign(g) (bias-corrected m/√v = g/|g|).
        let g1d = [0.2 + 0.1, 0.4 - 0.2, -0.6]
        for i in 0..<3 {
            let expectedStep = 0.01 * g1d[i] / (abs(g1d[i]) + 1e-8)
            #expect(abs(([1.0, -2, 3][i] - q.values[i]) - expectedStep) < 1e-12)
        }
    }

    /// End to end: ZO-SGD with MeZO decreases a quadratic; FO-SGD too.
    @Test func descentOnAQuadratic() throws {
        let layout = try networkLayout()
        let problem = DenseQuadratic<Double>(layout: layout, key: PRNGKey(seed: 10))
        let start: Parameters<Double> = try randomParameters(layout, key: PRNGKey(seed: 11))
        let f0 = try problem.loss(start)
        var theta = start
        let estimator = try ZOEstimator(GaussianRGE(), epsilon: 1e-3)
        let sgd = try ZOSGD(learningRate: 0.5 / Double(layout.count + 2))
        for step in 0..<2000 {
            let e = try estimator.measure(problem, at: theta, step: step, key: PRNGKey(seed: 12))
            try sgd.update(&theta, estimate: e, estimator: estimator)
        }
        let fZO = try problem.loss(theta)
        var fo = start
        var opt = try SGD(layout: layout, learningRate: 0.5)
        for _ in 0..<200 { try opt.update(&fo, gradient: try problem.gradient(fo)) }
        let fFO = try problem.loss(fo)
        #expect(fZO - problem.offset < 0.05 * (f0 - problem.offset), "ZO-SGD from \(f0) to \(fZO), seed 10-12")
        #expect(fFO - problem.offset < 0.01 * (f0 - problem.offset), "FO-SGD from \(f0) to \(fFO)")
    }

    /// `ZOOptimizer.step` is the optimizer's estimator measuring at θ, then its update, bit for bit, for
    /// each conformer; the snapshot is the rule's.
    @Test func zoOptimizerStepIsMeasurePlusUpdate() throws {
        let layout = try ParameterLayout([("W", [6, 4]), ("b", [6])])
        let problem = DenseQuadratic<Double>(layout: layout, key: PRNGKey(seed: 91))
        let start: Parameters<Double> = try randomParameters(layout, key: PRNGKey(seed: 92))
        let key = PRNGKey(seed: 93)
        let lozo = try ZOEstimator(LOZO(rank: 2, lazyInterval: 2))
        // ZO-SGD with a fixed estimator.
        var viaStep = start
        var byHand = start
        var sgd = ZOSGDOptimizer(lozo, rule: try ZOSGD(learningRate: 0.05, weightDecay: 0.1))
        for t in 0..<4 {
            _ = try sgd.step(problem, &viaStep, step: t, key: key)
            let e = try lozo.measure(problem, at: byHand, step: t, key: key)
            try ZOSGD(learningRate: 0.05, weightDecay: 0.1).update(&byHand, estimate: e, estimator: lozo)
        }
        #expect(viaStep == byHand, "ZO-SGD, seeds 91-93")
        // LOZO-M.
        var momentum = LOZOMomentumOptimizer(lozo, rule: try LOZOMomentum(layout: layout, learningRate: 0.05))
        var rule = try LOZOMomentum(layout: layout, learningRate: 0.05)
        viaStep = start
        byHand = start
        for t in 0..<4 {
            _ = try momentum.step(problem, &viaStep, step: t, key: key)
            let e = try lozo.measure(problem, at: byHand, step: t, key: key)
            try rule.update(&byHand, estimate: e, estimator: lozo)
        }
        #expect(viaStep == byHand, "LOZO-M, seeds 91-93")
        #expect(momentum.snapshot == rule.snapshot)
        // Sparse MeZO with the mask of θ_t: the dynamic-mask estimator + ZO-SGD.
        var sparse = try SparseMeZOOptimizer(
            sparsity: 0.5, epsilon: ZODefaults.epsilon, rule: try ZOSGD(learningRate: 0.05))
        let dynamic = try ZOEstimator(SparseMeZO(sparsity: 0.5))
        viaStep = start
        byHand = start
        for t in 0..<4 {
            _ = try sparse.step(problem, &viaStep, step: t, key: key)
            let e = try dynamic.measure(problem, at: byHand, step: t, key: key)
            try ZOSGD(learningRate: 0.05).update(&byHand, estimate: e, estimator: dynamic)
        }
        #expect(viaStep == byHand, "Sparse MeZO, seeds 91-93")
        #expect(throws: ZOError.self) {
            _ = try SparseMeZOOptimizer(sparsity: 1.5, epsilon: 1e-3, rule: ZOSGD(learningRate: 1))
        }
    }
}

/// f(θ) = Σ θ²: cheap at any size (the split paths need large tensors).
struct SumOfSquares<T: ZOScalar>: Objective {
    let layout: ParameterLayout
    func loss(_ p: Parameters<T>, batch: BatchSelection) throws -> Double {
        p.values.reduce(0) { $0 + Double($1) * Double($1) }
    }
}
