import ZOCore

// Backpropagation through the encoder, llm.c style: every layer's backward ADDS into the
// gradient buffer (same layout as the parameters); the gradient buffers of activations are
// zeroed before each use because several layers write into them.
//
// Legend: B batch, T tokens, N = B·T, C hidden, F FFN width, K classes, L layers run.

extension BertEncoder {
    /// Adds ∂(scale · Σ_b ℓ_b)/∂θ into `gradient`, for the batch of the last `forward` on
    /// `activations` (which must have had labels, a head, and no fused deltas). With
    /// scale = 1/B this is the gradient of the batch's mean cross-entropy.
    public func backward(
        _ parameters: Parameters<T>, activations a: EncoderActivations<T>, scale: Double,
        into gradient: inout [T]
    ) throws(ZOError) {
        let at = "BertEncoder.backward"
        guard parameters.layout == layout.parameters, gradient.count == layout.parameters.count, a.config == config
        else {
            throw ZOError(
                """
                parameters, gradient (\(gradient.count) values) and activations must all be for this encoder \
                (\(layout.parameters.count) parameters)
                """,
                at: at, fix: "use buffers built from encoder.layout.parameters and makeActivations")
        }
        guard a.hasLabels, !a.usedDeltas else {
            throw ZOError(
                "the last forward pass had \(a.hasLabels ? "fused perturbation deltas" : "no labels or no head")",
                at: at,
                fix: "run forward with labels, a head (classes ≥ 1) and no deltas right before backward")
        }
        parameters.values.withUnsafeBufferPointer { p in
            gradient.withUnsafeMutableBufferPointer { g in
                guard let p = p.baseAddress, let g = g.baseAddress else { return }
                backwardPass(p, g, a, scale)
            }
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    @usableFromInline
    func backwardPass(_ p: UnsafePointer<T>, _ g: UnsafeMutablePointer<T>, _ a: EncoderActivations<T>, _ scale: Double)
    {
        guard let cw = layout.classifierWeight, let cb = layout.classifierBias else { return }
        let b = a.batch
        let t = a.length
        let n = b * t
        let c = config.hidden
        let k = config.classes
        let d = a.backwardBuffers()
        d.logits.initialize(repeating: 0, count: b * k)
        CrossEntropy.backward(dlogits: d.logits, probs: a.probs, labels: a.labels, scale: scale, batch: b, classes: k)
        d.pooled.initialize(repeating: 0, count: b * c)
        Linear.backward(
            dinp: d.pooled, dweight: g + cw.offset, dbias: g + cb.offset, dout: d.logits, a.pooled,
            weight: p + cw.offset, rows: b, inputs: c, outputs: k)
        var dOut = d.stream
        var dIn = d.streamNext  // d(layer output), d(layer input): (N, C) each
        dOut.initialize(repeating: 0, count: n * c)
        MeanPooling.backward(dx: dOut, dpooled: d.pooled, mask: a.mask, batch: b, length: t, channels: c)
        for l in stride(from: config.layers - 1, through: 0, by: -1) {
            layerBackward(l, p, g, a, d, dOut: dOut, dIn: dIn)
            swap(&dOut, &dIn)
        }
        dIn.initialize(repeating: 0, count: n * c)
        LayerNorm.backward(
            dinp: dIn, dweight: g + layout.embeddingNormWeight.offset, dbias: g + layout.embeddingNormBias.offset,
            dout: dOut, a.embeddings, weight: p + layout.embeddingNormWeight.offset,
            mean: a.embeddingMean, rstd: a.embeddingRstd, rows: n, channels: c)
        Embedding.backward(
            dwte: g + layout.wordEmbeddings.offset, dwpe: g + layout.positionEmbeddings.offset,
            dwtt: g + layout.tokenTypeEmbeddings.offset, dout: dIn, ids: a.ids, types: a.types,
            batch: b, length: t, channels: c)
    }

    /// Layer l backward: from dOut = ∂/∂(layer output) (N, C), writes dIn = ∂/∂(layer input) (N, C)
    /// and adds the layer's parameter gradients into g.
    @usableFromInline
    func layerBackward(
        _ l: Int, _ p: UnsafePointer<T>, _ g: UnsafeMutablePointer<T>, _ a: EncoderActivations<T>,
        _ d: BackwardBuffers<T>, dOut: UnsafeMutablePointer<T>, dIn: UnsafeMutablePointer<T>
    ) {
        let r = layout.layers[l]
        let s = a.layers[l]
        let x: UnsafePointer<T> = UnsafePointer(l == 0 ? a.embeddingOutput : a.layers[l - 1].output)  // (N, C)
        let b = a.batch
        let t = a.length
        let n = b * t
        let c = config.hidden
        let f = config.intermediate
        // x' = LN₂(residual2), residual2 = Dense₂(gelu) + norm1.
        d.residual.initialize(repeating: 0, count: n * c)
        LayerNorm.backward(
            dinp: d.residual, dweight: g + r.outputNormWeight.offset, dbias: g + r.outputNormBias.offset,
            dout: dOut, s.residual2, weight: p + r.outputNormWeight.offset,
            mean: s.outputMean, rstd: s.outputRstd, rows: n, channels: c)
        d.norm1.update(from: d.residual, count: n * c)
        d.gelu.initialize(repeating: 0, count: n * f)
        Linear.backward(
            dinp: d.gelu, dweight: g + r.outputWeight.offset, dbias: g + r.outputBias.offset, dout: d.residual,
            s.gelu, weight: p + r.outputWeight.offset, rows: n, inputs: f, outputs: c)
        d.intermediate.initialize(repeating: 0, count: n * f)
        GELU.backward(dinp: d.intermediate, dout: d.gelu, s.intermediate, count: n * f)
        Linear.backward(
            dinp: d.norm1, dweight: g + r.intermediateWeight.offset, dbias: g + r.intermediateBias.offset,
            dout: d.intermediate, s.norm1, weight: p + r.intermediateWeight.offset, rows: n, inputs: c, outputs: f)
        // norm1 = LN₁(residual1), residual1 = Dense_o(context) + x.
        d.residual.initialize(repeating: 0, count: n * c)
        LayerNorm.backward(
            dinp: d.residual, dweight: g + r.attentionNormWeight.offset, dbias: g + r.attentionNormBias.offset,
            dout: d.norm1, s.residual1, weight: p + r.attentionNormWeight.offset,
            mean: s.norm1Mean, rstd: s.norm1Rstd, rows: n, channels: c)
        dIn.update(from: d.residual, count: n * c)
        d.context.initialize(repeating: 0, count: n * c)
        Linear.backward(
            dinp: d.context, dweight: g + r.attentionOutputWeight.offset, dbias: g + r.attentionOutputBias.offset,
            dout: d.residual, s.context, weight: p + r.attentionOutputWeight.offset, rows: n, inputs: c, outputs: c)
        d.q.initialize(repeating: 0, count: n * c)
        d.k.initialize(repeating: 0, count: n * c)
        d.v.initialize(repeating: 0, count: n * c)
        Attention.backward(
            dq: d.q, dk: d.k, dv: d.v, scratch: d.scores, dout: d.context, att: s.att, q: s.q, k: s.k, v: s.v,
            batch: b, length: t, channels: c, heads: config.heads)
        for (dy, w, bias) in [
            (d.q, r.queryWeight, r.queryBias), (d.k, r.keyWeight, r.keyBias), (d.v, r.valueWeight, r.valueBias),
        ] {
            Linear.backward(
                dinp: dIn, dweight: g + w.offset, dbias: g + bias.offset, dout: dy, x,
                weight: p + w.offset, rows: n, inputs: c, outputs: c)
        }
    }
}
