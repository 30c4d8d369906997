import ZOCore
import ZOModel

// One optimisation step of each fine-tuning method. The ZO steppers are thin: the estimate is
// `ZOEstimator.measure` (copy mode: the objective's fused f(θ ± εZ), θ never modified) and the
// update is ZOCore's optimizer, which regenerates Z from (key, step) — the same code the
// synthetic problems run. The FO stepper differentiates with the encoder's backward pass.

/// What one step measured and cost.
public struct StepOutcome: Sendable, Equatable {
    /// The minibatch loss: f(θ) for FO; (f(θ+εZ) + f(θ−εZ))/2 = f(θ) + O(ε²) for ZO.
    public var loss: Double
    public var forwardPasses: Int
    public var backwardPasses: Int
}

/// A method's step and its optimizer state (for checkpoints).
public protocol FineTuneStepper: Sendable {
    mutating func step(
        _ objective: SentenceClassificationObjective<Float>, _ theta: inout Parameters<Float>,
        step: Int, key: PRNGKey, batch: BatchSelection
    ) throws -> StepOutcome
    var snapshot: OptimizerSnapshot { get }
    mutating func restore(_ snapshot: OptimizerSnapshot) throws(ZOError)
}

/// ZO-SGD with any perturbation distribution (MeZO, LOZO, SubZero, Sparse MeZO).
public struct ZOSGDStepper<D: PerturbationDistribution>: FineTuneStepper {
    public let estimator: ZOEstimator<D>
    public var optimizer: ZOSGD

    public init(_ distribution: D, epsilon: Double, learningRate: Double, weightDecay: Double) throws(ZOError) {
        estimator = try ZOEstimator(distribution, epsilon: epsilon)
        optimizer = try ZOSGD(learningRate: learningRate, weightDecay: weightDecay)
    }

    public mutating func step(
        _ objective: SentenceClassificationObjective<Float>, _ theta: inout Parameters<Float>,
        step: Int, key: PRNGKey, batch: BatchSelection
    ) throws -> StepOutcome {
        let e = try estimator.measure(objective, at: theta, step: step, key: key, batch: batch)
        try optimizer.update(&theta, estimate: e, estimator: estimator)
        return StepOutcome(loss: Self.meanLoss(e), forwardPasses: e.forwardPasses, backwardPasses: 0)
    }

    static func meanLoss<S>(_ e: Estimate<S>) -> Double {
        zip(e.lossPlus, e.lossMinus).reduce(0) { $0 + ($1.0 + $1.1) / 2 } / Double(max(e.lossPlus.count, 1))
    }

    public var snapshot: OptimizerSnapshot { optimizer.snapshot }
    public mutating func restore(_ snapshot: OptimizerSnapshot) throws(ZOError) { try optimizer.restore(snapshot) }
}

/// Sparse MeZO with the dynamic mask computed once per step. The mask of step t is a function of
/// θ_t alone, and θ_t does not change between the measurement and the update, so the measurement's
/// mask serves both (`.fixed` for this step): the same Z, the same bits as `.dynamic`, which computes
/// it twice (Proofs/performance.md §Sparse MeZO's mask; `FineTuningStepperTests`).
public struct SparseMeZOStepper: FineTuneStepper {
    public let sparsity: Double
    public let epsilon: Double
    public var optimizer: ZOSGD

    public init(sparsity: Double, epsilon: Double, learningRate: Double, weightDecay: Double) throws(ZOError) {
        _ = try ZOEstimator(try SparseMeZO(sparsity: sparsity), epsilon: epsilon)  // validates s and ε
        self.sparsity = sparsity
        self.epsilon = epsilon
        optimizer = try ZOSGD(learningRate: learningRate, weightDecay: weightDecay)
    }

    public mutating func step(
        _ objective: SentenceClassificationObjective<Float>, _ theta: inout Parameters<Float>,
        step: Int, key: PRNGKey, batch: BatchSelection
    ) throws -> StepOutcome {
        let mask = SparseMeZO.mask(for: theta, sparsity: sparsity)
        let estimator = try ZOEstimator(try SparseMeZO(sparsity: sparsity, maskMode: .fixed(mask)), epsilon: epsilon)
        let e = try estimator.measure(objective, at: theta, step: step, key: key, batch: batch)
        try optimizer.update(&theta, estimate: e, estimator: estimator)
        return StepOutcome(
            loss: ZOSGDStepper<SparseMeZO>.meanLoss(e), forwardPasses: e.forwardPasses, backwardPasses: 0)
    }

    public var snapshot: OptimizerSnapshot { optimizer.snapshot }
    public mutating func restore(_ snapshot: OptimizerSnapshot) throws(ZOError) { try optimizer.restore(snapshot) }
}

/// LOZO with LOZO-M's low-rank momentum.
public struct LOZOMomentumStepper: FineTuneStepper {
    public let estimator: ZOEstimator<LOZO>
    public var optimizer: LOZOMomentum

    public init(
        _ lozo: LOZO, layout: ParameterLayout, epsilon: Double, learningRate: Double, beta: Double,
        weightDecay: Double
    ) throws(ZOError) {
        estimator = try ZOEstimator(lozo, epsilon: epsilon)
        optimizer = try LOZOMomentum(layout: layout, learningRate: learningRate, beta: beta, weightDecay: weightDecay)
    }

    public mutating func step(
        _ objective: SentenceClassificationObjective<Float>, _ theta: inout Parameters<Float>,
        step: Int, key: PRNGKey, batch: BatchSelection
    ) throws -> StepOutcome {
        let e = try estimator.measure(objective, at: theta, step: step, key: key, batch: batch)
        try optimizer.update(&theta, estimate: e, estimator: estimator)
        return StepOutcome(loss: ZOSGDStepper<LOZO>.meanLoss(e), forwardPasses: e.forwardPasses, backwardPasses: 0)
    }

    public var snapshot: OptimizerSnapshot { optimizer.snapshot }
    public mutating func restore(_ snapshot: OptimizerSnapshot) throws(ZOError) { try optimizer.restore(snapshot) }
}

/// Backpropagation and a first-order optimizer (SGD, Adam).
public struct FirstOrderStepper<O: GradientOptimizer & SnapshottingOptimizer>: FineTuneStepper {
    public var optimizer: O
    /// The gradient buffer, reused across steps (not state: every step overwrites it).
    var gradient: [Float] = []

    public init(_ optimizer: O) { self.optimizer = optimizer }

    public mutating func step(
        _ objective: SentenceClassificationObjective<Float>, _ theta: inout Parameters<Float>,
        step: Int, key: PRNGKey, batch: BatchSelection
    ) throws -> StepOutcome {
        let loss = try objective.lossAndGradient(theta, batch: batch, into: &gradient)
        let g = gradient
        try Check.finiteLoss(loss, at: "FirstOrderStepper, step \(step)")
        try optimizer.update(&theta, gradient: g)
        return StepOutcome(loss: loss, forwardPasses: 1, backwardPasses: 1)
    }

    public var snapshot: OptimizerSnapshot { optimizer.snapshot }
    public mutating func restore(_ snapshot: OptimizerSnapshot) throws(ZOError) { try optimizer.restore(snapshot) }
}

extension FineTuneConfig {
    /// The stepper of `method` with this config's hyper-parameters, for parameters of `layout`.
    public func makeStepper(layout: ParameterLayout) throws(ZOError) -> any FineTuneStepper {
        let lr = learningRate
        let wd = weightDecay
        switch method {
        case .mezo:
            return try ZOSGDStepper(GaussianRGE(), epsilon: epsilon, learningRate: lr, weightDecay: wd)
        case .lozo:
            return try ZOSGDStepper(
                try LOZO(rank: rank, lazyInterval: lazyInterval), epsilon: epsilon, learningRate: lr, weightDecay: wd)
        case .lozoM:
            return try LOZOMomentumStepper(
                try LOZO(rank: rank, lazyInterval: lazyInterval), layout: layout, epsilon: epsilon,
                learningRate: lr, beta: momentum, weightDecay: wd)
        case .subzero:
            return try ZOSGDStepper(
                try SubZero(rank: rank, refreshInterval: refreshInterval), epsilon: epsilon, learningRate: lr,
                weightDecay: wd)
        case .sparseMeZO:
            return try SparseMeZOStepper(sparsity: sparsity, epsilon: epsilon, learningRate: lr, weightDecay: wd)
        case .foSGD:
            return FirstOrderStepper(try SGD(layout: layout, learningRate: lr, momentum: 0, weightDecay: wd))
        case .foAdam:
            return FirstOrderStepper(try Adam(layout: layout, learningRate: lr, weightDecay: wd))
        }
    }
}
