/// SubZero, random-subspace zeroth-order optimisation (Yu et al., "SubZero: Random Subspace
/// Zeroth-Order Optimization for Memory-Efficient LLM Fine-Tuning", arXiv 2410.08989).
///
/// For W ∈ R^{m×n}: Z = s · U Z₀ Vᵀ with U ∈ R^{m×r}, V ∈ R^{n×r} Haar-distributed with
/// orthonormal columns (refreshed every F steps: functions of the block ⌊t/F⌋) and Z₀ ∈ R^{r×r}
/// i.i.d. N(0, 1), fresh every step. Vector tensors get MeZO's dense z.
///
/// Scalings (Proofs/estimators.md §SubZero):
/// - `.reference` — s = √(mn)/r inside Z, ĝ = c·Z (the reference code). With U, V fresh
///   E ĝ = G and E‖ĝ‖² = mn(1 + 2/r²)‖G‖²; with U, V fixed E[ĝ | U, V] = (mn/r²) UUᵀ G VVᵀ.
/// - `.unscaled` — s = 1, ĝ = c·Z (the paper's formula): E ĝ = (r²/mn) G, biased by a known factor.
/// - `.unbiased` — s = 1 in the perturbation and ĝ = (mn/r²)·c·Z: unbiased like `.reference`
///   but with a perturbation of norm ≈ r instead of ≈ √(mn) (a different effective ε).
/// Claims: SUBZERO-UNBIASED, SUBZERO-SECOND-MOMENT, SUBZERO-RELATIVE-VARIANCE, SUBZERO-ORTHONORMAL,
/// SUBZERO-CONDITIONAL-MEAN.
///
/// Unlike the reference code (which draws U, V from a global stream), U and V here are keyed by
/// (root, block, tensor), so every run is reproducible from its seed.
public struct SubZero: PerturbationDistribution {
    public enum Scaling: String, Sendable, Codable {
        case reference
        case unscaled
        case unbiased
    }

    public let rank: Int
    public let refreshInterval: Int
    public let scaling: Scaling

    public init(rank: Int, refreshInterval: Int = 1000, scaling: Scaling = .reference) throws(ZOError) {
        try Check.positive(
            rank, "SubZero rank r", at: "SubZero", fix: "pass a rank between 1 and min(m, n); the paper uses 8-24")
        try Check.positive(
            refreshInterval, "SubZero refresh interval F", at: "SubZero",
            fix: "pass F ≥ 1 (F = 1 refreshes U, V every step; the reference uses 1000-2000)")
        self.rank = rank
        self.refreshInterval = refreshInterval
        self.scaling = scaling
    }

    public var name: String {
        "subzero(r=\(rank),F=\(refreshInterval)\(scaling == .reference ? "" : "," + scaling.rawValue))"
    }

    public func validate(_ layout: ParameterLayout) throws(ZOError) {
        try LowRank.validate(rank: rank, layout, method: "SubZero")
    }

    public struct Sample: Perturbation {
        public let layout: ParameterLayout
        public let key: PRNGKey
        public let step: Int
        public let rank: Int
        public let refreshInterval: Int
        public let scaling: Scaling

        /// The orthonormal bases (U: m×r, V: n×r) of tensor t for this step's block.
        public func bases(tensor t: Int) -> (u: [Double], v: [Double])? {
            let spec = layout.tensors[t]
            guard spec.kind == .matrix else { return nil }
            let block = step / refreshInterval
            let u = RandomFill.haar(
                rows: spec.rows, cols: rank, key: PerturbationKey.key(key, role: .lowRankU, index: block, tensor: t))
            let v = RandomFill.haar(
                rows: spec.cols, cols: rank, key: PerturbationKey.key(key, role: .lowRankV, index: block, tensor: t))
            return (u, v)
        }

        /// Z₀ (r×r) of tensor t at this step.
        public func core(tensor t: Int) -> [Double] {
            LowRank.gaussian(rows: rank, cols: rank, key: PerturbationKey.key(key, role: .core, index: step, tensor: t))
        }

        /// s in Z = s·U Z₀ Vᵀ.
        public func perturbationScale(tensor t: Int) -> Double {
            let spec = layout.tensors[t]
            return scaling == .reference ? (Double(spec.rows * spec.cols)).squareRoot() / Double(rank) : 1
        }

        /// Z_t = (s·U Z₀) Vᵀ.
        public func lowRankFactors(tensor t: Int) -> LowRankFactors? {
            guard let (u, v) = bases(tensor: t) else { return nil }
            let spec = layout.tensors[t]
            let z0 = core(tensor: t)
            let s = perturbationScale(tensor: t)
            var uz = [Double](repeating: 0, count: spec.rows * rank)
            for i in 0..<spec.rows {
                for k in 0..<rank {
                    var acc = 0.0
                    for l in 0..<rank { acc += u[i * rank + l] * z0[l * rank + k] }
                    uz[i * rank + k] = s * acc
                }
            }
            return LowRankFactors(rows: spec.rows, cols: spec.cols, rank: rank, u: uz, v: v)
        }

        // Pre-specialised: called through protocol witnesses from other modules, where a generic
        // body runs ~10× slower (value-witness calls per element; measured in fine-tuning profiles).
        @_specialize(where T == Float)
        @_specialize(where T == Double)
        public func fill<T: ZOScalar>(tensor t: Int, into buffer: UnsafeMutableBufferPointer<T>) {
            if let f = lowRankFactors(tensor: t) {
                LowRank.writeProduct(f.u, f.v, rows: f.rows, cols: f.cols, rank: rank, scale: 1, into: buffer)
            } else {
                T.fillGaussian(buffer, key: PerturbationKey.key(key, role: .dense, index: step, tensor: t), offset: 0)
            }
        }

        public func gradientScale(tensor t: Int) -> Double {
            let spec = layout.tensors[t]
            guard spec.kind == .matrix, scaling == .unbiased else { return 1 }
            return Double(spec.rows * spec.cols) / Double(rank * rank)
        }
    }

    public func perturbation<T: ZOScalar>(
        step: Int, key: PRNGKey, parameters: Parameters<T>,
        use: PerturbationUse
    ) throws(ZOError) -> Sample {
        guard step >= 0 else { throw ZOError("step must be ≥ 0, got \(step)", at: name, fix: "count steps from 0") }
        return Sample(
            layout: parameters.layout, key: key, step: step, rank: rank,
            refreshInterval: refreshInterval, scaling: scaling)
    }
}
