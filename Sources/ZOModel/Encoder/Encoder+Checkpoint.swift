import Foundation
import ZOCore

// Loading a pretrained encoder (all-MiniLM-L6-v2) from its safetensors checkpoint into the flat
// parameter buffer: every tensor is looked up by its checkpoint name and shape-checked; tensors
// the model does not use (the BERT pooler, `position_ids`, layers beyond the k run) are ignored.

extension EncoderConfig {
    /// The encoder of a checkpoint's config.json, optionally cut to its first `layers` layers,
    /// with a `classes`-way head (0 = none).
    public init(_ bert: BertConfig, layers: Int? = nil, classes: Int = 0) throws(ZOError) {
        try bert.validate()
        let k = layers ?? bert.numHiddenLayers
        guard k >= 0, k <= bert.numHiddenLayers else {
            throw ZOError(
                "cannot run \(k) layers of a \(bert.numHiddenLayers)-layer checkpoint", at: "EncoderConfig(BertConfig)",
                fix: "pass --layers between 0 and \(bert.numHiddenLayers)")
        }
        self.init(
            vocabSize: bert.vocabSize, hidden: bert.hiddenSize, layers: k, heads: bert.numAttentionHeads,
            intermediate: bert.intermediateSize, maxPositions: bert.maxPositionEmbeddings,
            typeVocabSize: bert.typeVocabSize, layerNormEps: bert.layerNormEps, classes: classes)
        try validate()
    }
}

extension EncoderLayout {
    /// Parameters loaded from a checkpoint: every encoder tensor by name (shapes must match
    /// exactly), the classification head (absent from the checkpoint) initialised from `headKey`.
    public func load<T: EncoderScalar>(_ type: T.Type = T.self, from file: SafeTensorFile, headKey: PRNGKey)
        throws(ZOError) -> Parameters<T>
    {
        var p = Parameters<T>(zeros: parameters)
        let head = Set([classifierWeight?.index, classifierBias?.index].compactMap { $0 })
        for (t, spec) in parameters.tensors.enumerated() where !head.contains(t) {
            let info: SafeTensorInfo
            do { info = try file.info(spec.name) } catch {
                throw ZOError(
                    "checkpoint \(file.source) has no tensor '\(spec.name)'", at: "EncoderLayout.load",
                    fix:
                        """
                        use a BERT checkpoint with Hugging Face names (run `make assets` for all-MiniLM-L6-v2), \
                        or fewer layers
                        """
                )
            }
            guard info.shape == spec.shape else {
                throw ZOError(
                    """
                    tensor '\(spec.name)' has shape \(info.shape) in \(file.source) but the config expects \
                    \(spec.shape)
                    """,
                    at: "EncoderLayout.load", fix: "build the EncoderConfig from the checkpoint's own config.json")
            }
            if T.self == Float.self {
                // withTensor rethrows untyped errors; carry the ZOError out by hand.
                var failure: ZOError? = nil
                p.withTensor(t) { buf in
                    buf.withMemoryRebound(to: Float.self) { f in
                        do throws(ZOError) { try file.floats(spec.name, into: f) } catch { failure = error }
                    }
                }
                if let failure { throw failure }
            } else {
                let values = try file.floats(spec.name)
                p.withTensor(t) { buf in for i in 0..<buf.count { buf[i] = T(values[i]) } }
            }
        }
        initializeHead(&p, key: headKey)
        return p
    }
}

/// The pretrained all-MiniLM-L6-v2 encoder from the asset cache (`make assets`).
public struct PretrainedEncoder<T: EncoderScalar>: Sendable {
    public let checkpoint: BertConfig
    public let encoder: BertEncoder<T>
    public let parameters: Parameters<T>

    /// Loads config.json and model.safetensors (both SHA-256 verified) from `cache`, runs the first
    /// `layers` layers (all when nil), and adds a `classes`-way head initialised from `headKey`.
    public init(
        cache: AssetCache = .standard, layers: Int? = nil, classes: Int = 0,
        headKey: PRNGKey = PRNGKey(seed: 0)
    ) throws(ZOError) {
        let bert = try BertConfig(contentsOf: try cache.url(for: .modelConfig))
        let config = try EncoderConfig(bert, layers: layers, classes: classes)
        let file = try SafeTensorFile(contentsOf: try cache.url(for: .modelWeights))
        self.checkpoint = bert
        self.encoder = try BertEncoder(config)
        self.parameters = try encoder.layout.load(T.self, from: file, headKey: headKey)
    }
}
