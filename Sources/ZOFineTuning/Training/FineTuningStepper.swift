import ZOCore
import ZOModel

// One optimisation step of each fine-tuning method. The ZO stepper is one generic adapter over
// ZOCore's `ZOOptimizer`: the estimate is `ZOEstimator.measure` (copy mode: the objective's fused
// f(θ ± εZ), θ never modified) and the update regenerates Z from (key, step) — the same code the
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

/// Any zeroth-order optimizer (`ZOOptimizer`: ZO-SGD with MeZO, LOZO or SubZero, LOZO-M, Sparse MeZO's
/// fixed-mask step) as a fine-tuning step: the optimizer's estimator measures the objective's fused
/// f(θ ± εZ) (θ never modified), then its update regenerates Z and moves θ.
public struct ZOStepper<O: ZOOptimizer>: FineTuneStepper {
    public var optimizer: O

    public init(_ optimizer: O) { self.optimizer = optimizer }

    public mutating func step(
        _ objective: SentenceClassificationObjective<Float>, _ theta: inout Parameters<Float>,
        step: Int, key: PRNGKey, batch: BatchSelection
    ) throws -> StepOutcome {
        let e = try optimizer.step(objective, &theta, step: step, key: key, batch: batch)
        return StepOutcome(loss: Self.meanLoss(e), forwardPasses: e.forwardPasses, backwardPasses: 0)
    }

    /// The mean over samples of (f(θ+εZ_j) + f(θ−εZ_j))/2.
    static func meanLoss<S>(_ e: Estimate<S>) -> Double {
        zip(e.lossPlus, e.lossMinus).reduce(0) { $0 + ($1.0 + $1.1) / 2 } / Double(max(e.lossPlus.count, 1))
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
    /// The stepper of `method` with this config's hyper-parameters, for parameters of `layout`: the ZO
    /// methods are `ZOStepper` over their `ZOOptimizer`, the first-order ones `FirstOrderStepper`.
    public func makeStepper(layout: ParameterLayout) throws(ZOError) -> any FineTuneStepper {
        let lr = learningRate
        let wd = weightDecay
        func sgd<D: PerturbationDistribution>(_ d: D) throws(ZOError) -> any FineTuneStepper {
            ZOStepper(
                ZOSGDOptimizer(
                    try ZOEstimator(d, epsilon: epsilon), rule: try ZOSGD(learningRate: lr, weightDecay: wd)))
        }
        switch method {
        case .mezo:
            return try sgd(GaussianRGE())
        case .lozo:
            return try sgd(try LOZO(rank: rank, lazyInterval: lazyInterval))
        case .lozoM:
            return ZOStepper(
                LOZOMomentumOptimizer(
                    try ZOEstimator(try LOZO(rank: rank, lazyInterval: lazyInterval), epsilon: epsilon),
                    rule: try LOZOMomentum(layout: layout, learningRate: lr, beta: momentum, weightDecay: wd)))
        case .subzero:
            return try sgd(try SubZero(rank: rank, refreshInterval: refreshInterval))
        case .sparseMeZO:
            return ZOStepper(
                try SparseMeZOOptimizer(
                    sparsity: sparsity, epsilon: epsilon, rule: try ZOSGD(learningRate: lr, weightDecay: wd)))
        case .foSGD:
            return FirstOrderStepper(try SGD(layout: layout, learningRate: lr, momentum: 0, weightDecay: wd))
        case .foAdam:
            return FirstOrderStepper(try Adam(layout: layout, learningRate: lr, weightDecay: wd))
        }
    }
}
