import Testing
import ZOCore
import ZOModel
import ZOTestSupport

@Suite struct EncoderBackwardTests {
    /// The whole model's gradient (every tensor, head included) against central finite
    /// differences of the mean cross-entropy, in Double, on a padded batch: ≤ 1e-6 per tensor.
    @Test func wholeModelGradientMatchesFiniteDifferences() throws {
        let encoder = try BertEncoder<Double>(Small.config)
        let tokens = try Small.tokens()
        let theta = Small.parameters(encoder.layout, key: PRNGKey(seed: 11), as: Double.self)
        let acts = encoder.makeActivations(batch: tokens.batch, length: tokens.length)
        let scale = 1 / Double(tokens.batch)
        func loss(_ values: [Double]) throws -> Double {
            let p = try Parameters(layout: encoder.layout.parameters, values: values)
            return try #require(try encoder.forward(p, tokens: tokens, activations: acts)) * scale
        }
        _ = try loss(theta.values)
        var g = [Double](repeating: 0, count: theta.count)
        try encoder.backward(theta, activations: acts, scale: scale, into: &g)
        let fd = try finiteDifferences(theta.values, loss)
        // The key bias adds q·b_k to every score of a query row, which the softmax cancels: its
        // gradient is exactly 0, so both sides are rounding noise and only an absolute bound applies.
        let keyBiases = Set(encoder.layout.layers.map(\.keyBias.index))
        for (t, spec) in encoder.layout.parameters.tensors.enumerated() {
            let mine = Array(g[spec.range])
            let reference = Array(fd[spec.range])
            if keyBiases.contains(t) {
                #expect(
                    mine.allSatisfy { abs($0) < 1e-12 } && reference.allSatisfy { abs($0) < 1e-9 },
                    "\(spec.name) should have a zero gradient")
                continue
            }
            let err = relativeError(mine, reference)
            #expect(err <= 1e-6, "\(spec.name): relative error \(err)")
            // Not vacuous: every other tensor has a gradient well above the noise.
            #expect(reference.contains { abs($0) > 1e-4 }, "\(spec.name) has a negligible gradient")
        }
    }

    /// Backward adds: a second backward doubles the gradient.
    @Test func backwardAccumulates() throws {
        let encoder = try BertEncoder<Double>(Small.config)
        let tokens = try Small.tokens()
        let theta = Small.parameters(encoder.layout, key: PRNGKey(seed: 12), as: Double.self)
        let acts = encoder.makeActivations(batch: 2, length: 5)
        try encoder.forward(theta, tokens: tokens, activations: acts)
        var once = [Double](repeating: 0, count: theta.count)
        try encoder.backward(theta, activations: acts, scale: 1, into: &once)
        var twice = once
        try encoder.backward(theta, activations: acts, scale: 1, into: &twice)
        #expect(maxAbs(twice, once.map { 2 * $0 }) < 1e-12)
    }

    @Test func backwardRefusesAForwardWithoutLabelsOrWithDeltas() throws {
        let encoder = try BertEncoder<Double>(Small.config)
        let theta = Small.parameters(encoder.layout, key: PRNGKey(seed: 13), as: Double.self)
        let t = try Small.tokens()
        let unlabelled = try EncoderBatch(batch: t.batch, length: t.length, ids: t.ids, mask: t.mask, types: t.types)
        let acts = encoder.makeActivations(batch: 2, length: 5)
        try encoder.forward(theta, tokens: unlabelled, activations: acts)
        var g = [Double](repeating: 0, count: theta.count)
        expectZOError("no labels") { try encoder.backward(theta, activations: acts, scale: 1, into: &g) }
        let spec = encoder.layout.parameters.tensors[encoder.layout.layers[0].queryWeight.index]
        let f = LowRankFactors(
            rows: spec.rows, cols: spec.cols, rank: 1, u: randn(spec.rows, seed: 1), v: randn(spec.cols, seed: 2))
        try encoder.forward(
            theta, tokens: t, activations: acts,
            deltas: WeightDeltas([encoder.layout.layers[0].queryWeight.index: LowRankDelta(f, scale: 0.1)]))
        expectZOError("fused perturbation deltas") {
            try encoder.backward(theta, activations: acts, scale: 1, into: &g)
        }
    }
}
