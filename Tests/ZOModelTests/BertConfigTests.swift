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

    @Test(.enabled(if: Assets.modelPresent, Assets.skipMessage))
    func readsTheModelConfig() throws {
        #expect(try BertConfig(contentsOf: Assets.cache.url(for: .modelConfig)) == .miniLM)
    }
}
