import Testing
import ZOCore
import ZOModel
import ZOTestSupport

@Suite struct EncoderLayoutTests {
    @Test func namesShapesAndOrderFollowTheCheckpoint() throws {
        let layout = try EncoderLayout(Small.config)
        let specs = layout.parameters.tensors
        #expect(specs[0].name == "embeddings.word_embeddings.weight" && specs[0].shape == [20, 8])
        #expect(specs[layout.layers[1].intermediateWeight.index].name == "encoder.layer.1.intermediate.dense.weight")
        #expect(specs[layout.layers[1].intermediateWeight.index].shape == [16, 8])
        #expect(specs[layout.layers[1].outputWeight.index].shape == [8, 16])
        #expect(specs[layout.layers[0].attentionNormBias.index].kind == .vector)
        #expect(specs.last?.name == "classifier.bias" && specs[specs.count - 2].shape == [3, 8])
        // Views point at their tensors.
        for r in [layout.wordEmbeddings, layout.layers[1].valueBias, try #require(layout.classifierWeight)] {
            #expect(specs[r.index].offset == r.offset)
        }
        #expect(try EncoderLayout(Small.config.with(classes: 0)).classifierWeight == nil)
    }

    @Test func initialParametersFollowBERT() throws {
        let layout = try EncoderLayout(EncoderConfig.miniLML6.with(layers: 1, classes: 2))
        let p = layout.initialParameters(Float.self, key: PRNGKey(seed: 1))
        let w = Array(p.tensor(layout.wordEmbeddings.index))
        let mean = w.reduce(0.0) { $0 + Double($1) } / Double(w.count)
        let sd = (w.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(w.count)).squareRoot()
        // 11.7M draws: the sample sd is within 0.1 % of 0.02.
        #expect(abs(mean) < 1e-4 && abs(sd - 0.02) < 2e-5)
        #expect(p.tensor(layout.layers[0].outputNormWeight.index).allSatisfy { $0 == 1 })
        #expect(p.tensor(layout.layers[0].outputNormBias.index).allSatisfy { $0 == 0 })
        var q = p
        layout.initializeHead(&q, key: PRNGKey(seed: 2))
        #expect(
            q.tensor(try #require(layout.classifierWeight).index)
                != p.tensor(try #require(layout.classifierWeight).index))
    }
}
