import ZOCheck

/// Rademacher (±1) perturbations, keyed like the built-ins: entry i of tensor t at step s comes from
/// `PerturbationKey.key(key, role: .dense, index: s, tensor: t)`. E[zzᵀ] = I, so the two-point
/// estimate ĝ = c·z is unbiased on quadratics; ‖z‖² = d exactly, so E‖ĝ‖² = d‖g‖² on a linear f.
public struct RademacherPerturbation: PerturbationDistribution {
    /// The planted fault of this example: every tensor reuses tensor 0's key (a common bug when a
    /// key is not folded with the tensor index), so the tensors' perturbations are correlated and
    /// E ĝ ≠ ∇f. Off by default; `MY_ESTIMATOR_PLANTED_FAULT=1` turns it on in the tests.
    public let reusesKeyAcrossTensors: Bool

    public init(reusesKeyAcrossTensors: Bool = false) {
        self.reusesKeyAcrossTensors = reusesKeyAcrossTensors
    }

    public var name: String { reusesKeyAcrossTensors ? "rademacher (key reused across tensors)" : "rademacher" }

    public struct Sample: Perturbation {
        public let layout: ParameterLayout
        let key: PRNGKey
        let step: Int
        let reuse: Bool

        public func fill<T: ZOScalar>(tensor t: Int, into buffer: UnsafeMutableBufferPointer<T>) {
            let tensor = reuse ? 0 : t
            RandomFill.rademacher(buffer, key: PerturbationKey.key(key, role: .dense, index: step, tensor: tensor))
        }
    }

    public func perturbation<T: ZOScalar>(
        step: Int, key: PRNGKey, parameters: Parameters<T>, use: PerturbationUse
    ) throws(ZOError) -> Sample {
        Sample(layout: parameters.layout, key: key, step: step, reuse: reusesKeyAcrossTensors)
    }
}

/// The exact moments on a quadratic, declared so that the notebooks overlay this estimator's theory and
/// test it (variance-vs-dimension: E‖ĝ‖² = d‖g‖²; convergence-rates: ZO-SGD at η = 1/(dL) with its exact
/// E A). Per tensor of dimension d_t with gradient block G_t: E‖Z_t‖² = d_t, E⟨G_t, Z_t⟩² = ‖G_t‖², and
/// E⟨G_t, Z_t⟩²‖Z_t‖² = d_t‖G_t‖² since ‖Z_t‖² = d_t exactly. With the planted fault the tensors share
/// one key, so these independent-block moments are wrong for it — as a wrong implementation's would be.
extension RademacherPerturbation: ExactMomentsProviding {
    public func tensorMoments<G: ZOScalar>(gradient g: [G], layout: ParameterLayout) -> [TensorMoments]? {
        layout.tensors.map { spec in
            let n2 = TensorMoments.blockNorm2(g, spec)
            let d = Double(spec.count)
            return TensorMoments(dimension: spec.count, gradientNorm2: n2, meanScale: 1, e: d, q: n2, a: d * n2, sq: n2)
        }
    }
}
