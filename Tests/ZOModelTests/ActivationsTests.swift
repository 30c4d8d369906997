import Testing
import ZOCore
import ZOModel
import ZOTestSupport

@Suite struct ActivationsTests {
    /// Activations made for a larger shape serve a smaller batch with the same result as fresh ones.
    @Test func activationsServeSmallerShapes() throws {
        let encoder = try BertEncoder<Double>(Small.config)
        let p = Small.parameters(encoder.layout, key: PRNGKey(seed: 3), as: Double.self)
        let big = encoder.makeActivations(batch: 4, length: 8)
        let tokens = try Small.tokens()
        let fresh = try encoder.forward(p, tokens: tokens, activations: encoder.makeActivations(batch: 2, length: 5))
        let reused = try encoder.forward(p, tokens: tokens, activations: big)
        #expect(fresh == reused && fresh != nil)
        #expect(
            big.batch == 2 && big.length == 5 && big.canHold(batch: 4, length: 8) && !big.canHold(batch: 5, length: 1))
        expectZOError("do not fit") {
            try encoder.forward(p, tokens: tokens, activations: encoder.makeActivations(batch: 1, length: 5))
        }
    }

    /// The forward buffers' size: 2NC + L(8NC + BHT² + 2NF) + BC + 2BK (llm.c-style accounting).
    @Test func forwardCountAccountsForEveryBuffer() {
        let c = EncoderConfig.miniLML6
        let n = 16 * 64
        #expect(
            EncoderActivations<Float>.forwardCount(c, batch: 16, length: 64)
                == 2 * n * 384 + 6 * (8 * n * 384 + 16 * 12 * 64 * 64 + 2 * n * 1536) + 16 * 384 + 2 * 16)
    }
}
