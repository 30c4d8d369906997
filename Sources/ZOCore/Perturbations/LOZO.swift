/// LOZO, the low-rank zeroth-order estimator with lazy sampling (Chen et al., "Enhancing
/// Zeroth-order Fine-tuning for Language Models with Low-rank Structures", ICLR 2025, Alg. 1).
///
/// For a matrix W ∈ R^{m×n}: Z = U Vᵀ with U ∈ R^{m×r}, V ∈ R^{n×r} i.i.d. N(0, 1); U is fresh
/// every step, V is resampled every ν steps (it is a function of the block ⌊t/ν⌋). Vector
/// tensors get MeZO's dense z. ĝ_W = c · U Vᵀ / r (paper) or c · U Vᵀ (`.unscaled`, the
/// reference code's convention, which folds r into the learning rate).
///
/// Moments on a quadratic (Proofs/estimators.md §LOZO): with U, V fresh E[ĝ] = G and
/// E‖ĝ‖² = (mn + 2 + 2(m+n+1)/r)‖G‖²; inside a lazy block E_U[ĝ | V] = G V Vᵀ / r (biased
/// conditionally; E[V Vᵀ] = r I). Claims: LOZO-UNBIASED, LOZO-SECOND-MOMENT,
/// LOZO-CONDITIONAL-PROJECTION, LOZO-RANK.
///
/// Keys: U from role `.lowRankU` at index t, V from role `.lowRankV` at index ⌊t/ν⌋, so the
/// update regenerates exactly the measured U and V (contrast `LOZOReferenceFaithful`).
public struct LOZO: LowRankDistribution {
    public enum Scaling: String, Sendable, Codable {
        /// ĝ = c·UVᵀ/r (the paper's estimator; unbiased).
        case paper
        /// ĝ = c·UVᵀ (the reference code; E ĝ = r·G).
        case unscaled
    }

    public let rank: Int
    public let lazyInterval: Int
    public let scaling: Scaling

    public init(rank: Int, lazyInterval: Int = 1, scaling: Scaling = .paper) throws(ZOError) {
        try Check.positive(
            rank, "LOZO rank r", at: "LOZO", fix: "pass a rank between 1 and min(m, n); the paper uses 1-4")
        try Check.positive(
            lazyInterval, "LOZO lazy interval ν", at: "LOZO",
            fix: "pass ν ≥ 1 (ν = 1 resamples V every step; the paper uses 50-100)")
        self.rank = rank
        self.lazyInterval = lazyInterval
        self.scaling = scaling
    }

    public var name: String { "lozo(r=\(rank),ν=\(lazyInterval)\(scaling == .unscaled ? ",unscaled" : ""))" }

    public static let method = "LOZO"

    public struct Sample: LowRankSample {
        public let layout: ParameterLayout
        public let key: PRNGKey
        public let step: Int
        public let rank: Int
        public let lazyInterval: Int
        public let scale: Double

        public func lowRankFactors(tensor t: Int) -> LowRankFactors? {
            let spec = layout.tensors[t]
            guard spec.kind == .matrix else { return nil }
            let u = LowRank.gaussian(
                rows: spec.rows, cols: rank,
                key: PerturbationKey.key(key, role: .lowRankU, index: step, tensor: t))
            let v = LowRank.gaussian(
                rows: spec.cols, cols: rank,
                key: PerturbationKey.key(key, role: .lowRankV, index: step / lazyInterval, tensor: t))
            return LowRankFactors(rows: spec.rows, cols: spec.cols, rank: rank, u: u, v: v)
        }

        public func gradientScale(tensor t: Int) -> Double {
            layout.tensors[t].kind == .matrix ? scale : 1
        }

        /// True at steps where V is (re)drawn.
        public var resamplesV: Bool { step % lazyInterval == 0 }
    }

    public func perturbation<T: ZOScalar>(
        step: Int, key: PRNGKey, parameters: Parameters<T>,
        use: PerturbationUse
    ) throws(ZOError) -> Sample {
        guard step >= 0 else { throw ZOError("step must be ≥ 0, got \(step)", at: name, fix: "count steps from 0") }
        return Sample(
            layout: parameters.layout, key: key, step: step, rank: rank, lazyInterval: lazyInterval,
            scale: scaling == .paper ? 1 / Double(rank) : 1)
    }
}
