import ZOCore

// The BERT encoder (post-LayerNorm, as in BERT and all-MiniLM-L6-v2), mean pooling, and an
// optional linear classification head with mean cross-entropy.
//
// Legend: B batch, T tokens, N = B·T, C hidden, H heads, F FFN width, K classes, L layers run.
//
//   x₀ = LN(wte[id] + wpe[t] + wtt[type])                                   (N, C)
//   per layer:  a = LN(x + Dense_o(Attention(x Wqᵀ+bq, x Wkᵀ+bk, x Wvᵀ+bv)))  (N, C)
//               x' = LN(a + Dense_2(GELU(Dense_1(a))))                      (N, C), Dense_1 → (N, F)
//   pooled = mean over unmasked tokens of x_L                               (B, C)
//   logits = pooled Wcᵀ + bc                                                (B, K)

/// Per-matrix low-rank deltas ε·U Vᵀ applied fused in the forward pass, keyed by tensor index.
public struct WeightDeltas<T: EncoderScalar>: Sendable {
    public var lowRank: [Int: LowRankDelta<T>]
    public init(_ lowRank: [Int: LowRankDelta<T>] = [:]) { self.lowRank = lowRank }
    public var isEmpty: Bool { lowRank.isEmpty }
    @inlinable public subscript(_ ref: TensorRef) -> LowRankDelta<T>? { lowRank.isEmpty ? nil : lowRank[ref.index] }
}

/// A BERT encoder over one flat parameter buffer, in `Float` (the model) or `Double` (checks).
public struct BertEncoder<T: EncoderScalar>: Sendable {
    public let layout: EncoderLayout
    public var config: EncoderConfig { layout.config }

    public init(_ config: EncoderConfig) throws(ZOError) {
        self.layout = try EncoderLayout(config)
    }

    /// Activation buffers for batches of up to B sequences of up to T tokens; reuse them.
    public func makeActivations(batch: Int, length: Int) -> EncoderActivations<T> {
        EncoderActivations(config: config, batch: batch, length: length)
    }

    /// Runs the forward pass on `tokens` into `activations` (pooled embeddings in
    /// `activations.pooled`, logits and probabilities when there is a head). Returns Σ_b ℓ_b
    /// (cross-entropy summed over the batch, in Double) when the batch has labels and the model
    /// a head, else nil. `deltas` are fused low-rank perturbations of weight matrices.
    @discardableResult
    public func forward(
        _ parameters: Parameters<T>, tokens: EncoderBatch, activations a: EncoderActivations<T>,
        deltas: WeightDeltas<T> = WeightDeltas()
    ) throws(ZOError) -> Double? {
        try forward(parameters, tokens: tokens, activations: a, deltas: deltas, dense: nil)
    }

    /// `forward`, with the tensors `dense` marks read as θ_t + εZ_t, perturbed stage by stage (`ParameterSource`).
    func forward(
        _ parameters: Parameters<T>, tokens: EncoderBatch, activations a: EncoderActivations<T>,
        deltas: WeightDeltas<T>, dense: DensePerturbation?
    ) throws(ZOError) -> Double? {
        let at = "BertEncoder.forward"
        guard parameters.layout == layout.parameters else {
            throw ZOError(
                """
                parameters of \(parameters.count) values do not have this encoder's layout \
                (\(layout.parameters.count))
                """,
                at: at, fix: "build the parameters from encoder.layout.parameters (or load them for this config)")
        }
        guard a.canHold(batch: tokens.batch, length: tokens.length), a.config == config else {
            throw ZOError(
                """
                activations for (B, T) up to (\(a.capacityBatch), \(a.capacityLength)) do not fit a batch of \
                (\(tokens.batch), \(tokens.length))
                """,
                at: at, fix: "make activations with makeActivations(batch:length:) for this batch's shape")
        }
        try tokens.validate(for: config)
        for (t, d) in deltas.lowRank {
            guard t >= 0, t < layout.parameters.tensors.count,
                layout.parameters.tensors[t].rows == d.rows, layout.parameters.tensors[t].cols == d.cols,
                d.u.count == d.rows * d.rank, d.v.count == d.cols * d.rank, d.rank >= 1
            else {
                throw ZOError(
                    "low-rank delta for tensor \(t) does not match its shape", at: at,
                    fix: "build deltas from this layout's matrix tensors (BertEncoder.split)")
            }
            // Fused deltas exist for matrices only; vectors are perturbed densely (BertEncoder.split).
            guard layout.parameters.tensors[t].kind == .matrix else {
                throw ZOError(
                    "low-rank delta given for vector tensor '\(layout.parameters.tensors[t].name)'", at: at,
                    fix: "perturb vectors densely")
            }
        }
        let n = tokens.batch * tokens.length
        a.carve(batch: tokens.batch, length: tokens.length)
        for i in 0..<n {
            a.ids[i] = tokens.ids[i]
            a.types[i] = tokens.types[i]
            a.mask[i] = tokens.mask[i]
        }
        let hasLabels = tokens.labels != nil && config.classes > 0
        if let labels = tokens.labels, hasLabels {
            for i in 0..<tokens.batch { a.labels[i] = labels[i] }
        }
        a.hasLabels = hasLabels
        a.usedDeltas = !deltas.isEmpty || dense != nil
        return parameters.values.withUnsafeBufferPointer { p in
            // Never nil: a layout has at least one value.
            guard let base = p.baseAddress else { return nil }
            return forwardPass(base, a, deltas, dense)
        }
    }

    /// The whole forward pass on raw buffers; inputs already checked and copied into `a`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    @usableFromInline
    func forwardPass(
        _ p: UnsafePointer<T>, _ a: EncoderActivations<T>, _ deltas: WeightDeltas<T>,
        _ dense: DensePerturbation?
    ) -> Double? {
        let b = a.batch
        let t = a.length
        let n = b * t
        let c = config.hidden
        let e = embeddingSource(p, a, dense)
        (e.ids ?? []).withUnsafeBufferPointer { gathered in
            // (An empty array's base address need not be nil: test for the gathered ids, not the pointer.)
            let ids = e.ids != nil ? gathered.baseAddress ?? UnsafePointer(a.ids) : UnsafePointer(a.ids)
            Embedding.forward(
                a.embeddings, ids: ids, types: a.types, wte: e.wte,
                wpe: e.source[layout.positionEmbeddings], wtt: e.source[layout.tokenTypeEmbeddings],
                batch: b, length: t, channels: c)
        }
        if !deltas.isEmpty { addEmbeddingDeltas(a, deltas) }
        LayerNorm.forward(
            a.embeddingOutput, mean: a.embeddingMean, rstd: a.embeddingRstd, a.embeddings,
            weight: e.source[layout.embeddingNormWeight], bias: e.source[layout.embeddingNormBias],
            rows: n, channels: c, eps: config.layerNormEps)
        for l in 0..<config.layers { layerForward(l, stage(layout.layers[l].all, p, a, dense).source, a, deltas) }
        MeanPooling.forward(a.pooled, a.lastHidden, mask: a.mask, batch: b, length: t, channels: c)
        guard let w = layout.classifierWeight, let bias = layout.classifierBias else { return nil }
        linear(
            a.logits, a.pooled, w, bias, rows: b, inputs: c, outputs: config.classes,
            stage([w, bias], p, a, dense).source, a, deltas)
        guard a.hasLabels else { return nil }
        return CrossEntropy.forward(
            probs: a.probs, logits: a.logits, labels: a.labels, batch: b, classes: config.classes)
    }

    @usableFromInline
    func layerForward(_ l: Int, _ p: ParameterSource<T>, _ a: EncoderActivations<T>, _ deltas: WeightDeltas<T>) {
        let r = layout.layers[l]
        let s = a.layers[l]
        let x: UnsafePointer<T> = UnsafePointer(l == 0 ? a.embeddingOutput : a.layers[l - 1].output)  // (N, C)
        let n = a.batch * a.length
        let c = config.hidden
        let f = config.intermediate
        let eps = config.layerNormEps
        linear(s.q, x, r.queryWeight, r.queryBias, rows: n, inputs: c, outputs: c, p, a, deltas)
        linear(s.k, x, r.keyWeight, r.keyBias, rows: n, inputs: c, outputs: c, p, a, deltas)
        linear(s.v, x, r.valueWeight, r.valueBias, rows: n, inputs: c, outputs: c, p, a, deltas)
        Attention.forward(
            s.context, att: s.att, q: s.q, k: s.k, v: s.v, mask: a.mask,
            batch: a.batch, length: a.length, channels: c, heads: config.heads)
        linear(
            s.residual1, s.context, r.attentionOutputWeight, r.attentionOutputBias, rows: n, inputs: c, outputs: c, p,
            a, deltas)
        for i in 0..<(n * c) { s.residual1[i] += x[i] }
        LayerNorm.forward(
            s.norm1, mean: s.norm1Mean, rstd: s.norm1Rstd, s.residual1, weight: p[r.attentionNormWeight],
            bias: p[r.attentionNormBias], rows: n, channels: c, eps: eps)
        linear(
            s.intermediate, s.norm1, r.intermediateWeight, r.intermediateBias, rows: n, inputs: c, outputs: f, p, a,
            deltas)
        GELU.forward(s.gelu, s.intermediate, count: n * f)
        linear(s.residual2, s.gelu, r.outputWeight, r.outputBias, rows: n, inputs: f, outputs: c, p, a, deltas)
        for i in 0..<(n * c) { s.residual2[i] += s.norm1[i] }
        LayerNorm.forward(
            s.output, mean: s.outputMean, rstd: s.outputRstd, s.residual2, weight: p[r.outputNormWeight],
            bias: p[r.outputNormBias], rows: n, channels: c, eps: eps)
    }

    /// out = inp Wᵀ + b, plus ε (inp V) Uᵀ when W has a fused low-rank delta (added before the product).
    @usableFromInline
    func linear(
        _ out: UnsafeMutablePointer<T>, _ inp: UnsafePointer<T>, _ w: TensorRef, _ bias: TensorRef,
        rows n: Int, inputs i: Int, outputs o: Int,
        _ p: ParameterSource<T>, _ a: EncoderActivations<T>, _ deltas: WeightDeltas<T>
    ) {
        if let d = deltas[w] {
            Linear.forward(
                out, inp, weight: p[w], bias: p[bias], delta: d, scratch: a.scratch(n * d.rank), rows: n, inputs: i,
                outputs: o)
        } else {
            Linear.forward(out, inp, weight: p[w], bias: p[bias], rows: n, inputs: i, outputs: o)
        }
    }

    /// Fused low-rank deltas of the three embedding tables (rows read: ids, positions, types).
    @usableFromInline
    func addEmbeddingDeltas(_ a: EncoderActivations<T>, _ deltas: WeightDeltas<T>) {
        let b = a.batch
        let t = a.length
        let n = b * t
        let c = config.hidden
        if let d = deltas[layout.wordEmbeddings] {
            Embedding.addLowRank(a.embeddings, rows: a.ids, delta: d, count: n, channels: c)
        }
        if let d = deltas[layout.tokenTypeEmbeddings] {
            Embedding.addLowRank(a.embeddings, rows: a.types, delta: d, count: n, channels: c)
        }
        if let d = deltas[layout.positionEmbeddings] {
            let positions = UnsafeMutablePointer<Int32>.allocate(capacity: n)  // (B, T): t
            defer { positions.deallocate() }
            for i in 0..<n { positions[i] = Int32(i % t) }
            Embedding.addLowRank(a.embeddings, rows: positions, delta: d, count: n, channels: c)
        }
    }
}
