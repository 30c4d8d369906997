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

    public init(layout: ParameterLayout, learningRate: Double, beta: Double = 0.9, weightDecay: Double = 0) throws(ZOError) {
        try Check.positive(learningRate, "learning rate η", at: "LOZOMomentum")
        guard beta.isFinite, beta >= 0, beta < 1 else {
            throw ZOError("momentum β must be in [0, 1), got \(beta)", at: "LOZOMomentum", fix: "pass β in [0, 1); the paper uses 0.9")
        }
        guard weightDecay.isFinite, weightDecay >= 0 else {
            throw ZOError("weight decay must be ≥ 0, got \(weightDecay)", at: "LOZOMomentum", fix: "pass λ ≥ 0")
        }
        self.learningRate = learningRate
        self.beta = beta
        self.weightDecay = weightDecay
        self.momentum = layout.tensors.map { [Double](repeating: 0, count: $0.kind == .matrix ? 0 : $0.count) }
        self.basis = layout.tensors.map { _ in nil }
    }

    // Pre-specialised: called through protocol witnesses from other modules, where a generic
    // body runs ~10× slower (value-witness calls per element; measured in fine-tuning profiles).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public mutating func update<T: ZOScalar>(_ parameters: inout Parameters<T>, estimate: Estimate<LOZO.Sample>,
                                             estimator: ZOEstimator<LOZO>) throws(ZOError) {
        guard estimate.samples.count == 1 else {
            throw ZOError("LOZO-M needs one sample per step (got n = \(estimate.samples.count)): samples would not share V",
                          at: "LOZOMomentum.update", fix: "build the ZOEstimator with samples: 1")
        }
        if let last = lastStep, estimate.step <= last {
            throw ZOError("steps must increase (got \(estimate.step) after \(last))", at: "LOZOMomentum.update",
                          fix: "call update once per step, in order")
        }
        let z = try estimator.perturbations(step: estimate.step, key: estimate.key, parameters: parameters, use: .update)[0]
        let c = estimate.coefficients[0]
        for (t, spec) in parameters.layout.tensors.enumerated() {
            if let f = z.lowRankFactors(tensor: t) {
                updateMatrix(t, spec: spec, factors: f, c: c, scale: z.gradientScale(tensor: t), parameters: &parameters)
            } else {
                let zt: [Double] = z.materialize(tensor: t)
                for i in 0..<spec.count { momentum[t][i] = beta * momentum[t][i] + (1 - beta) * c * zt[i] }
                let eta = T(learningRate)
                let m = momentum[t]
                parameters.withTensor(t) { w in for i in 0..<spec.count { w[i] -= eta * T(m[i]) } }
            }
        }
        lastStep = estimate.step
    }

    // Pre-specialised: called through protocol witnesses from other modules, where a generic
    // body runs ~10× slower (value-witness calls per element; measured in fine-tuning profiles).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    private mutating func updateMatrix<T: ZOScalar>(_ t: Int, spec: TensorSpec, factors f: LowRankFactors, c: Double,
                                                    scale: Double, parameters: inout Parameters<T>) {
        let (m, n, r) = (spec.rows, spec.cols, f.rank)
        var nMat = momentum[t].isEmpty ? [Double](repeating: 0, count: m * r) : momentum[t]
        if let vOld = basis[t], vOld != f.v {
            // Refresh: N ← N (V_oldᵀ V_new) / n.
            var p = [Double](repeating: 0, count: r * r)
            for a in 0..<r { for b in 0..<r {
                var s = 0.0
                for j in 0..<n { s += vOld[j * r + a] * f.v[j * r + b] }
                p[a * r + b] = s / Double(n)
            } }
            var projected = [Double](repeating: 0, count: m * r)
            for i in 0..<m { for b in 0..<r {
                var s = 0.0
                for a in 0..<r { s += nMat[i * r + a] * p[a * r + b] }
                projected[i * r + b] = s
            } }
            nMat = projected
        }
        for i in 0..<(m * r) { nMat[i] = beta * nMat[i] + (1 - beta) * c * f.u[i] }
        momentum[t] = nMat
        basis[t] = f.v
        let eta = learningRate, decay = learningRate * weightDecay
        parameters.withTensor(t) { w in
            nMat.withUnsafeBufferPointer { np in f.v.withUnsafeBufferPointer { vp in
                // Rows are independent (each entry by the same expression): split a large matrix over
                // the cores; the bits do not depend on the split (Proofs/performance.md).
                nonisolated(unsafe) let (w, np, vp) = (w, np, vp)
                let rows = { @Sendable (lo: Int, hi: Int) in
                    for i in lo..<hi { for j in 0..<n {
                        var s = 0.0
                        for k in 0..<r { s += np[i * r + k] * vp[j * r + k] }
                        let old = Double(w[i * n + j])
                        w[i * n + j] = T(old - eta * scale * s - decay * old)
                    } }
                }
                ParallelChunks.run(m, elements: m * n) { r in rows(r.lowerBound, r.upperBound) }
            } }
        }
    }
}
