import ZOCore

// Forward passes at θ + εZ for a ZOCore `Perturbation` Z without modifying θ:
// - matrix tensors whose Z_t = U Vᵀ (LOZO, SubZero) are applied *fused*: x(W + εUVᵀ)ᵀ = xWᵀ + ε(xV)Uᵀ
//   in the linear layers, and rows of U Vᵀ added after the embedding lookups; W is never formed;
// - every other tensor (MeZO's dense Z, vectors under LOZO) is added into a scratch copy of θ.
// The copy costs one memcpy of the buffer (90 MB for all-MiniLM-L6-v2, ~10% of a 16×64 forward);
// θ itself is never touched, so nothing drifts (DESIGN: "Low-rank perturbations ... fused").

extension BertEncoder {
    /// θ + εZ split into a dense part (a copy of θ with the non-low-rank tensors perturbed; θ
    /// itself when there are none) and the fused low-rank deltas of the other matrices.
    public func split(_ parameters: Parameters<T>, perturbation z: any Perturbation, epsilon: Double)
        throws(ZOError) -> (parameters: Parameters<T>, deltas: WeightDeltas<T>) {
        guard z.layout == parameters.layout, parameters.layout == layout.parameters else {
            throw ZOError("the perturbation's layout (\(z.layout.count) values) is not this encoder's (\(layout.parameters.count))",
                          at: "BertEncoder.split", fix: "draw the perturbation with the encoder's parameters")
        }
        var dense = parameters
        var deltas = WeightDeltas<T>()
        for (t, spec) in layout.parameters.tensors.enumerated() {
            if spec.kind == .matrix, let f = z.lowRankFactors(tensor: t) {
                deltas.lowRank[t] = LowRankDelta(f, scale: epsilon)
            } else {
                dense.withTensor(t) { w in z.addScaled(epsilon, tensor: t, to: w) }
            }
        }
        return (dense, deltas)
    }

    /// The forward pass at θ + εZ (nil Z: at θ): `split`, then `forward` with the fused deltas.
    /// Returns Σ_b ℓ_b as `forward` does. The activations are those of θ + εZ (no backward from them).
    @discardableResult
    public func forward(_ parameters: Parameters<T>, perturbation z: (any Perturbation)?, epsilon: Double,
                        tokens: EncoderBatch, activations: EncoderActivations<T>) throws(ZOError) -> Double? {
        guard let z else { return try forward(parameters, tokens: tokens, activations: activations) }
        let (dense, deltas) = try split(parameters, perturbation: z, epsilon: epsilon)
        return try forward(dense, tokens: tokens, activations: activations, deltas: deltas)
    }
}
