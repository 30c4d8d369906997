/// Anything that turns forward passes (or a backward pass) into a gradient estimate.
/// Implemented by `ZOEstimator` (every perturbation-based method), `CoordinateDifferences`
/// and `FirstOrderReference`; researchers can conform their own estimators.
public protocol GradientEstimator: Sendable {
    var name: String { get }
    func estimateGradient<O: Objective>(
        _ objective: O, at parameters: Parameters<O.Scalar>, step: Int,
        key: PRNGKey, batch: BatchSelection
    ) throws -> GradientSample<O.Scalar>
    /// Exact moments of one estimate on a quadratic with gradient g at θ, where derived; nil otherwise.
    func exactMoments<T: ZOScalar>(gradient g: [Double], at parameters: Parameters<T>) -> ExactMoments?
}

extension GradientEstimator {
    public func exactMoments<T: ZOScalar>(gradient g: [Double], at parameters: Parameters<T>) -> ExactMoments? { nil }
}

/// A materialised gradient estimate and what it cost.
public struct GradientSample<T: ZOScalar>: Sendable {
    public var gradient: [T]
    public var forwardPasses: Int
    public init(gradient: [T], forwardPasses: Int) {
        self.gradient = gradient
        self.forwardPasses = forwardPasses
    }
}

/// The two-point difference: central `(f(θ+εZ) − f(θ−εZ)) / 2ε` (coefficient error O(ε²) on smooth f,
/// exact on quadratics) or one-sided `(f(θ+εZ) − f(θ)) / ε` (coefficient off by (ε/2)ZᵀHZ + O(ε²)).
/// For symmetric Z the two estimates have the same mean for every f and ε (Z → −Z), so the one-sided
/// scheme costs extra variance, not bias. See Proofs/estimators.md §Difference schemes.
public enum DifferenceScheme: String, Sendable, Codable, CaseIterable {
    case central
    case forward
}

/// How the perturbed parameters are formed for a measurement.
public enum PerturbMode: String, Sendable, Codable {
    /// θ ± εZ built in a scratch copy: θ is never modified, so nothing drifts.
    case copy
    /// The reference implementations' θ += εZ, θ −= 2εZ, θ += εZ: not bit-exact in floating point.
    case inPlace
}

/// A measured zeroth-order estimate: the projected gradients c_j and the perturbations they
/// multiply. ĝ_t = (1/n) Σ_j c_j · scale_t · Z_{j,t}.
public struct Estimate<S: Perturbation>: Sendable {
    public let step: Int
    public let key: PRNGKey
    public let epsilon: Double
    public let scheme: DifferenceScheme
    /// One perturbation per averaged sample (n-SPSA), as measured.
    public let samples: [S]
    /// c_j for each sample.
    public let coefficients: [Double]
    /// f(θ + εZ_j) for each sample.
    public let lossPlus: [Double]
    /// f(θ − εZ_j) (central) or f(θ) (one-sided) for each sample.
    public let lossMinus: [Double]
    public let forwardPasses: Int

    /// ĝ materialised from the measured perturbations.
    public func gradient<T: ZOScalar>(as type: T.Type = T.self) -> [T] {
        guard let layout = samples.first?.layout else { return [] }
        var g = [Double](repeating: 0, count: layout.count)
        let n = Double(samples.count)
        for (j, sample) in samples.enumerated() {
            for (t, spec) in layout.tensors.enumerated() {
                let z: [Double] = sample.materialize(tensor: t)
                let a = coefficients[j] * sample.gradientScale(tensor: t) / n
                for i in 0..<spec.count { g[spec.offset + i] += a * z[i] }
            }
        }
        return g.map { T($0) }
    }
}

/// The zeroth-order estimator: a perturbation distribution × a difference scheme × n samples.
///
/// Sample j of step t uses the key `key.fold(in: DrawRole.sample).fold(in: j)`, so n-SPSA
/// samples are independent and each is regenerable.
public struct ZOEstimator<D: PerturbationDistribution>: GradientEstimator {
    public let distribution: D
    public let epsilon: Double
    public let scheme: DifferenceScheme
    public let samples: Int
    public let mode: PerturbMode

    public init(
        _ distribution: D, epsilon: Double = ZODefaults.epsilon, scheme: DifferenceScheme = .central,
        samples: Int = 1, mode: PerturbMode = .copy
    ) throws(ZOError) {
        try Check.positive(
            epsilon, "ε", at: "ZOEstimator(\(distribution.name))", fix: "pass ε > 0 (1e-3 is the papers' default)")
        try Check.positive(samples, "the number of averaged samples n", at: "ZOEstimator(\(distribution.name))")
        self.distribution = distribution
        self.epsilon = epsilon
        self.scheme = scheme
        self.samples = samples
        self.mode = mode
    }

    public var name: String {
        distribution.name + (samples > 1 ? "×\(samples)" : "") + (scheme == .forward ? " (one-sided)" : "")
    }

    /// The distribution's moments averaged over n samples; central differences only (a one-sided
    /// difference adds (ε/2)ZᵀHZ, whose moments depend on H).
    public func exactMoments<T: ZOScalar>(gradient g: [Double], at parameters: Parameters<T>) -> ExactMoments? {
        guard scheme == .central, let provider = distribution as? any ExactMomentsProviding else { return nil }
        return provider.exactMoments(gradient: g, at: parameters)?.averaged(over: samples)
    }

    /// Key of sample j.
    public static func sampleKey(_ key: PRNGKey, sample j: Int) -> PRNGKey {
        key.fold(in: DrawRole.sample.rawValue).fold(in: j)
    }

    /// The perturbations of this step, regenerated (for `use: .update`, or to verify).
    public func perturbations<T: ZOScalar>(
        step: Int, key: PRNGKey, parameters: Parameters<T>,
        use: PerturbationUse
    ) throws(ZOError) -> [D.Sample] {
        var out: [D.Sample] = []
        for j in 0..<samples {
            out.append(
                try distribution.perturbation(
                    step: step, key: Self.sampleKey(key, sample: j),
                    parameters: parameters, use: use))
        }
        return out
    }

    /// Measure c_j at θ without modifying θ (copy mode; an in-place estimator restores θ, with drift).
    public func measure<O: Objective>(
        _ objective: O, at parameters: Parameters<O.Scalar>, step: Int,
        key: PRNGKey, batch: BatchSelection = .full
    ) throws -> Estimate<D.Sample> {
        var theta = parameters
        return try measure(objective, inPlace: &theta, step: step, key: key, batch: batch)
    }

    /// Measure c_j; in `.inPlace` mode θ is perturbed and restored in place, and any rounding
    /// drift of the restore is left in `parameters` (that is what the drift check measures).
    public func measure<O: Objective>(
        _ objective: O, inPlace parameters: inout Parameters<O.Scalar>, step: Int,
        key: PRNGKey, batch: BatchSelection = .full
    ) throws -> Estimate<D.Sample> {
        let location = "ZOEstimator(\(distribution.name)).measure, step \(step)"
        guard parameters.layout == objective.layout else {
            throw ZOError(
                "parameters of layout \(parameters.layout.count) values do not match the objective's layout",
                at: location, fix: "build the parameters from objective.layout")
        }
        try distribution.validate(parameters.layout)
        let zs = try perturbations(step: step, key: key, parameters: parameters, use: .measurement)
        var plus: [Double] = []
        var minus: [Double] = []
        var cs: [Double] = []
        var base: Double? = nil
        if scheme == .forward {
            let f0 = try objective.loss(parameters, batch: batch)
            try Check.finiteLoss(f0, at: location)
            base = f0
        }
        for z in zs {
            let fp: Double
            let fm: Double
            switch mode {
            case .copy:
                if let fused = objective as? any PerturbedObjective<O.Scalar> {
                    if let f0 = base {
                        fp = try fused.loss(parameters, perturbation: z, epsilon: epsilon, batch: batch)
                        fm = f0
                    } else {
                        (fp, fm) = try fused.lossPair(parameters, perturbation: z, epsilon: epsilon, batch: batch)
                    }
                    break
                }
                var probe = parameters
                Self.add(epsilon, z, to: &probe)
                fp = try objective.loss(probe, batch: batch)
                if let f0 = base {
                    fm = f0
                } else {
                    probe = parameters
                    Self.add(-epsilon, z, to: &probe)
                    fm = try objective.loss(probe, batch: batch)
                }
            case .inPlace:
                Self.add(epsilon, z, to: &parameters)
                fp = try objective.loss(parameters, batch: batch)
                if let f0 = base {
                    fm = f0
                    Self.add(-epsilon, z, to: &parameters)
                } else {
                    Self.add(-2 * epsilon, z, to: &parameters)
                    fm = try objective.loss(parameters, batch: batch)
                    Self.add(epsilon, z, to: &parameters)
                }
            }
            try Check.finiteLoss(fp, at: location)
            try Check.finiteLoss(fm, at: location)
            plus.append(fp)
            minus.append(fm)
            cs.append(scheme == .central ? (fp - fm) / (2 * epsilon) : (fp - fm) / epsilon)
        }
        let passes = scheme == .central ? 2 * samples : samples + 1
        return Estimate(
            step: step, key: key, epsilon: epsilon, scheme: scheme, samples: zs,
            coefficients: cs, lossPlus: plus, lossMinus: minus, forwardPasses: passes)
    }

    public func estimateGradient<O: Objective>(
        _ objective: O, at parameters: Parameters<O.Scalar>, step: Int,
        key: PRNGKey, batch: BatchSelection = .full
    ) throws -> GradientSample<O.Scalar> {
        let e = try measure(objective, at: parameters, step: step, key: key, batch: batch)
        return GradientSample(gradient: e.gradient(), forwardPasses: e.forwardPasses)
    }

    /// θ ← θ + α Z, tensor by tensor, without materialising Z (`Perturbation.addScaled`).
    public static func add<T: ZOScalar>(_ alpha: Double, _ z: D.Sample, to parameters: inout Parameters<T>) {
        for t in parameters.layout.tensors.indices {
            parameters.withTensor(t) { w in z.addScaled(alpha, tensor: t, to: w) }
        }
    }
}
