import Foundation

/// Zeroth-order SGD: θ_t ← θ_t − η (ĝ_t + λ θ_t), weight decay λ on matrix tensors only
/// (decided by tensor kind, never by name — the reference code's name-substring exclusion
/// misses e.g. a final `norm`; claim WEIGHT-DECAY-BY-KIND). Proofs/optimizers.md §ZO-SGD.
///
/// The update **regenerates** each sample's perturbation with `use: .update` instead of reusing
/// the measured one, exactly as memory-bound implementations must; for every correct
/// distribution the regenerated Z is bit-identical to the measured Z (claim KEYED-REGENERATION).
public struct ZOSGD: Sendable {
    public let learningRate: Double
    public let weightDecay: Double

    public init(learningRate: Double, weightDecay: Double = 0) throws(ZOError) {
        try Check.positive(learningRate, "learning rate η", at: "ZOSGD")
        guard weightDecay.isFinite, weightDecay >= 0 else {
            throw ZOError(
                "weight decay must be finite and ≥ 0, got \(weightDecay)", at: "ZOSGD",
                fix: "pass λ ≥ 0 (0 disables it)")
        }
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }

    public func update<D: PerturbationDistribution, T: ZOScalar>(
        _ parameters: inout Parameters<T>, estimate: Estimate<D.Sample>, estimator: ZOEstimator<D>
    ) throws(ZOError) {
        // Regenerate every sample from the unperturbed θ before θ changes.
        let zs = try estimator.perturbations(
            step: estimate.step, key: estimate.key, parameters: parameters, use: .update)
        let n = Double(zs.count)
        let tensors = parameters.layout.tensors
        let (eta, lambda, c) = (learningRate, weightDecay, estimate.coefficients)
        // Tensors are updated independently, each by the same serial loop: run them concurrently
        // (two cores: the word-embedding table on one, the rest on the other); the bits do not change.
        parameters.values.withUnsafeMutableBufferPointer { all in
            ParallelChunks.forEach(tensors.count, elements: all.count) { t in
                let spec = tensors[t]
                let w = UnsafeMutableBufferPointer(rebasing: all[spec.range])
                let decay = spec.kind == .matrix ? T(eta * lambda) : 0
                if decay != 0 { for i in 0..<spec.count { w[i] -= decay * w[i] } }
                for (j, z) in zs.enumerated() {
                    z.addScaled(-eta * c[j] * z.gradientScale(tensor: t) / n, tensor: t, to: w)
                }
            }
        }
    }
}
