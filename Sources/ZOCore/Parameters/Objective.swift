/// Something a ZO method can minimise: a loss of the parameters (one forward pass).
///
/// Stochastic objectives (minibatches) take the batch from `BatchSelection`, so that both
/// sides of a two-point difference see the same batch and a run is reproducible from its key.
public protocol Objective<Scalar>: Sendable {
    associatedtype Scalar: ZOScalar
    var layout: ParameterLayout { get }
    /// f(θ) on the given batch (`.full` for deterministic objectives). One forward pass.
    func loss(_ parameters: Parameters<Scalar>, batch: BatchSelection) throws -> Double
}

/// Which data a stochastic objective evaluates on: everything, or a minibatch drawn from a key.
public enum BatchSelection: Sendable, Hashable {
    case full
    /// A minibatch of `size` examples, drawn without replacement by `key`.
    case minibatch(key: PRNGKey, size: Int)
}

extension Objective {
    public func loss(_ parameters: Parameters<Scalar>) throws -> Double {
        try loss(parameters, batch: .full)
    }
}

/// An objective with an exact gradient (analytic or backpropagation): the first-order reference.
public protocol DifferentiableObjective<Scalar>: Objective {
    /// ∇f(θ) on the batch, in layout order.
    func gradient(_ parameters: Parameters<Scalar>, batch: BatchSelection) throws -> [Scalar]
}

extension DifferentiableObjective {
    public func gradient(_ parameters: Parameters<Scalar>) throws -> [Scalar] {
        try gradient(parameters, batch: .full)
    }
}

/// What a synthetic problem knows about itself exactly, for the checks: f*, L, the Hessian
/// spectrum where it is constant, an initial point, and (where closed-form) the gradient of the
/// Gaussian-smoothed objective f_ε(θ) = E f(θ + εz).
public protocol SyntheticProblem<Scalar>: DifferentiableObjective {
    var name: String { get }
    /// inf f, when known exactly.
    var optimalValue: Double? { get }
    /// A global smoothness constant L (‖∇f(x) − ∇f(y)‖ ≤ L‖x − y‖), when known.
    var smoothness: Double? { get }
    /// Eigenvalues of the (constant) Hessian, for quadratics; nil otherwise.
    var hessianSpectrum: [Double]? { get }
    /// A deterministic starting point.
    func initialPoint() -> Parameters<Scalar>
    /// ∇f_ε(θ) for Gaussian smoothing with scale ε, when known in closed form.
    func smoothedGradient(_ parameters: Parameters<Scalar>, epsilon: Double) -> [Scalar]?
    /// Hessian-vector product H v (exact), when f is a quadratic; nil otherwise.
    func hessianVectorProduct(_ v: [Scalar]) -> [Scalar]?
}

extension SyntheticProblem {
    public var optimalValue: Double? { nil }
    public var smoothness: Double? { nil }
    public var hessianSpectrum: [Double]? { nil }
    public func smoothedGradient(_ parameters: Parameters<Scalar>, epsilon: Double) -> [Scalar]? { nil }
    public func hessianVectorProduct(_ v: [Scalar]) -> [Scalar]? { nil }
}

/// An objective that evaluates f(θ + εZ) itself — fused for low-rank Z (W x + ε U(Vᵀx)), without
/// forming or modifying θ + εZ — equal to `loss(θ + εZ)` up to rounding. `ZOEstimator` (copy mode)
/// uses it when available; the transformer objective conforms.
public protocol PerturbedObjective<Scalar>: Objective {
    /// f(θ + εZ) (ε may be negative); nil Z gives f(θ).
    func loss(
        _ parameters: Parameters<Scalar>, perturbation z: (any Perturbation)?, epsilon: Double,
        batch: BatchSelection
    ) throws -> Double
    /// (f(θ + εZ), f(θ − εZ)), the central difference's pair: the same two values as two `loss`
    /// calls; an objective may share work between them (the transformer forms Z's low-rank factors once).
    func lossPair(
        _ parameters: Parameters<Scalar>, perturbation z: any Perturbation, epsilon: Double,
        batch: BatchSelection
    ) throws -> (plus: Double, minus: Double)
}

extension PerturbedObjective {
    public func lossPair(
        _ parameters: Parameters<Scalar>, perturbation z: any Perturbation, epsilon: Double,
        batch: BatchSelection
    ) throws -> (plus: Double, minus: Double) {
        (
            try loss(parameters, perturbation: z, epsilon: epsilon, batch: batch),
            try loss(parameters, perturbation: z, epsilon: -epsilon, batch: batch)
        )
    }
}
