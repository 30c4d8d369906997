/// MeZO's Gaussian random gradient estimator (Malladi et al. 2023, "Fine-Tuning Language Models
/// with Just Forward Passes", Alg. 1; Nesterov & Spokoiny 2017).
///
/// Z ~ N(0, I_d) over **all** parameters (vectors included); ĝ = c·Z with
/// c = (f(θ+εZ) − f(θ−εZ))/(2ε). Scale 1.
///
/// Moments on a quadratic (any ε), derived in Proofs/estimators.md §Gaussian RGE:
/// E[ĝ] = g, Cov[ĝ] = ‖g‖² I + g gᵀ, E‖ĝ‖² = (d+2)‖g‖². Claims: MEZO-UNBIASED,
/// MEZO-SECOND-MOMENT, MEZO-SMOOTHED (non-quadratic f: unbiased for ∇f_ε).
///
/// Z_t is the Gaussian stream under `PerturbationKey.key(key, role: .dense, index: step, tensor: t)`:
/// nothing is stored, every regeneration gives the same numbers.
public struct GaussianRGE: PerturbationDistribution {
    public init() {}
    public var name: String { "mezo" }

    public struct Sample: Perturbation {
        public let layout: ParameterLayout
        public let key: PRNGKey
        public let step: Int

        // Pre-specialised: called through protocol witnesses from other modules, where a generic
        // body runs ~10× slower (value-witness calls per element; measured in fine-tuning profiles).
        @_specialize(where T == Float)
        @_specialize(where T == Double)
        public func fill<T: ZOScalar>(tensor t: Int, into buffer: UnsafeMutableBufferPointer<T>) {
            T.fillGaussian(buffer, key: PerturbationKey.key(key, role: .dense, index: step, tensor: t), offset: 0)
        }

        // Pre-specialised: called through protocol witnesses from other modules, where a generic
        // body runs ~10× slower (value-witness calls per element; measured in fine-tuning profiles).
        @_specialize(where T == Float)
        @_specialize(where T == Double)
        public func addScaled<T: ZOScalar>(_ alpha: Double, tensor t: Int, to w: UnsafeMutableBufferPointer<T>) {
            Self.addScaledGaussian(alpha, key: PerturbationKey.key(key, role: .dense, index: step, tensor: t), to: w)
        }

        /// The stream from element `range.lowerBound` on: only the range is generated.
        @_specialize(where T == Float)
        @_specialize(where T == Double)
        public func addScaled<T: ZOScalar>(
            _ alpha: Double, tensor t: Int, elements range: Range<Int>, to w: UnsafeMutableBufferPointer<T>
        ) {
            Self.addScaledGaussian(
                alpha, key: PerturbationKey.key(key, role: .dense, index: step, tensor: t),
                offset: range.lowerBound, to: w)
        }
    }

    public func perturbation<T: ZOScalar>(
        step: Int, key: PRNGKey, parameters: Parameters<T>,
        use: PerturbationUse
    ) throws(ZOError) -> Sample {
        Sample(layout: parameters.layout, key: key, step: step)
    }
}
