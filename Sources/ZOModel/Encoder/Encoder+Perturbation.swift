import Foundation
import ZOCore

// Forward passes at θ + εZ for a ZOCore `Perturbation` Z without modifying θ and without a copy of θ:
// - matrix tensors whose Z_t = U Vᵀ (LOZO, SubZero) are applied *fused*: x(W + εUVᵀ)ᵀ = xWᵀ + ε(xV)Uᵀ
//   in the linear layers, and rows of U Vᵀ added after the embedding lookups; W is never formed;
// - every other tensor (MeZO's dense Z, vectors under LOZO) is *streamed*: just before a stage
//   (embeddings, each layer, the head) runs, its tensors are copied into a small arena and perturbed
//   there (`stage`), and of the word-embedding table only the rows the batch reads are (`gather`).
//   The arena holds one layer (1.8M values for all-MiniLM-L6-v2, 7 MB) instead of a perturbed copy
//   of all of θ (86 MB), which was ~10 % of a 16×64 forward and the whole gap between ZO and
//   inference memory. Every perturbed value is computed by the same `addScaled` arithmetic as in the
//   copy (`split`), so both paths give the same bits (EncoderPerturbationTests); θ itself is never touched.
// Legend: B batch, T tokens, N = B·T, C hidden.

/// The non-low-rank part of a perturbation θ + εZ: which tensors are read perturbed.
@usableFromInline
struct DensePerturbation: Sendable {
    let z: any Perturbation
    let epsilon: Double
    /// dense[t]: tensor t is read as θ_t + εZ_t (false: fused low-rank, or unperturbed).
    let dense: [Bool]
}

/// Where the kernels read each tensor: θ itself, or the arena copy of a perturbed tensor.
@usableFromInline
struct ParameterSource<T: EncoderScalar> {
    @usableFromInline let base: UnsafePointer<T>
    @usableFromInline var local: [Int: UnsafePointer<T>] = [:]

    @usableFromInline init(base: UnsafePointer<T>) { self.base = base }

    @inlinable subscript(_ r: TensorRef) -> UnsafePointer<T> { local[r.index] ?? base + r.offset }
}

extension BertEncoder {
    /// θ + εZ split into a dense part (a copy of θ with the non-low-rank tensors perturbed; θ
    /// itself when there are none) and the fused low-rank deltas of the other matrices.
    /// (`forward(_:perturbation:…)` streams the dense part instead; this copy serves multi-chunk losses.)
    public func split(_ parameters: Parameters<T>, perturbation z: any Perturbation, epsilon: Double)
        throws(ZOError) -> (parameters: Parameters<T>, deltas: WeightDeltas<T>)
    {
        let (deltas, dense) = try partition(parameters, perturbation: z, epsilon: epsilon)
        var copy = parameters
        for t in layout.parameters.tensors.indices where dense.dense[t] {
            copy.withTensor(t) { w in z.addScaled(epsilon, tensor: t, to: w) }
        }
        return (copy, deltas)
    }

    /// The fused low-rank deltas, and the tensors perturbed densely.
    func partition(_ parameters: Parameters<T>, perturbation z: any Perturbation, epsilon: Double)
        throws(ZOError) -> (WeightDeltas<T>, DensePerturbation)
    {
        guard z.layout == parameters.layout, parameters.layout == layout.parameters else {
            throw ZOError(
                """
                the perturbation's layout (\(z.layout.count) values) is not this encoder's \
                (\(layout.parameters.count))
                """,
                at: "BertEncoder.split", fix: "draw the perturbation with the encoder's parameters")
        }
        // Forming the factors (keyed Gaussians, QR for SubZero) is per tensor and independent:
        // concurrently, each stored at its index (the same values as a serial loop).
        let specs = layout.parameters.tensors
        var formed = [LowRankDelta<T>?](repeating: nil, count: specs.count)
        formed.withUnsafeMutableBufferPointer { out in
            ParallelChunks.forEach(specs.count, elements: parameters.count) { t in
                if specs[t].kind == .matrix, let f = z.lowRankFactors(tensor: t) {
                    out[t] = LowRankDelta(f, scale: epsilon)
                }
            }
        }
        var deltas = WeightDeltas<T>()
        var dense = [Bool](repeating: false, count: specs.count)
        for t in specs.indices {
            if let d = formed[t] { deltas.lowRank[t] = d } else { dense[t] = true }
        }
        return (deltas, DensePerturbation(z: z, epsilon: epsilon, dense: dense))
    }

    /// The forward pass at θ + εZ (nil Z: at θ), low-rank tensors fused and the others streamed.
    /// Returns Σ_b ℓ_b as `forward` does. The activations are those of θ + εZ (no backward from them).
    @discardableResult
    public func forward(
        _ parameters: Parameters<T>, perturbation z: (any Perturbation)?, epsilon: Double,
        tokens: EncoderBatch, activations: EncoderActivations<T>
    ) throws(ZOError) -> Double? {
        guard let z else { return try forward(parameters, tokens: tokens, activations: activations) }
        let (deltas, dense) = try partition(parameters, perturbation: z, epsilon: epsilon)
        return try forward(
            parameters, tokens: tokens, activations: activations, deltas: deltas,
            dense: dense.dense.contains(true) ? dense : nil)
    }

    /// (f(θ + εZ), f(θ − εZ)) with Z partitioned once: the −ε pass reuses the factors with the
    /// scale negated (T(−ε) = −T(ε) exactly, so the same bits as `forward(…, epsilon: −ε)`).
    public func forwardPair(
        _ parameters: Parameters<T>, perturbation z: any Perturbation, epsilon: Double,
        tokens: EncoderBatch, activations: EncoderActivations<T>
    ) throws(ZOError) -> (Double?, Double?) {
        let (deltas, dense) = try partition(parameters, perturbation: z, epsilon: epsilon)
        let negated = WeightDeltas(
            deltas.lowRank.mapValues {
                LowRankDelta(rows: $0.rows, cols: $0.cols, rank: $0.rank, u: $0.u, v: $0.v, scale: -$0.scale)
            })
        let minusDense = DensePerturbation(z: z, epsilon: -epsilon, dense: dense.dense)
        let anyDense = dense.dense.contains(true)
        let plus = try forward(
            parameters, tokens: tokens, activations: activations, deltas: deltas, dense: anyDense ? dense : nil)
        let minus = try forward(
            parameters, tokens: tokens, activations: activations, deltas: negated,
            dense: anyDense ? minusDense : nil)
        return (plus, minus)
    }

    /// Copies the densely perturbed tensors among `refs` into the arena (after `reserve` values
    /// left for the caller) and perturbs them there. With no perturbation: θ itself, no copy.
    @usableFromInline
    func stage(
        _ refs: [TensorRef], _ p: UnsafePointer<T>, _ a: EncoderActivations<T>, _ d: DensePerturbation?,
        reserve: Int = 0
    ) -> (source: ParameterSource<T>, reserved: UnsafeMutablePointer<T>?) {
        var source = ParameterSource(base: p)
        guard let d else { return (source, nil) }
        let specs = layout.parameters.tensors
        let used = refs.filter { d.dense[$0.index] }
        let arena = a.arena(used.reduce(reserve) { $0 + specs[$1.index].count })
        var starts: [Int] = []
        var cursor = reserve
        for r in used {
            starts.append(cursor)
            source.local[r.index] = UnsafePointer(arena + cursor)
            cursor += specs[r.index].count
        }
        // Tensors are independent: perturb them concurrently (each by the same serial addScaled).
        if Parallel.width > 1 {
            // Disjoint arena ranges, θ only read.
            nonisolated(unsafe) let (arena, p) = (arena, p)
            let starts = starts
            DispatchQueue.concurrentPerform(iterations: used.count) { j in perturbInto(arena + starts[j], used[j], p, d)
            }
        } else {
            for j in used.indices { perturbInto(arena + starts[j], used[j], p, d) }
        }
        return (source, arena)
    }

    /// dst ← θ_t + εZ_t (the copy, then `addScaled`).
    @usableFromInline
    func perturbInto(_ dst: UnsafeMutablePointer<T>, _ r: TensorRef, _ p: UnsafePointer<T>, _ d: DensePerturbation) {
        let count = layout.parameters.tensors[r.index].count
        dst.update(from: p + r.offset, count: count)
        d.z.addScaled(d.epsilon, tensor: r.index, to: UnsafeMutableBufferPointer(start: dst, count: count))
    }

    /// The embedding stage's tensors, and the word-embedding table to look rows up in with its ids:
    /// θ's table and the batch's ids, or (table perturbed densely) the N gathered rows wte[id] + εZ[id]
    /// with ids 0…N−1. Each row is the same bits as that row of a perturbed copy of the table.
    func embeddingSource(_ p: UnsafePointer<T>, _ a: EncoderActivations<T>, _ d: DensePerturbation?)
        -> (source: ParameterSource<T>, wte: UnsafePointer<T>, ids: [Int32]?)
    {
        let n = a.batch * a.length
        let c = config.hidden
        let w = layout.wordEmbeddings
        let refs = [
            layout.positionEmbeddings, layout.tokenTypeEmbeddings, layout.embeddingNormWeight, layout.embeddingNormBias,
        ]
        guard let d, d.dense[w.index] else { return (stage(refs, p, a, d).source, p + w.offset, nil) }
        let (source, reserved) = stage(refs, p, a, d, reserve: n * c)
        guard let rows = reserved else { return (source, p + w.offset, nil) }  // never: d is non-nil
        let ids = a.ids
        Parallel.ranges(n, minimum: 64, align: 1) { tokens in
            for i in tokens {
                let id = Int(ids[i])
                let row = rows + i * c  // (C)
                row.update(from: p + w.offset + id * c, count: c)
                d.z.addScaled(
                    d.epsilon, tensor: w.index, elements: (id * c)..<(id * c + c),
                    to: UnsafeMutableBufferPointer(start: row, count: c))
            }
        }
        return (source, UnsafePointer(rows), (0..<n).map { Int32($0) })
    }
}
