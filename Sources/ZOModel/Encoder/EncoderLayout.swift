import ZOCore

// Legend: V vocabulary, P max positions, S token types, C hidden, F FFN width, K classes.
//
// All parameters live in one flat buffer (`Parameters<T>`), in the order below, under the
// checkpoint's safetensors names; `TensorRef`s are the named views (tensor index for
// perturbation look-ups, element offset for the kernels).

/// A named view into the flat parameter buffer.
public struct TensorRef: Sendable, Hashable {
    /// Index in `ParameterLayout.tensors` (the key of per-tensor perturbations).
    public let index: Int
    /// First element in the flat buffer.
    public let offset: Int
    public init(index: Int, offset: Int) {
        self.index = index
        self.offset = offset
    }
}

/// The views of one encoder layer (`encoder.layer.<l>.…`). Weights are [out, in] row-major.
public struct EncoderLayerRefs: Sendable, Hashable {
    public let queryWeight, queryBias: TensorRef  // (C, C), (C)
    public let keyWeight, keyBias: TensorRef  // (C, C), (C)
    public let valueWeight, valueBias: TensorRef  // (C, C), (C)
    public let attentionOutputWeight, attentionOutputBias: TensorRef  // (C, C), (C)
    public let attentionNormWeight, attentionNormBias: TensorRef  // (C), (C)
    public let intermediateWeight, intermediateBias: TensorRef  // (F, C), (F)
    public let outputWeight, outputBias: TensorRef  // (C, F), (C)
    public let outputNormWeight, outputNormBias: TensorRef  // (C), (C)

    /// Every tensor of the layer, in forward order.
    public var all: [TensorRef] {
        [
            queryWeight, queryBias, keyWeight, keyBias, valueWeight, valueBias, attentionOutputWeight,
            attentionOutputBias,
            attentionNormWeight, attentionNormBias, intermediateWeight, intermediateBias, outputWeight, outputBias,
            outputNormWeight, outputNormBias,
        ]
    }
}

/// The parameter layout of an encoder config: names, shapes, offsets, and named views.
public struct EncoderLayout: Sendable, Hashable {
    public let config: EncoderConfig
    public let parameters: ParameterLayout
    public let wordEmbeddings: TensorRef  // (V, C)
    public let positionEmbeddings: TensorRef  // (P, C)
    public let tokenTypeEmbeddings: TensorRef  // (S, C)
    public let embeddingNormWeight: TensorRef  // (C)
    public let embeddingNormBias: TensorRef  // (C)
    public let layers: [EncoderLayerRefs]
    public let classifierWeight: TensorRef?  // (K, C)
    public let classifierBias: TensorRef?  // (K)

    /// The checkpoint's tensor names and shapes for `config`, in buffer order.
    public static func entries(_ config: EncoderConfig) -> [(name: String, shape: [Int])] {
        let c = config.hidden
        let f = config.intermediate
        var e: [(name: String, shape: [Int])] = [
            ("embeddings.word_embeddings.weight", [config.vocabSize, c]),
            ("embeddings.position_embeddings.weight", [config.maxPositions, c]),
            ("embeddings.token_type_embeddings.weight", [config.typeVocabSize, c]),
            ("embeddings.LayerNorm.weight", [c]),
            ("embeddings.LayerNorm.bias", [c]),
        ]
        for l in 0..<max(config.layers, 0) {
            let p = "encoder.layer.\(l)."
            e += [
                (p + "attention.self.query.weight", [c, c]), (p + "attention.self.query.bias", [c]),
                (p + "attention.self.key.weight", [c, c]), (p + "attention.self.key.bias", [c]),
                (p + "attention.self.value.weight", [c, c]), (p + "attention.self.value.bias", [c]),
                (p + "attention.output.dense.weight", [c, c]), (p + "attention.output.dense.bias", [c]),
                (p + "attention.output.LayerNorm.weight", [c]), (p + "attention.output.LayerNorm.bias", [c]),
                (p + "intermediate.dense.weight", [f, c]), (p + "intermediate.dense.bias", [f]),
                (p + "output.dense.weight", [c, f]), (p + "output.dense.bias", [c]),
                (p + "output.LayerNorm.weight", [c]), (p + "output.LayerNorm.bias", [c]),
            ]
        }
        if config.classes > 0 {
            e += [("classifier.weight", [config.classes, c]), ("classifier.bias", [config.classes])]
        }
        return e
    }

    public init(_ config: EncoderConfig) throws(ZOError) {
        try config.validate()
        let layout = try ParameterLayout(Self.entries(config))
        var byName: [String: TensorRef] = [:]
        for (i, spec) in layout.tensors.enumerated() { byName[spec.name] = TensorRef(index: i, offset: spec.offset) }
        // Every name below was just put into the layout by `entries`, so the look-ups succeed;
        // a missing one would be a bug here, reported as an error rather than a trap.
        func ref(_ name: String) throws(ZOError) -> TensorRef {
            guard let r = byName[name] else {
                throw ZOError(
                    "internal: tensor '\(name)' missing from the encoder layout", at: "EncoderLayout",
                    fix: "report this bug")
            }
            return r
        }
        self.config = config
        self.parameters = layout
        wordEmbeddings = try ref("embeddings.word_embeddings.weight")
        positionEmbeddings = try ref("embeddings.position_embeddings.weight")
        tokenTypeEmbeddings = try ref("embeddings.token_type_embeddings.weight")
        embeddingNormWeight = try ref("embeddings.LayerNorm.weight")
        embeddingNormBias = try ref("embeddings.LayerNorm.bias")
        var layers: [EncoderLayerRefs] = []
        for l in 0..<config.layers {
            let p = "encoder.layer.\(l)."
            layers.append(
                EncoderLayerRefs(
                    queryWeight: try ref(p + "attention.self.query.weight"),
                    queryBias: try ref(p + "attention.self.query.bias"),
                    keyWeight: try ref(p + "attention.self.key.weight"),
                    keyBias: try ref(p + "attention.self.key.bias"),
                    valueWeight: try ref(p + "attention.self.value.weight"),
                    valueBias: try ref(p + "attention.self.value.bias"),
                    attentionOutputWeight: try ref(p + "attention.output.dense.weight"),
                    attentionOutputBias: try ref(p + "attention.output.dense.bias"),
                    attentionNormWeight: try ref(p + "attention.output.LayerNorm.weight"),
                    attentionNormBias: try ref(p + "attention.output.LayerNorm.bias"),
                    intermediateWeight: try ref(p + "intermediate.dense.weight"),
                    intermediateBias: try ref(p + "intermediate.dense.bias"),
                    outputWeight: try ref(p + "output.dense.weight"), outputBias: try ref(p + "output.dense.bias"),
                    outputNormWeight: try ref(p + "output.LayerNorm.weight"),
                    outputNormBias: try ref(p + "output.LayerNorm.bias")))
        }
        self.layers = layers
        classifierWeight = config.classes > 0 ? try ref("classifier.weight") : nil
        classifierBias = config.classes > 0 ? try ref("classifier.bias") : nil
    }

    /// BERT's initialisation (`initializer_range` 0.02): every weight matrix and embedding
    /// N(0, σ²) with σ = `std`, biases 0, LayerNorm gains 1. Everything from `key` (tensor t
    /// uses `key.fold(in: t)`), so a pretrained model differs from this only where loaded.
    public func initialParameters<T: ZOScalar>(_ type: T.Type = T.self, key: PRNGKey, std: Double = 0.02) -> Parameters<
        T
    > {
        var p = Parameters<T>(zeros: parameters)
        let gains = Set(
            [embeddingNormWeight.index] + layers.flatMap { [$0.attentionNormWeight.index, $0.outputNormWeight.index] })
        for (t, spec) in parameters.tensors.enumerated() {
            p.withTensor(t) { w in
                if spec.kind == .matrix {
                    T.fillGaussian(w, key: key.fold(in: t), offset: 0)
                    for i in 0..<w.count { w[i] *= T(std) }
                } else if gains.contains(t) {
                    for i in 0..<w.count { w[i] = 1 }
                }
            }
        }
        return p
    }

    /// Re-initialises the classification head alone, BERT-style: weight N(0, σ²), bias 0, from `key`.
    /// Use after loading a pretrained encoder (the checkpoint has no head).
    public func initializeHead<T: ZOScalar>(_ p: inout Parameters<T>, key: PRNGKey, std: Double = 0.02) {
        guard let w = classifierWeight, let b = classifierBias else { return }
        p.withTensor(w.index) { buf in
            T.fillGaussian(buf, key: key.fold(in: w.index), offset: 0)
            for i in 0..<buf.count { buf[i] *= T(std) }
        }
        p.withTensor(b.index) { buf in for i in 0..<buf.count { buf[i] = 0 } }
    }
}
