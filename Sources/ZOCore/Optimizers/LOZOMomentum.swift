import Foundation

/// LOZO-M, LOZO with low-rank momentum (Chen et al. ICLR 2025, Alg. 2). Proofs/optimizers.md §LOZO-M.
///
/// For each matrix W (m×n) the momentum is kept as N ∈ R^{m×r} in the current V's subspace
/// (memory m·r instead of m·n):
///   inside a lazy block:   N ← β N + (1 − β) c U
///   at a V refresh:        N ← β N V_oldᵀ V_new / n + (1 − β) c U   (projects N V_oldᵀ onto span V_new,
///                          using V_newᵀ V_new ≈ n I)
///   update:                W ← W − η (scale · N Vᵀ + λ W),  scale = 1/r (paper) or 1 (unscaled).
/// Vector tensors (MeZO-style z) keep a dense heavy-ball momentum m ← β m + (1 − β) c z.
/// Claim: LOZOM-PROJECTION (the refresh preserves N Vᵀ's component in the new subspace).
public struct LOZOMomentum: Sendable {
    public let learningRate: Double
    public let beta: Double
    public let weightDecay: Double
    /// N (m×r, row-major) per matrix tensor, or the dense momentum per vector tensor.
    public internal(set) var momentum: [[Double]]
    /// V (n×r) of the block the momentum lives in, per matrix tensor.
    public internal(set) var basis: [[Double]?]
    public internal(set) var lastStep: Int?
    /// The layout the state mirrors (restore checks shapes against it).
    let layout: ParameterLayout

    public init(layout: ParameterLayout, learningRate: Double, beta: Double = 0.9, weightDecay: Double = 0)
        throws(ZOError)
    {
        try Check.positive(learningRate, "learning rate η", at: "LOZOMomentum")
        guard beta.isFinite, beta >= 0, beta < 1 else {
            throw ZOError(
                "momentum β must be in [0, 1), got \(beta)", at: "LOZOMomentum",
                fix: "pass β in [0, 1); the paper uses 0.9")
        }
        guard weightDecay.isFinite, weightDecay >= 0 else {
            throw ZOError("weight decay must be ≥ 0, got \(weightDecay)", at: "LOZOMomentum", fix: "pass λ ≥ 0")
        }
        self.learningRate = learningRate
        self.beta = beta
        self.weightDecay = weightDecay
        self.momentum = layout.tensors.map { [Double](repeating: 0, count: $0.kind == .matrix ? 0 : $0.count) }
        self.basis = layout.tensors.map { _ in nil }
        self.layout = layout
    }

    // Pre-specialised: called through protocol witnesses from other modules, where a generic
    // body runs ~10× slower (value-witness calls per element; measured in fine-tuning profiles).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public mutating func update<T: ZOScalar>(
        _ parameters: inout Parameters<T>, estimate: Estimate<LOZO.Sample>,
        estimator: ZOEstimator<LOZO>
    ) throws(ZOError) {
        guard estimate.samples.count == 1 else {
            throw ZOError(
                "LOZO-M needs one sample per step (got n = \(estimate.samples.count)): samples would not share V",
                at: "LOZOMomentum.update", fix: "build the ZOEstimator with samples: 1")
        }
        if let last = lastStep, estimate.step <= last {
            throw ZOError(
                "steps must increase (got \(estimate.step) after \(last))", at: "LOZOMomentum.update",
                fix: "call update once per step, in order")
        }
        let z = try estimator.perturbations(
            step: estimate.step, key: estimate.key, parameters: parameters, use: .update)[0]
        let c = estimate.coefficients[0]
        let specs = parameters.layout.tensors
        try checkState(specs, perturbation: z)
        let (beta, eta, decay) = (beta, learningRate, learningRate * weightDecay)
        // Tensors are independent (each reads and writes only its own momentum, basis and slice of
        // θ): concurrently, each by the same serial code, so the bits do not depend on the schedule.
        momentum.withUnsafeMutableBufferPointer { mp in
            basis.withUnsafeMutableBufferPointer { bp in
                parameters.values.withUnsafeMutableBufferPointer { all in
                    ParallelChunks.forEach(specs.count, elements: all.count) { t in
                        let spec = specs[t]
                        let w = UnsafeMutableBufferPointer(rebasing: all[spec.range])
                        if let f = z.lowRankFactors(tensor: t) {
                            let (nMat, v) = Self.updateMatrix(
                                spec: spec, momentum: mp[t], basis: bp[t], factors: f, c: c, beta: beta,
                                eta: eta, scale: z.gradientScale(tensor: t), decay: decay, w: w)
                            mp[t] = nMat
                            bp[t] = v
                        } else {
                            let zt: [Double] = z.materialize(tensor: t)
                            var m = mp[t]
                            for i in 0..<spec.count { m[i] = beta * m[i] + (1 - beta) * c * zt[i] }
                            let e = T(eta)
                            for i in 0..<spec.count { w[i] -= e * T(m[i]) }
                            mp[t] = m
                        }
                    }
                }
            }
        }
        lastStep = estimate.step
    }

    /// The state must fit this step's tensors and rank before the parallel update indexes it (a
    /// restored or hand-built state of another layout or rank is an error here, never a trap).
    func checkState(_ specs: [TensorSpec], perturbation z: LOZO.Sample) throws(ZOError) {
        guard specs.count == momentum.count else {
            throw ZOError(
                "the parameters have \(specs.count) tensors, the momentum \(momentum.count)", at: "LOZOMomentum.update",
                fix: "build LOZOMomentum with the parameters' layout")
        }
        for (t, spec) in specs.enumerated() {
            let rank = z.lowRankFactors(tensor: t)?.rank
            let fits =
                if let rank {
                    (momentum[t].isEmpty || momentum[t].count == spec.rows * rank)
                        && (basis[t] == nil || basis[t]?.count == spec.cols * rank)
                } else { momentum[t].count == spec.count }
            guard fits else {
                throw ZOError(
                    "the momentum state of tensor \(t) does not fit its \(spec.shape) shape at rank \(rank ?? 0)",
                    at: "LOZOMomentum.update", fix: "restore a snapshot taken with the same layout and rank")
            }
        }
    }

    /// One matrix: N refreshed onto the new V when V changed, N ← βN + (1 − β)cU, then
    /// W ← T(W − η·scale·N Vᵀ − ηλ·W) entry by entry (Σ_k from 0 in k order, in Double).
    /// Returns the new N and V.
    // Pre-specialised: called through protocol witnesses from other modules, where a generic
    // body runs ~10× slower (value-witness calls per element; measured in fine-tuning profiles).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func updateMatrix<T: ZOScalar>(
        spec: TensorSpec, momentum: [Double], basis: [Double]?, factors f: LowRankFactors,
        c: Double, beta: Double, eta: Double, scale: Double, decay: Double,
        w: UnsafeMutableBufferPointer<T>
    ) -> ([Double], [Double]) {
        let (m, n, r) = (spec.rows, spec.cols, f.rank)
        var nMat = momentum.isEmpty ? [Double](repeating: 0, count: m * r) : momentum
        if let vOld = basis, vOld != f.v {
            // Refresh: N ← N (V_oldᵀ V_new) / n.
            var p = [Double](repeating: 0, count: r * r)
            for a in 0..<r {
                for b in 0..<r {
                    var s = 0.0
                    for j in 0..<n { s += vOld[j * r + a] * f.v[j * r + b] }
                    p[a * r + b] = s / Double(n)
                }
            }
            var projected = [Double](repeating: 0, count: m * r)
            for i in 0..<m {
                for b in 0..<r {
                    var s = 0.0
                    for a in 0..<r { s += nMat[i * r + a] * p[a * r + b] }
                    projected[i * r + b] = s
                }
            }
            nMat = projected
        }
        for i in 0..<(m * r) { nMat[i] = beta * nMat[i] + (1 - beta) * c * f.u[i] }
        nMat.withUnsafeBufferPointer { np in
            f.columnsOfV.withUnsafeBufferPointer { vp in
                guard let nb = np.baseAddress, let vt = vp.baseAddress, let wb = w.baseAddress else { return }
                // Entry by entry with `LowRankFactors.rowSums` (the same sums in the same order, vectorised);
                // rows split over the cores for a large matrix, each piece with its own row of sums.
                ParallelChunks.run(m, elements: m * n) { range in
                    withUnsafeTemporaryAllocation(of: Double.self, capacity: n) { sp in
                        guard let s = sp.baseAddress else { return }
                        for i in range {
                            LowRankFactors.rowSums(nb + i &* r, columns: vt, cols: n, rank: r, into: s)
                            let wi = wb + i &* n
                            for j in 0..<n {
                                let old = Double(wi[j])
                                wi[j] = T(old - eta * scale * s[j] - decay * old)
                            }
                        }
                    }
                }
            }
        }
        return (nMat, f.v)
    }
}
