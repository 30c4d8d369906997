import Testing
import ZOCore
import ZOModel
import ZOTestSupport

@Suite struct EncoderTests {
    func pooled<T: EncoderScalar>(_ encoder: BertEncoder<T>, _ p: Parameters<T>, _ tokens: EncoderBatch) throws -> [T] {
        let acts = encoder.makeActivations(batch: tokens.batch, length: tokens.length)
        try encoder.forward(p, tokens: tokens, activations: acts)
        return Array(UnsafeBufferPointer(start: acts.pooled, count: tokens.batch * encoder.config.hidden))
    }

    /// Extra trailing padding changes nothing (masked keys, pooling over real tokens only).
    @Test func paddingDoesNotChangeTheOutput() throws {
        let encoder = try BertEncoder<Double>(Small.config)
        let p = Small.parameters(encoder.layout, key: PRNGKey(seed: 1), as: Double.self)
        let short = try EncoderBatch(sequences: [[1, 7, 3, 2], [1, 9, 2]])
        var ids = short.ids
        var mask = short.mask
        // Pad to 7 with arbitrary ids under mask 0.
        ids = [ids[0..<4] + [5, 6, 7], ids[4..<8] + [11, 4, 4]].flatMap { $0 }
        mask = [mask[0..<4] + [0, 0, 0], mask[4..<8] + [0, 0, 0]].flatMap { $0 }
        let long = try EncoderBatch(batch: 2, length: 7, ids: ids, mask: mask)
        #expect(maxAbs(try pooled(encoder, p, short), try pooled(encoder, p, long)) < 1e-13)
        // Each sequence alone gives its row of the batch.
        let alone = try pooled(encoder, p, try EncoderBatch(sequences: [[1, 9, 2]]))
        #expect(maxAbs(alone, Array(try pooled(encoder, p, short)[8..<16])) < 1e-13)
    }

    /// The Float model agrees with the Double model on the same parameters.
    @Test func floatAgreesWithDouble() throws {
        let d = try BertEncoder<Double>(Small.config)
        let f = try BertEncoder<Float>(Small.config)
        let p = Small.parameters(d.layout, key: PRNGKey(seed: 2), as: Double.self)
        let tokens = try Small.tokens()
        #expect(
            maxAbs(try pooled(d, p, tokens).map { Float($0) }, try pooled(f, p.converted(to: Float.self), tokens))
                < 1e-5)
    }

    @Test func badInputsThrow() throws {
        let encoder = try BertEncoder<Double>(Small.config)
        let p = Small.parameters(encoder.layout, key: PRNGKey(seed: 4), as: Double.self)
        let acts = encoder.makeActivations(batch: 2, length: 8)
        expectZOError("outside 0..<20") {
            try encoder.forward(p, tokens: try EncoderBatch(sequences: [[1, 20]]), activations: acts)
        }
        expectZOError("exceed the model's 8 positions") {
            try encoder.forward(
                p, tokens: try EncoderBatch(sequences: [Array(repeating: 1, count: 9)]),
                activations: encoder.makeActivations(batch: 1, length: 9))
        }
        expectZOError("label 3") {
            try encoder.forward(p, tokens: try EncoderBatch(sequences: [[1, 2]], labels: [3]), activations: acts)
        }
        let other = try BertEncoder<Double>(Small.config.with(layers: 1))
        expectZOError("layout") {
            try other.forward(p, tokens: try Small.tokens(), activations: other.makeActivations(batch: 2, length: 5))
        }
    }

    /// Zero layers: the pooled embedding LayerNorm output.
    @Test func zeroLayersPoolsTheEmbeddings() throws {
        let encoder = try BertEncoder<Double>(Small.config.with(layers: 0))
        let p = Small.parameters(encoder.layout, key: PRNGKey(seed: 5), as: Double.self)
        let tokens = try EncoderBatch(sequences: [[3]])
        let out = try pooled(encoder, p, tokens)
        let acts = encoder.makeActivations(batch: 1, length: 1)
        try encoder.forward(p, tokens: tokens, activations: acts)
        #expect(out == Array(UnsafeBufferPointer(start: acts.embeddingOutput, count: 8)))
    }
}

extension BLASThreadTests {
    func pooled<T: EncoderScalar>(_ encoder: BertEncoder<T>, _ p: Parameters<T>, _ tokens: EncoderBatch) throws -> [T] {
        try EncoderTests().pooled(encoder, p, tokens)
    }

    /// Large enough for OpenBLAS to split the gemms across threads: the same thread count gives the
    /// same bits; 1 vs 2 threads agree to rounding.
    @Test func forwardIsReproducibleForAFixedThreadCount() throws {
        let config = EncoderConfig(vocabSize: 50, hidden: 128, layers: 2, heads: 4, intermediate: 512, maxPositions: 64)
        let encoder = try BertEncoder<Float>(config)
        let p = encoder.layout.initialParameters(Float.self, key: PRNGKey(seed: 6), std: 0.1)
        let ids = (0..<(8 * 48)).map { Int32(($0 * 7) % 50) }
        let tokens = try EncoderBatch(batch: 8, length: 48, ids: ids, mask: [Int32](repeating: 1, count: 8 * 48))
        let before = BLASThreads.current
        defer { try? BLASThreads.set(before) }
        try BLASThreads.set(2)
        let a = try pooled(encoder, p, tokens)
        let b = try pooled(encoder, p, tokens)
        #expect(a == b)
        try BLASThreads.set(1)
        #expect(maxAbs(try pooled(encoder, p, tokens), a) < 1e-5)
    }
}
