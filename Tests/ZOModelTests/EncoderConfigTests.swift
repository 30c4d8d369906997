import Testing
import ZOCore
import ZOModel
import ZOTestSupport

@Suite struct EncoderConfigTests {
    @Test func miniLMHasTheCheckpointShape() {
        let c = EncoderConfig.miniLML6
        #expect(c.headDim == 32 && c.layers == 6 && c.classes == 0 && c.layerNormEps == 1e-12)
    }

    @Test func invalidConfigsThrow() {
        expectZOError("not a multiple of heads") {
            try EncoderConfig(vocabSize: 5, hidden: 8, layers: 1, heads: 3, intermediate: 4, maxPositions: 4).validate()
        }
        expectZOError("vocabSize = 0") {
            try EncoderConfig(vocabSize: 0, hidden: 8, layers: 1, heads: 2, intermediate: 4, maxPositions: 4).validate()
        }
        expectZOError("layers = -1") { try EncoderConfig.miniLML6.with(layers: -1).validate() }
    }
}
