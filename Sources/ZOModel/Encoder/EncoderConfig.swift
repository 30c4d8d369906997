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

    /// Throws unless every size is positive, C is a multiple of H, and ε is finite and ≥ 0.
    public func validate() throws(ZOError) {
        let sizes = [
            ("vocabSize", vocabSize), ("hidden", hidden), ("heads", heads), ("intermediate", intermediate),
            ("maxPositions", maxPositions), ("typeVocabSize", typeVocabSize),
        ]
        for (name, value) in sizes where value < 1 {
            throw ZOError("encoder \(name) = \(value) must be ≥ 1", at: "EncoderConfig", fix: "pass a positive \(name)")
        }
        guard layers >= 0, classes >= 0 else {
            throw ZOError(
                "encoder layers = \(layers) and classes = \(classes) must be ≥ 0", at: "EncoderConfig",
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
    }
}
