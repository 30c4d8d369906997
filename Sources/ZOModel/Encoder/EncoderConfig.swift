import ZOCore

// Legend: V vocabulary, P max positions, S token types, C hidden, H heads, D = C/H head width,
// F FFN width, L layers run, K classes of the head (0 = no head).

/// The shape of a BERT encoder with mean pooling and an optional linear classification head.
///
/// Surprising defaults, explained: `layerNormEps` is 1e-12 for all-MiniLM-L6-v2 (BERT's value; at
/// Float precision it is a no-op unless a row is constant). `layers` is the number of layers *run*
/// and stored: a model cut to its first k layers has only those layers' parameters, so a ZO
/// perturbation's dimension d is that of the model actually trained.
public struct EncoderConfig: Sendable, Hashable, Codable {
    /// V: rows of `embeddings.word_embeddings.weight`.
    public var vocabSize: Int
    /// C: width of the residual stream.
    public var hidden: Int
    /// L: encoder layers run (and stored).
    public var layers: Int
    /// H: attention heads; C must be a multiple of H.
    public var heads: Int
    /// F: width of the feed-forward intermediate layer.
    public var intermediate: Int
    /// P: rows of `embeddings.position_embeddings.weight`; the longest sequence the model accepts.
    public var maxPositions: Int
    /// S: rows of `embeddings.token_type_embeddings.weight`.
    public var typeVocabSize: Int
    /// ε inside every LayerNorm's square root.
    public var layerNormEps: Double
    /// K: classes of the linear head on the pooled embedding; 0 builds the encoder without a head.
    public var classes: Int

    public init(
        vocabSize: Int, hidden: Int, layers: Int, heads: Int, intermediate: Int,
        maxPositions: Int, typeVocabSize: Int = 2, layerNormEps: Double = 1e-12, classes: Int = 0
    ) {
        self.vocabSize = vocabSize
        self.hidden = hidden
        self.layers = layers
        self.heads = heads
        self.intermediate = intermediate
        self.maxPositions = maxPositions
        self.typeVocabSize = typeVocabSize
        self.layerNormEps = layerNormEps
        self.classes = classes
    }

    /// all-MiniLM-L6-v2 (its config.json), without a head: 22.57M parameters
    /// (the checkpoint's 22.71M less the unused BERT pooler).
    public static let miniLML6 = EncoderConfig(
        vocabSize: 30522, hidden: 384, layers: 6, heads: 12, intermediate: 1536,
        maxPositions: 512, typeVocabSize: 2, layerNormEps: 1e-12, classes: 0)

    /// D = C / H.
    public var headDim: Int { hidden / heads }

    /// The same encoder with another number of layers run (`--layers K`) or classes.
    public func with(layers: Int? = nil, classes: Int? = nil) -> EncoderConfig {
        var c = self
        if let layers { c.layers = layers }
        if let classes { c.classes = classes }
        return c
    }

    /// The largest size of each kind a config may have (far above any BERT checkpoint: BERT-large
    /// has C = 1024, F = 4096, V ≈ 30k; multilingual vocabularies reach 250k). Sizes come from a
    /// loaded config.json: beyond these a product of sizes could overflow or exhaust memory.
    public static let maxSizes: [String: Int] = [
        "vocabSize": 1_000_000, "hidden": 16_384, "heads": 1_024, "intermediate": 65_536, "maxPositions": 65_536,
        "typeVocabSize": 1_024, "layers": 256, "classes": 65_536,
    ]

    /// Throws unless every size is in range (`maxSizes`; layers and classes may be 0), C is a
    /// multiple of H, ε is finite and ≥ 0, and the parameters fit in memory (`MemoryBudget`).
    public func validate() throws(ZOError) {
        let sizes = [
            ("vocabSize", vocabSize), ("hidden", hidden), ("heads", heads), ("intermediate", intermediate),
            ("maxPositions", maxPositions), ("typeVocabSize", typeVocabSize),
        ]
        for (name, value) in sizes where value < 1 || value > Self.maxSizes[name, default: Int.max] {
            throw ZOError(
                "encoder \(name) = \(value) is outside 1…\(Self.maxSizes[name, default: Int.max])", at: "EncoderConfig",
                fix: "pass a \(name) in that range (a corrupt config.json: run `make assets`)")
        }
        guard (0...Self.maxSizes["layers", default: 0]).contains(layers),
            (0...Self.maxSizes["classes", default: 0]).contains(classes)
        else {
            throw ZOError(
                """
                encoder layers = \(layers) and classes = \(classes) must be in \
                0…\(Self.maxSizes["layers", default: 0]) and 0…\(Self.maxSizes["classes", default: 0])
                """,
                at: "EncoderConfig",
                fix: "pass layers between 0 and the checkpoint's count, and classes ≥ 0 (0 = no head)")
        }
        guard hidden % heads == 0 else {
            throw ZOError(
                "hidden = \(hidden) is not a multiple of heads = \(heads)", at: "EncoderConfig",
                fix: "pick heads that divide hidden (all-MiniLM-L6-v2: 384 / 12)")
        }
        guard layerNormEps.isFinite, layerNormEps >= 0 else {
            throw ZOError(
                "layerNormEps = \(layerNormEps) must be finite and ≥ 0", at: "EncoderConfig",
                fix: "use the checkpoint's layer_norm_eps (1e-12 for BERT)")
        }
        // Within the bounds above no product overflows; the total must also fit in memory (Float).
        let perLayer = 4 * hidden * hidden + 2 * hidden * intermediate + 9 * hidden + intermediate
        let count = (vocabSize + maxPositions + typeVocabSize + 2) * hidden + layers * perLayer + classes * (hidden + 1)
        try MemoryBudget.check(
            count, of: Float.self, "an encoder of \(count) parameters", at: "EncoderConfig",
            fix: "use a smaller model (a corrupt config.json: run `make assets`)")
    }
}
