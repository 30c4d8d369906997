/// SubZero with its rank capped per matrix: tensor t of shape m×n gets rank r_t = min(r, m, n).
///
/// Plain `SubZero` requires r ≤ min(m, n) for every matrix and throws otherwise; a real model has
/// thin matrices (all-MiniLM-L6-v2's token-type embeddings and a 2-class head are 2×384), so at the
/// papers' r = 8 it cannot be applied to the whole model. A cap is what an implementation that
/// "perturbs every 2-D tensor in a rank-r subspace" does in effect: a thin matrix is perturbed in its
/// whole row space (U is then an r_t×r_t orthogonal matrix).
///
/// Tensor t is perturbed exactly as `SubZero(rank: r_t, refreshInterval: F, scaling:)` perturbs it
/// under the same key (same key derivation, so the numbers are bit-identical); vectors get MeZO's
/// dense z. Each matrix then has SubZero's single-matrix moments at its own r_t
/// (Proofs/estimators.md §SubZero: E ĝ_t = G_t, E‖ĝ_t‖² = m n (1 + 2/r_t²)‖G_t‖² with the reference
/// scaling), and the multi-tensor moments follow from MULTI-TENSOR-MOMENTS.
public struct SubZeroRankCapped: PerturbationDistribution {
    public let rank: Int
    public let refreshInterval: Int
    public let scaling: SubZero.Scaling

    public init(rank: Int, refreshInterval: Int = 1000, scaling: SubZero.Scaling = .reference) throws(ZOError) {
        // SubZero's own checks (rank ≥ 1, F ≥ 1), with its messages.
        _ = try SubZero(rank: rank, refreshInterval: refreshInterval, scaling: scaling)
        self.rank = rank
        self.refreshInterval = refreshInterval
        self.scaling = scaling
    }

    public var name: String {
        "subzero(r≤\(rank),F=\(refreshInterval)\(scaling == .reference ? "" : "," + scaling.rawValue))"
    }

    /// r_t = min(r, m, n) for a matrix; nil for a vector.
    public func rank(of spec: TensorSpec) -> Int? {
        spec.kind == .matrix ? min(rank, spec.rows, spec.cols) : nil
    }

    public struct Sample: Perturbation {
        public let layout: ParameterLayout
        /// Tensor t's SubZero sample (rank r_t; the base rank for vectors, whose dense z is rank-free),
        /// all under the same key and step.
        public let perTensor: [SubZero.Sample]
        /// r_t for each tensor.
        public var ranks: [Int] { perTensor.map(\.rank) }

        @inlinable
        func sample(_ t: Int) -> SubZero.Sample { perTensor[t] }

        public func fill<T: ZOScalar>(tensor t: Int, into buffer: UnsafeMutableBufferPointer<T>) {
            sample(t).fill(tensor: t, into: buffer)
        }

        public func gradientScale(tensor t: Int) -> Double { sample(t).gradientScale(tensor: t) }

        public func lowRankFactors(tensor t: Int) -> LowRankFactors? { sample(t).lowRankFactors(tensor: t) }

        @inlinable
        public func addScaled<T: ZOScalar>(_ alpha: Double, tensor t: Int, to w: UnsafeMutableBufferPointer<T>) {
            sample(t).addScaled(alpha, tensor: t, to: w)
        }
    }

    public func perturbation<T: ZOScalar>(
        step: Int, key: PRNGKey, parameters: Parameters<T>,
        use: PerturbationUse
    ) throws(ZOError) -> Sample {
        var byRank: [Int: SubZero.Sample] = [:]
        var perTensor: [SubZero.Sample] = []
        for spec in parameters.layout.tensors {
            let r = rank(of: spec) ?? rank
            if byRank[r] == nil {
                byRank[r] = try SubZero(rank: r, refreshInterval: refreshInterval, scaling: scaling)
                    .perturbation(step: step, key: key, parameters: parameters, use: use)
            }
            if let s = byRank[r] { perTensor.append(s) }
        }
        return Sample(layout: parameters.layout, perTensor: perTensor)
    }
}

extension SubZeroRankCapped: ExactMomentsProviding {
    /// Each matrix has SubZero's terms at its own r_t = min(r, m, n) (`SubZero.tensorMoments`), vectors
    /// Gaussian ones; several tensors combine by MULTI-TENSOR-MOMENTS (Proofs/scale.md#scale-theory).
    public func tensorMoments<G: ZOScalar>(gradient g: [G], layout: ParameterLayout) -> [TensorMoments]? {
        var terms: [TensorMoments] = []
        for spec in layout.tensors {
            guard
                let t = SubZero.tensorMoments(
                    spec, rank: rank(of: spec) ?? rank, scaling: scaling,
                    gradientNorm2: TensorMoments.blockNorm2(g, spec))
            else { return nil }
            terms.append(t)
        }
        return terms
    }
}
