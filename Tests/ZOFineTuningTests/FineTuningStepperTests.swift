import Testing
import ZOCore
import ZOFineTuning
import ZOModel
import ZOTestSupport

/// The steppers add nothing to ZOCore: a ZO step is `ZOEstimator.measure` + the optimizer's
/// update, an FO step is the objective's gradient + the optimizer, bit for bit.
@Suite struct FineTuningStepperTests {
    let data: FineTuneData
    let start: FineTuneStart
    let objective: SentenceClassificationObjective<Float>

    init() throws {
        data = try TinyFineTune.data()
        start = try TinyFineTune.start()
        objective = try SentenceClassificationObjective(encoder: start.encoder, data: data.train, chunkSize: 4)
    }

    func run(_ method: FineTuneMethod, steps: Int) throws -> (Parameters<Float>, [StepOutcome]) {
        let config = TinyFineTune.config(method)
        var stepper = try config.makeStepper(layout: start.parameters.layout)
        var theta = start.parameters
        var outcomes: [StepOutcome] = []
        for t in 0..<steps {
            outcomes.append(
                try stepper.step(
                    objective, &theta, step: t, key: config.keys.perturbation,
                    batch: .minibatch(key: config.keys.minibatch(step: t), size: 4)))
        }
        return (theta, outcomes)
    }

    /// Three steps of `estimator.measure` + ZO-SGD by hand, with `config`'s keys and minibatches.
    func byHand<D: PerturbationDistribution>(_ estimator: ZOEstimator<D>, _ config: FineTuneConfig) throws -> (
        Parameters<Float>, [Double]
    ) {
        let sgd = try ZOSGD(learningRate: config.learningRate)
        var theta = start.parameters
        var losses: [Double] = []
        for t in 0..<3 {
            let e = try estimator.measure(
                objective, at: theta, step: t, key: config.keys.perturbation,
                batch: .minibatch(key: config.keys.minibatch(step: t), size: 4))
            try sgd.update(&theta, estimate: e, estimator: estimator)
            losses.append((e.lossPlus[0] + e.lossMinus[0]) / 2)
        }
        return (theta, losses)
    }

    @Test func zoStepIsEstimatorPlusZOSGD() throws {
        let config = TinyFineTune.config(.lozo)
        let lozo = try LOZO(rank: config.rank, lazyInterval: config.lazyInterval)
        let (theta, losses) = try byHand(try ZOEstimator(lozo, epsilon: config.epsilon), config)
        let (viaStepper, outcomes) = try run(.lozo, steps: 3)
        #expect(viaStepper == theta)
        #expect(outcomes.map(\.loss) == losses)
        #expect(outcomes.allSatisfy { $0.forwardPasses == 2 && $0.backwardPasses == 0 })
    }

    /// Sparse MeZO's stepper computes the mask once per step (`.fixed` from θ_t); the steps are
    /// bit-identical to the dynamic-mask estimator + ZO-SGD, which computes it twice.
    @Test func sparseStepperIsTheDynamicMaskEstimator() throws {
        let config = TinyFineTune.config(.sparseMeZO)
        let (theta, losses) = try byHand(
            try ZOEstimator(try SparseMeZO(sparsity: config.sparsity), epsilon: config.epsilon), config)
        let (viaStepper, outcomes) = try run(.sparseMeZO, steps: 3)
        #expect(viaStepper == theta)
        #expect(outcomes.map(\.loss) == losses)
    }

    @Test func foStepIsGradientPlusOptimizer() throws {
        let config = TinyFineTune.config(.foAdam)
        var adam = try Adam(layout: start.parameters.layout, learningRate: config.learningRate)
        var theta = start.parameters
        var losses: [Double] = []
        for t in 0..<3 {
            let batch = BatchSelection.minibatch(key: config.keys.minibatch(step: t), size: 4)
            losses.append(try objective.loss(theta, batch: batch))
            try adam.update(&theta, gradient: try objective.gradient(theta, batch: batch))
        }
        let (viaStepper, outcomes) = try run(.foAdam, steps: 3)
        #expect(viaStepper == theta)
        #expect(outcomes.map(\.loss) == losses)
        #expect(outcomes.allSatisfy { $0.forwardPasses == 1 && $0.backwardPasses == 1 })
    }

    /// Every method moves θ and reports finite losses; LOZO-M keeps momentum and basis, Adam its moments.
    @Test func everyMethodStepsAndKeepsItsState() throws {
        for method in FineTuneMethod.allCases {
            let (theta, outcomes) = try run(method, steps: 3)
            #expect(theta != start.parameters, "\(method)")
            #expect(outcomes.allSatisfy { $0.loss.isFinite && $0.loss > 0 }, "\(method)")
        }
        var lozoM = try TinyFineTune.config(.lozoM).makeStepper(layout: start.parameters.layout)
        var theta = start.parameters
        _ = try lozoM.step(
            objective, &theta, step: 0, key: PRNGKey(seed: 1), batch: .minibatch(key: PRNGKey(seed: 2), size: 4))
        #expect(
            lozoM.snapshot.integers["lastStep"] == 0 && lozoM.snapshot.arrays.keys.contains { $0.hasPrefix("basis.") })
        let adam = try TinyFineTune.config(.foAdam).makeStepper(layout: start.parameters.layout)
        #expect(adam.snapshot.arrays["firstMoment"]?.count == start.parameters.count)
    }

    @Test func badHyperParametersAreZOErrors() {
        var c = TinyFineTune.config(.mezo)
        c.epsilon = 0
        expectZOError("ε") { _ = try c.makeStepper(layout: start.parameters.layout) }
        c = TinyFineTune.config(.sparseMeZO)
        c.sparsity = 1.5
        expectZOError("sparsity") { _ = try c.makeStepper(layout: start.parameters.layout) }
    }
}
