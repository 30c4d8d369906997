import Foundation
import Testing
import ZOCore
import ZOModel
import ZOTestSupport

/// The Hugging Face reference made by Fixtures/make_embedding_fixture.py.
struct EmbeddingFixture: Decodable {
    let sentences: [String]
    let batch: Int
    let length: Int
    let hidden: Int
    let input_ids: [Int32]
    let attention_mask: [Int32]
    let token_type_ids: [Int32]
    let pooled: [[Double]]
    let float32_vs_float64_max_abs: Double
    let sentence0_tokens: Int
    let sentence0_embedding_output: [Double]
    let sentence0_layer1_output: [Double]

    static func load() throws -> EmbeddingFixture {
        try JSONDecoder().decode(EmbeddingFixture.self, from: Data(contentsOf: fixtureURL("embedding_fixture.json")))
    }

    func tokens() throws -> EncoderBatch {
        try EncoderBatch(batch: batch, length: length, ids: input_ids, mask: attention_mask, types: token_type_ids)
    }
}

func maxAbsDifference(_ a: UnsafePointer<Float>, _ b: [Double]) -> Double {
    var worst = 0.0
    for i in 0..<b.count { worst = max(worst, abs(Double(a[i]) - b[i])) }
    return worst
}

@Suite struct EncoderCheckpointTests {
    @Test func configFromCheckpointConfigCutsLayers() throws {
        let c = try EncoderConfig(.miniLM, layers: 2, classes: 3)
        #expect(c.layers == 2 && c.classes == 3 && c.hidden == 384 && c.layerNormEps == 1e-12)
        #expect(try EncoderConfig(.miniLM) == EncoderConfig.miniLML6)
        expectZOError("cannot run 7 layers") { _ = try EncoderConfig(.miniLM, layers: 7) }
    }

    @Test func layoutMatchesCheckpointParameterCount() throws {
        let layout = try EncoderLayout(.miniLML6)
        // 22,713,216 in the checkpoint less the unused pooler (384·384 + 384).
        #expect(layout.parameters.count == 22_713_216 - 147_840)
        #expect(layout.parameters.tensors.count == 5 + 6 * 16)
    }

    /// Every layer's mean-pooled output against Hugging Face's BertModel, to 1e-4 absolute.
    @Test(.enabled(if: Assets.modelPresent, Assets.skipMessage))
    func pooledOutputsMatchHuggingFace() throws {
        let fixture = try EmbeddingFixture.load()
        let model = try PretrainedEncoder<Float>()
        let tokens = try fixture.tokens()
        let acts = model.encoder.makeActivations(batch: tokens.batch, length: tokens.length)
        try model.encoder.forward(model.parameters, tokens: tokens, activations: acts)
        let c = fixture.hidden
        #expect(maxAbsDifference(acts.pooled, fixture.pooled[6]) <= 1e-4)
        let pooled = UnsafeMutablePointer<Float>.allocate(capacity: tokens.batch * c)
        defer { pooled.deallocate() }
        for k in 0...6 {
            let hidden = k == 0 ? acts.embeddingOutput : acts.layers[k - 1].output
            MeanPooling.forward(
                pooled, hidden, mask: acts.mask, batch: tokens.batch, length: tokens.length, channels: c)
            let err = maxAbsDifference(pooled, fixture.pooled[k])
            #expect(err <= 1e-4, "pooled output after \(k) layers differs by \(err)")
        }
        // Debugging aids: sentence 0's full token outputs of the embedding layer and layer 1.
        let n0 = fixture.sentence0_tokens * c
        #expect(maxAbsDifference(acts.embeddingOutput, Array(fixture.sentence0_embedding_output.prefix(n0))) <= 1e-4)
        #expect(maxAbsDifference(acts.layers[0].output, Array(fixture.sentence0_layer1_output.prefix(n0))) <= 1e-4)
    }

    /// A model cut to k layers gives the pooled output after k layers of the full model.
    @Test(.enabled(if: Assets.modelPresent, Assets.skipMessage))
    func truncatedModelMatchesReferenceAfterKLayers() throws {
        let fixture = try EmbeddingFixture.load()
        let model = try PretrainedEncoder<Float>(layers: 2)
        #expect(model.encoder.layout.parameters.tensors.count == 5 + 2 * 16)
        let tokens = try fixture.tokens()
        let acts = model.encoder.makeActivations(batch: tokens.batch, length: tokens.length)
        try model.encoder.forward(model.parameters, tokens: tokens, activations: acts)
        #expect(maxAbsDifference(acts.pooled, fixture.pooled[2]) <= 1e-4)
    }
}
