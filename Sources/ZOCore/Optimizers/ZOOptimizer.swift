/// A zeroth-order optimizer with its estimator: step t measures ĝ_t at the unperturbed θ_t with
/// `estimator(at:step:)` and applies `update`, which regenerates Z from (key, step) (Proofs/optimizers.md).
/// `step` is the whole loop body; anything that runs ZO steps (the fine-tuning stepper, a synthetic
/// run) is one generic adapter over this protocol. State for checkpoints comes from `SnapshottingOptimizer`.
///
/// Conformers: `ZOSGDOptimizer` (ZO-SGD with a fixed estimator: MeZO, LOZO, SubZero, …),
/// `LOZOMomentumOptimizer` (LOZO-M) and `SparseMeZOOptimizer` (Sparse MeZO, the mask of θ_t computed once
/// per step).
public protocol ZOOptimizer: SnapshottingOptimizer {
    associatedtype Distribution: PerturbationDistribution
    /// The estimator that measures step `step` at θ (θ unperturbed, not yet updated).
    func estimator<T: ZOScalar>(at parameters: Parameters<T>, step: Int) throws(ZOError) -> ZOEstimator<Distribution>
    /// θ ← the update from `estimate`, measured at this θ by `estimator`.
    mutating func update<T: ZOScalar>(
        _ parameters: inout Parameters<T>, estimate: Estimate<Distribution.Sample>,
        estimator: ZOEstimator<Distribution>
    ) throws(ZOError)
}

extension ZOOptimizer {
    /// One step: measure at θ (copy mode leaves θ bit-identical), then update θ. Returns the estimate.
    public mutating func step<O: Objective>(
        _ objective: O, _ parameters: inout Parameters<O.Scalar>, step: Int, key: PRNGKey,
        batch: BatchSelection = .full
    ) throws -> Estimate<Distribution.Sample> {
        let estimator = try self.estimator(at: parameters, step: step)
        let e = try estimator.measure(objective, at: parameters, step: step, key: key, batch: batch)
        try update(&parameters, estimate: e, estimator: estimator)
        return e
    }
}

/// ZO-SGD (`ZOSGD`: θ ← θ − η(ĝ + λθ), decay on matrices) with one fixed estimator.
public struct ZOSGDOptimizer<D: PerturbationDistribution>: ZOOptimizer {
    public let estimator: ZOEstimator<D>
    public var rule: ZOSGD

    public init(_ estimator: ZOEstimator<D>, rule: ZOSGD) {
        self.estimator = estimator
        self.rule = rule
    }

    public func estimator<T: ZOScalar>(at parameters: Parameters<T>, step: Int) throws(ZOError) -> ZOEstimator<D> {
        estimator
    }

    public func update<T: ZOScalar>(
        _ parameters: inout Parameters<T>, estimate: Estimate<D.Sample>, estimator: ZOEstimator<D>
    ) throws(ZOError) {
        try rule.update(&parameters, estimate: estimate, estimator: estimator)
    }

    public var snapshot: OptimizerSnapshot { rule.snapshot }
    public mutating func restore(_ snapshot: OptimizerSnapshot) throws(ZOError) { try rule.restore(snapshot) }
}

/// LOZO-M (`LOZOMomentum`) with its LOZO estimator (one sample per step).
public struct LOZOMomentumOptimizer: ZOOptimizer {
    public let estimator: ZOEstimator<LOZO>
    public var rule: LOZOMomentum

    public init(_ estimator: ZOEstimator<LOZO>, rule: LOZOMomentum) {
        self.estimator = estimator
        self.rule = rule
    }

    public func estimator<T: ZOScalar>(at parameters: Parameters<T>, step: Int) throws(ZOError) -> ZOEstimator<LOZO> {
        estimator
    }

    public mutating func update<T: ZOScalar>(
        _ parameters: inout Parameters<T>, estimate: Estimate<LOZO.Sample>, estimator: ZOEstimator<LOZO>
    ) throws(ZOError) {
        try rule.update(&parameters, estimate: estimate, estimator: estimator)
    }

    public var snapshot: OptimizerSnapshot { rule.snapshot }
    public mutating func restore(_ snapshot: OptimizerSnapshot) throws(ZOError) { try rule.restore(snapshot) }
}

/// Sparse MeZO under ZO-SGD with the dynamic mask computed once per step. The mask of step t is a
/// function of θ_t alone, and θ_t does not change between the measurement and the update, so the
/// measurement's mask serves both (`.fixed` for this step): the same Z, the same bits as `.dynamic`,
/// which computes it twice (Proofs/performance.md §Sparse MeZO's mask).
public struct SparseMeZOOptimizer: ZOOptimizer {
    public let sparsity: Double
    public let epsilon: Double
    public var rule: ZOSGD

    public init(sparsity: Double, epsilon: Double, rule: ZOSGD) throws(ZOError) {
        _ = try ZOEstimator(try SparseMeZO(sparsity: sparsity), epsilon: epsilon)  // validates s and ε
        self.sparsity = sparsity
        self.epsilon = epsilon
        self.rule = rule
    }

    public func estimator<T: ZOScalar>(at parameters: Parameters<T>, step: Int) throws(ZOError)
        -> ZOEstimator<SparseMeZO>
    {
        let mask = SparseMeZO.mask(for: parameters, sparsity: sparsity)
        return try ZOEstimator(try SparseMeZO(sparsity: sparsity, maskMode: .fixed(mask)), epsilon: epsilon)
    }

    public func update<T: ZOScalar>(
        _ parameters: inout Parameters<T>, estimate: Estimate<SparseMeZO.Sample>, estimator: ZOEstimator<SparseMeZO>
    ) throws(ZOError) {
        try rule.update(&parameters, estimate: estimate, estimator: estimator)
    }

    public var snapshot: OptimizerSnapshot { rule.snapshot }
    public mutating func restore(_ snapshot: OptimizerSnapshot) throws(ZOError) { try rule.restore(snapshot) }
}
