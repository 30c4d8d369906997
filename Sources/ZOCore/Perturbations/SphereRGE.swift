/// The sphere random gradient estimator: Z uniform on the sphere of radius √d in R^d
/// (MeZO paper, Lemma 2 / Definition of SPSA with spherical perturbations).
///
/// Z = √d · z/‖z‖ with z ~ N(0, I_d) over all parameters; ĝ = c·Z, scale 1.
/// Moments on a quadratic (Proofs/estimators.md §Sphere RGE): E[ĝ] = g, E‖ĝ‖² = d‖g‖²;
/// averaged over n samples E‖ĝ‖² = (d+n−1)/n · ‖g‖². Claims: SPHERE-UNBIASED, SPHERE-SECOND-MOMENT,
/// NSPSA-SECOND-MOMENT.
///
/// The norm ‖z‖ is global (all tensors), computed once per sample in Double.
public struct SphereRGE: PerturbationDistribution {
    public init() {}
    public var name: String { "sphere" }

    public struct Sample: Perturbation {
        public let layout: ParameterLayout
        public let key: PRNGKey
        public let step: Int
        /// √d / ‖z‖.
        public let factor: Double

        public func fill<T: ZOScalar>(tensor t: Int, into buffer: UnsafeMutableBufferPointer<T>) {
            // Generate in Double so that Float and Double samples share one direction.
            let spec = layout.tensors[t]
            var z = [Double](repeating: 0, count: spec.count)
            z.withUnsafeMutableBufferPointer {
                Double.fillGaussian($0, key: PerturbationKey.key(key, role: .dense, index: step, tensor: t), offset: 0)
            }
            for i in 0..<spec.count { buffer[i] = T(z[i] * factor) }
        }
    }

    public func perturbation<T: ZOScalar>(
        step: Int, key: PRNGKey, parameters: Parameters<T>,
        use: PerturbationUse
    ) throws(ZOError) -> Sample {
        let layout = parameters.layout
        var sumSquares = 0.0
        for t in layout.tensors.indices {
            let z = [Double](unsafeUninitializedCapacity: layout.tensors[t].count) { buf, n in
                Double.fillGaussian(buf, key: PerturbationKey.key(key, role: .dense, index: step, tensor: t), offset: 0)
                n = layout.tensors[t].count
            }
            for v in z { sumSquares += v * v }
        }
        return Sample(
            layout: layout, key: key, step: step, factor: Double(layout.count).squareRoot() / sumSquares.squareRoot())
    }
}
