import Foundation
import ZOCore

/// The architecture numbers of a BERT encoder, read from the model's `config.json`.
///
/// Keys are HF's snake_case names. Unknown keys (dropout rates, `architectures`, …) are ignored:
/// ZO fine-tuning runs the model deterministically, without dropout. `init(contentsOf:)` and
/// `init(json:)` validate, so a decoded config is always usable for building buffers.
public struct BertConfig: Codable, Equatable, Sendable {
    /// H: width of every token vector.
    public var hiddenSize: Int
    /// L: number of encoder layers.
    public var numHiddenLayers: Int
    /// NH: attention heads; head size is H / NH.
    public var numAttentionHeads: Int
    /// F: width of the feed-forward layer.
    public var intermediateSize: Int
    /// V: vocabulary size (rows of the word-embedding table).
    public var vocabSize: Int
    /// Tmax: rows of the position-embedding table, hence the longest input.
    public var maxPositionEmbeddings: Int
    /// Rows of the token-type (segment) table; single sentences use row 0.
    public var typeVocabSize: Int
    /// ε in LayerNorm's 1/√(σ² + ε). all-MiniLM-L6-v2 uses 1e-12, below Float's resolution near
    /// typical variances: it only guards a zero-variance row, so keep it in Double until the kernel.
    public var layerNormEps: Double
    /// Activation name; BERT's "gelu" is the exact erf form, not the tanh approximation.
    public var hiddenAct: String

    enum CodingKeys: String, CodingKey {
        case hiddenSize = "hidden_size"
        case numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads"
        case intermediateSize = "intermediate_size"
        case vocabSize = "vocab_size"
        case maxPositionEmbeddings = "max_position_embeddings"
        case typeVocabSize = "type_vocab_size"
        case layerNormEps = "layer_norm_eps"
        case hiddenAct = "hidden_act"
    }

    /// Activations the model code implements.
    public static let supportedActivations: Set<String> = ["gelu"]

    /// all-MiniLM-L6-v2's configuration, for tests and tools that run without the assets.
    public static let miniLM = BertConfig(
        hiddenSize: 384, numHiddenLayers: 6, numAttentionHeads: 12, intermediateSize: 1536,
        vocabSize: 30522, maxPositionEmbeddings: 512, typeVocabSize: 2,
        layerNormEps: 1e-12, hiddenAct: "gelu")

    /// Memberwise; does not validate (call `validate()`), so test code can build odd configs.
    public init(
        hiddenSize: Int, numHiddenLayers: Int, numAttentionHeads: Int, intermediateSize: Int,
        vocabSize: Int, maxPositionEmbeddings: Int, typeVocabSize: Int, layerNormEps: Double, hiddenAct: String
    ) {
        self.hiddenSize = hiddenSize
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.intermediateSize = intermediateSize
        self.vocabSize = vocabSize
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.typeVocabSize = typeVocabSize
        self.layerNormEps = layerNormEps
        self.hiddenAct = hiddenAct
    }

    /// Decodes and validates `config.json` bytes.
    public init(json: Data, source: String = "config.json") throws(ZOError) {
        do {
            self = try JSONDecoder().decode(BertConfig.self, from: json)
        } catch let error as DecodingError {
            throw ZOError(
                "\(source) is not a BERT config: \(Self.describe(error))", at: "BertConfig",
                fix: "use the model's config.json (run `make assets`)")
        } catch {
            throw ZOError(
                "\(source) is not a BERT config: \(error)", at: "BertConfig",
                fix: "use the model's config.json (run `make assets`)")
        }
        try validate(source: source)
    }

    public init(contentsOf url: URL) throws(ZOError) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ZOError("cannot read \(url.path)", at: "BertConfig", fix: "check the path, or run `make assets`")
        }
        try self.init(json: data, source: url.path)
    }

    /// Head size H / NH.
    public var headSize: Int { hiddenSize / numAttentionHeads }

    /// Checks that the sizes can build a model: all positive, heads divide the width, ε finite ≥ 0.
    public func validate(source: String = "BertConfig") throws(ZOError) {
        let at = "BertConfig (\(source))"
        let sizes: [(String, Int)] = [
            ("hidden_size", hiddenSize), ("num_hidden_layers", numHiddenLayers),
            ("num_attention_heads", numAttentionHeads), ("intermediate_size", intermediateSize),
            ("vocab_size", vocabSize), ("max_position_embeddings", maxPositionEmbeddings),
            ("type_vocab_size", typeVocabSize),
        ]
        // Upper bounds as EncoderConfig.maxSizes: a huge size must be this error, not an overflow trap
        // or an allocation abort later (the asset stamp trusts a file whose size and mtime match).
        let limits = [
            "hidden_size": "hidden", "num_hidden_layers": "layers", "num_attention_heads": "heads",
            "intermediate_size": "intermediate", "vocab_size": "vocabSize", "max_position_embeddings": "maxPositions",
            "type_vocab_size": "typeVocabSize",
        ]
        for (name, value) in sizes {
            try Check.positive(value, name, at: at, fix: "fix \(name) in the config")
            let limit = EncoderConfig.maxSizes[limits[name] ?? "", default: Int.max]
            guard value <= limit else {
                throw ZOError(
                    "\(name) = \(value) is outside 1…\(limit)", at: at,
                    fix: "fix \(name) in the config (the model's own config.json: run `make assets`)")
            }
        }
        guard hiddenSize % numAttentionHeads == 0 else {
            throw ZOError(
                "hidden_size \(hiddenSize) is not divisible by num_attention_heads \(numAttentionHeads)",
                at: at, fix: "use a head count that divides hidden_size")
        }
        guard layerNormEps.isFinite, layerNormEps >= 0 else {
            throw ZOError(
                "layer_norm_eps must be finite and ≥ 0, got \(layerNormEps)", at: at,
                fix: "fix layer_norm_eps in the config")
        }
        guard Self.supportedActivations.contains(hiddenAct) else {
            throw ZOError(
                "hidden_act '\(hiddenAct)' is not implemented (supported: \(Self.supportedActivations.sorted()))",
                at: at, fix: "use a BERT checkpoint with hidden_act \"gelu\"")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "missing key \"\(key.stringValue)\""
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        @unknown default: "\(error)"
        }
    }
}
