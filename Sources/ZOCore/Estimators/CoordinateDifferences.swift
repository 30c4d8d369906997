/// Coordinate-wise finite differences: the deterministic reference estimator.
///
/// ĝ_i = (f(θ + εe_i) − f(θ − εe_i)) / (2ε) (central) or (f(θ + εe_i) − f(θ)) / ε (one-sided).
/// Central differences are exact on quadratics up to rounding (Proofs/estimators.md
/// §Coordinate differences); cost 2d (or d + 1) forward passes. Claim: COORD-EXACT-QUADRATIC.
public struct CoordinateDifferences: GradientEstimator {
    public let epsilon: Double
    public let scheme: DifferenceScheme

    public init(epsilon: Double = ZODefaults.epsilon, scheme: DifferenceScheme = .central) throws(ZOError) {
        try Check.positive(epsilon, "ε", at: "CoordinateDifferences")
        self.epsilon = epsilon
        self.scheme = scheme
    }

    public var name: String { "coordinate-differences" }

    /// Deterministic and exact on quadratics (central): E ĝ = g, E‖ĝ‖² = ‖g‖².
    public func exactMoments<T: ZOScalar>(gradient g: [Double], at parameters: Parameters<T>) -> ExactMoments? {
        scheme == .central ? ExactMoments(mean: g, secondMoment: g.reduce(0) { $0 + $1 * $1 }) : nil
    }

    public func estimateGradient<O: Objective>(
        _ objective: O, at parameters: Parameters<O.Scalar>, step: Int,
        key: PRNGKey, batch: BatchSelection = .full
    ) throws -> GradientSample<O.Scalar> {
        let location = "CoordinateDifferences"
        var probe = parameters
        var g = [O.Scalar](repeating: 0, count: parameters.count)
        var base: Double? = nil
        if scheme == .forward {
            base = try objective.loss(parameters, batch: batch)
            try Check.finiteLoss(base!, at: location)
        }
        let e = O.Scalar(epsilon)
        for i in 0..<parameters.count {
            let original = probe.values[i]
            probe.values[i] = original + e
            let fp = try objective.loss(probe, batch: batch)
            let fm: Double
            if let f0 = base {
                fm = f0
            } else {
                probe.values[i] = original - e
                fm = try objective.loss(probe, batch: batch)
            }
            probe.values[i] = original
            try Check.finiteLoss(fp, at: location)
            try Check.finiteLoss(fm, at: location)
            // Divide by the step actually taken in this precision, not the nominal ε.
            let h =
                scheme == .central
                ? Double(original + e) - Double(original - e) : Double(original + e) - Double(original)
            g[i] = O.Scalar((fp - fm) / h)
        }
        return GradientSample(
            gradient: g, forwardPasses: scheme == .central ? 2 * parameters.count : parameters.count + 1)
    }
}

/// The first-order reference: the exact gradient of a `DifferentiableObjective`.
public struct FirstOrderReference: GradientEstimator {
    public init() {}
    public var name: String { "first-order" }

    public func exactMoments<T: ZOScalar>(gradient g: [Double], at parameters: Parameters<T>) -> ExactMoments? {
        ExactMoments(mean: g, secondMoment: g.reduce(0) { $0 + $1 * $1 })
    }

    public func estimateGradient<O: Objective>(
        _ objective: O, at parameters: Parameters<O.Scalar>, step: Int,
        key: PRNGKey, batch: BatchSelection = .full
    ) throws -> GradientSample<O.Scalar> {
        guard let differentiable = objective as? any DifferentiableObjective<O.Scalar> else {
            throw ZOError(
                "the objective \(O.self) has no exact gradient", at: "FirstOrderReference",
                fix: "conform the objective to DifferentiableObjective, or use a zeroth-order estimator")
        }
        return GradientSample(gradient: try differentiable.gradient(parameters, batch: batch), forwardPasses: 0)
    }
}
