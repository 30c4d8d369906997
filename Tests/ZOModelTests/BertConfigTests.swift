import Foundation
import Testing
import ZOCore
import ZOModel
import ZOTestSupport

@Suite struct BertConfigTests {
    /// all-MiniLM-L6-v2's config.json verbatim (its sha256 is pinned in `Asset.modelConfig`).
    static let miniLMJSON = """
        {"_name_or_path": "nreimers/MiniLM-L6-H384-uncased", "architectures": ["BertModel"],
         "attention_probs_dropout_prob": 0.1, "gradient_checkpointing": false, "hidden_act": "gelu",
         "hidden_dropout_prob": 0.1, "hidden_size": 384, "initializer_range": 0.02, "intermediate_size": 1536,
         "layer_norm_eps": 1e-12, "max_position_embeddings": 512, "model_type": "bert", "num_attention_heads": 12,
         "num_hidden_layers": 6, "pad_token_id": 0, "position_embedding_type": "absolute",
         "transformers_version": "4.8.2", "type_vocab_size": 2, "use_cache": true, "vocab_size": 30522}
        """

    @Test func decodesMiniLM() throws {
        let config = try BertConfig(json: Data(Self.miniLMJSON.utf8))
        #expect(config == BertConfig.miniLM)
        #expect(config.headSize == 32)
    }

    @Test func encodesWithSnakeCaseKeys() throws {
        let json = try JSONEncoder().encode(BertConfig.miniLM)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(object["num_attention_heads"] as? Int == 12)
        #expect(try BertConfig(json: json) == .miniLM)
    }

    @Test func rejectsInvalidConfigs() throws {
        func variant(_ key: String, _ value: String) -> Data {
            Data(
                Self.miniLMJSON.replacingOccurrences(of: "\"\(key)\": ", with: "\"\(key)\": \(value), \"was_\(key)\": ")
                    .utf8)
        }
        expectZOError("not divisible by num_attention_heads 12") {
            _ = try BertConfig(json: variant("hidden_size", "380"))
        }
        expectZOError("num_attention_heads must be ≥ 1") {
            _ = try BertConfig(json: variant("num_attention_heads", "0"))
        }
        expectZOError("vocab_size must be ≥ 1") { _ = try BertConfig(json: variant("vocab_size", "-5")) }
        expectZOError("hidden_act 'relu' is not implemented") {
            _ = try BertConfig(json: variant("hidden_act", "\"relu\""))
        }
        expectZOError("missing key \"hidden_size\"") {
            _ = try BertConfig(
                json: Data(Self.miniLMJSON.replacingOccurrences(of: "\"hidden_size\"", with: "\"width\"").utf8))
        }
        expectZOError("not a BERT config") { _ = try BertConfig(json: variant("hidden_size", "\"wide\"")) }
        expectZOError("not a BERT config") { _ = try BertConfig(json: Data("not json".utf8)) }
        expectZOError("cannot read") {
            _ = try BertConfig(contentsOf: URL(fileURLWithPath: "/nonexistent/config.json"))
        }
    }

    /// A config.json with a huge size (reachable: the asset stamp trusts a file whose size and mtime
    /// match) is a ZOError naming the key and the range, never an overflow trap or an allocation abort.
    @Test func rejectsHugeSizes() throws {
        func with(_ changes: [String: Int]) -> Data {
            var text = Self.miniLMJSON
            for (key, value) in changes {
                text = text.replacingOccurrences(of: "\"\(key)\": ", with: "\"\(key)\": \(value), \"was_\(key)\": ")
            }
            return Data(text.utf8)
        }
        expectZOError("hidden_size = 9223372036854775807 is outside 1…16384") {
            _ = try BertConfig(json: with(["hidden_size": Int.max]))
        }
        expectZOError("vocab_size = 4611686018427387904 is outside 1…1000000") {
            _ = try BertConfig(json: with(["vocab_size": 1 << 62]))
        }
        expectZOError("intermediate_size = 1099511627776 is outside 1…65536") {
            _ = try BertConfig(json: with(["intermediate_size": 1 << 40]))
        }
        expectZOError("num_hidden_layers = 100000 is outside 1…256") {
            _ = try BertConfig(json: with(["num_hidden_layers": 100_000]))
        }
        // Each size in range, the model far beyond memory (≈ 3 TB of Floats): refused before allocating.
        let large = try BertConfig(
            json: with([
                "hidden_size": 16_384, "num_attention_heads": 16, "vocab_size": 1_000_000,
                "intermediate_size": 65_536, "num_hidden_layers": 256,
            ]))
        expectZOError("of memory") { _ = try EncoderConfig(large) }
        expectZOError("vocabSize = 2000000 is outside 1…1000000") {
            var c = EncoderConfig.miniLML6
            c.vocabSize = 2_000_000
            try c.validate()
        }
        expectZOError("overflows a 64-bit size") {
            try EncoderActivations<Float>.checkFits(.miniLML6, batch: Int.max / 2, length: 512)
        }
        expectZOError("activations for a 100000 × 512 batch needs about") {
            try EncoderActivations<Float>.checkFits(.miniLML6, batch: 100_000, length: 512)
        }
    }

    @Test(.enabled(if: Assets.modelPresent, Assets.skipMessage))
    func readsTheModelConfig() throws {
        #expect(try BertConfig(contentsOf: Assets.cache.url(for: .modelConfig)) == .miniLM)
    }
}
