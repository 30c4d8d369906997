import Testing
import ZOCore

/// f that returns NaN: a diverged model.
struct NaNObjective: Objective {
    let layout: ParameterLayout
    func loss(_ p: Parameters<Double>, batch: BatchSelection) throws -> Double { .nan }
}

/// Bad input is a thrown `ZOError` with what/where/fix, never a trap.
@Suite struct BadInputTests {
    func expectError(_ fragment: String, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected a ZOError mentioning '\(fragment)'")
        } catch let error as ZOError {
            #expect(error.description.contains(fragment), "message: \(error.description)")
            #expect(!error.fix.isEmpty)
        } catch {
            Issue.record("expected ZOError, got \(error)")
        }
    }

    @Test func estimatorArguments() throws {
        expectError("rank r must be ≥ 1") { _ = try LOZO(rank: 0) }
        expectError("rank r must be ≥ 1") { _ = try SubZero(rank: -2) }
        expectError("lazy interval ν must be ≥ 1") { _ = try LOZO(rank: 2, lazyInterval: 0) }
        expectError("refresh interval F must be ≥ 1") { _ = try SubZero(rank: 2, refreshInterval: 0) }
        expectError("ε must be a finite number > 0") { _ = try ZOEstimator(GaussianRGE(), epsilon: 0) }
        expectError("ε must be a finite number > 0") { _ = try ZOEstimator(GaussianRGE(), epsilon: -1e-3) }
        expectError("ε must be a finite number > 0") { _ = try ZOEstimator(GaussianRGE(), epsilon: .nan) }
        expectError("ε must be a finite number > 0") { _ = try CoordinateDifferences(epsilon: 0) }
        expectError("number of averaged samples") { _ = try ZOEstimator(GaussianRGE(), samples: 0) }
        expectError("sparsity must be in [0, 1)") { _ = try SparseMeZO(sparsity: 1) }
        expectError("sparsity must be in [0, 1)") { _ = try SparseMeZO(sparsity: -0.1) }
        expectError("sparsity must be in [0, 1)") { _ = try SparseMeZO(sparsity: .nan) }
    }

    @Test func rankAboveMinDimension() throws {
        let layout = try ParameterLayout([("W", [5, 3]), ("b", [5])])
        let objective = DenseQuadratic<Double>(layout: layout, key: PRNGKey(seed: 1))
        let theta = Parameters<Double>(zeros: layout)
        for d in [try LOZO(rank: 4) as any PerturbationDistribution, try SubZero(rank: 4)] {
            expectError("exceeds min(m, n) = 3 of tensor 'W'") { try measure(d, objective, theta) }
        }
        expectError("exceeds min(m, n) = 3") {
            _ = try LOZOReferenceFaithful(rank: 4, lazyInterval: 2).validate(layout)
        }
    }

    private func measure<D: PerturbationDistribution>(_ d: D, _ o: DenseQuadratic<Double>, _ theta: Parameters<Double>)
        throws
    {
        _ = try ZOEstimator(d).measure(o, at: theta, step: 0, key: PRNGKey(seed: 2))
    }

    @Test func shapesAndLayouts() throws {
        expectError("duplicate tensor name 'W'") { _ = try ParameterLayout([("W", [2, 2]), ("W", [3])]) }
        expectError("only 1-D [n] and 2-D [m, n]") { _ = try ParameterLayout([("T", [2, 2, 2])]) }
        expectError("only 1-D [n] and 2-D [m, n]") { _ = try ParameterLayout([("T", [0, 2])]) }
        expectError("at least one tensor") { _ = try ParameterLayout([]) }
        let layout = try ParameterLayout.matrix(rows: 3, cols: 2)
        expectError("got 5 values for a layout of 6") {
            _ = try Parameters<Double>(layout: layout, values: [1, 2, 3, 4, 5])
        }
        let other = try ParameterLayout.vector(count: 6)
        let objective = DenseQuadratic<Double>(layout: other, key: PRNGKey(seed: 1))
        expectError("do not match the objective's layout") {
            _ = try ZOEstimator(GaussianRGE()).measure(
                objective, at: Parameters<Double>(zeros: layout), step: 0, key: PRNGKey(seed: 1))
        }
        var sgd = try SGD(layout: layout, learningRate: 0.1)
        var p = Parameters<Double>(zeros: layout)
        expectError("gradient has 2 values, parameters have 6") { try sgd.update(&p, gradient: [1, 2]) }
        expectError("NaN or infinity") { try sgd.update(&p, gradient: [1, 2, 3, 4, 5, .nan]) }
        expectError("step must be ≥ 0") {
            _ = try LOZO(rank: 1).perturbation(step: -1, key: PRNGKey(seed: 1), parameters: p, use: .measurement)
        }
    }

    @Test func nonFiniteLosses() throws {
        let layout = try ParameterLayout.vector(count: 4)
        let objective = NaNObjective(layout: layout)
        let theta = Parameters<Double>(zeros: layout)
        expectError("non-finite loss") {
            _ = try ZOEstimator(GaussianRGE()).measure(objective, at: theta, step: 0, key: PRNGKey(seed: 1))
        }
        expectError("non-finite loss") {
            _ = try ZOEstimator(GaussianRGE(), scheme: .forward).measure(
                objective, at: theta, step: 0, key: PRNGKey(seed: 1))
        }
        expectError("non-finite loss") {
            _ = try CoordinateDifferences().estimateGradient(objective, at: theta, step: 0, key: PRNGKey(seed: 1))
        }
        expectError("has no exact gradient") {
            _ = try FirstOrderReference().estimateGradient(objective, at: theta, step: 0, key: PRNGKey(seed: 1))
        }
    }

    @Test func optimizerArguments() throws {
        let layout = try ParameterLayout.vector(count: 3)
        expectError("learning rate η must be a finite number > 0") { _ = try ZOSGD(learningRate: 0) }
        expectError("weight decay") { _ = try ZOSGD(learningRate: 1, weightDecay: -1) }
        expectError("momentum β must be in [0, 1)") { _ = try LOZOMomentum(layout: layout, learningRate: 1, beta: 1) }
        expectError("momentum μ must be in [0, 1)") { _ = try SGD(layout: layout, learningRate: 1, momentum: 1.5) }
        expectError("β₂ must be in [0, 1)") { _ = try Adam(layout: layout, beta2: 1) }
    }
}
