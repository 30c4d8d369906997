import Testing
import ZOCore
import ZOModel
import ZOTestSupport

/// The streamed perturbed forward (Encoder+Perturbation.swift: dense tensors perturbed one stage at
/// a time in an arena, word-embedding rows gathered) against the copy of θ it replaced (`split`):
/// the same loss bits for every distribution, on one chunk (streamed) and several (copy).
/// Proofs/performance.md §Streamed perturbation.
@Suite struct StreamedPerturbationTests {
    func perturbation(_ method: Int, _ theta: Parameters<Float>) throws -> any Perturbation {
        let key = PRNGKey(seed: 61)
        switch method {
        case 0: return try GaussianRGE().perturbation(step: 2, key: key, parameters: theta, use: .measurement)
        case 1:
            return try SparseMeZO(sparsity: 0.6).perturbation(step: 2, key: key, parameters: theta, use: .measurement)
        case 2: return try LOZO(rank: 2).perturbation(step: 2, key: key, parameters: theta, use: .measurement)
        default: return try SubZero(rank: 2).perturbation(step: 2, key: key, parameters: theta, use: .measurement)
        }
    }

    /// The small batch, its one-chunk objective, θ from `seed` and the method's perturbation.
    func setUp(_ method: Int, seed: UInt64) throws -> (
        EncoderBatch, SentenceClassificationObjective<Float>, Parameters<Float>, any Perturbation
    ) {
        let data = try Small.tokens()
        let one = try SentenceClassificationObjective(
            encoder: try BertEncoder<Float>(Small.config), data: data, chunkSize: 2)
        let theta = Small.parameters(one.encoder.layout, key: PRNGKey(seed: seed), as: Float.self)
        return (data, one, theta, try perturbation(method, theta))
    }

    @Test(arguments: [0, 1, 2, 3])
    func streamedLossIsTheCopysLossBitForBit(method: Int) throws {
        let (data, one, theta, z) = try setUp(method, seed: 62)
        for eps in [1e-3, -1e-3, 0.05] {
            let (copy, deltas) = try one.encoder.split(theta, perturbation: z, epsilon: eps)
            let acts = one.encoder.makeActivations(batch: data.batch, length: data.length)
            let viaCopy = try #require(try one.encoder.forward(copy, tokens: data, activations: acts, deltas: deltas))
            let streamed = try #require(
                try one.encoder.forward(theta, perturbation: z, epsilon: eps, tokens: data, activations: acts))
            #expect(streamed.bitPattern == viaCopy.bitPattern, "method \(method), ε \(eps): \(streamed) vs \(viaCopy)")
            // The objective streams on one chunk and copies on several: the same loss.
            let twoChunks = try SentenceClassificationObjective(encoder: one.encoder, data: data, chunkSize: 1)
            let a = try one.loss(theta, perturbation: z, epsilon: eps, batch: .full)
            let b = try twoChunks.loss(theta, perturbation: z, epsilon: eps, batch: .full)
            #expect(abs(a - b) <= 1e-6 * abs(a), "method \(method): one chunk \(a), two chunks \(b)")
            // Not vacuous: the perturbation moves the loss, and θ is untouched.
            #expect(a != (try one.loss(theta, batch: .full)))
        }
        #expect(theta == Small.parameters(one.encoder.layout, key: PRNGKey(seed: 62), as: Float.self))
    }

    /// The pair (f(θ+εZ), f(θ−εZ)) with Z partitioned once equals the two single calls bit for bit,
    /// for the encoder and the objective (one chunk: the pair; two chunks: the fallback).
    @Test(arguments: [0, 1, 2, 3])
    func lossPairIsTwoSingleLosses(method: Int) throws {
        let (data, one, theta, z) = try setUp(method, seed: 64)
        let acts = one.encoder.makeActivations(batch: data.batch, length: data.length)
        let (plus, minus) = try one.encoder.forwardPair(
            theta, perturbation: z, epsilon: 1e-3, tokens: data, activations: acts)
        let p1 = try #require(
            try one.encoder.forward(theta, perturbation: z, epsilon: 1e-3, tokens: data, activations: acts))
        let m1 = try #require(
            try one.encoder.forward(theta, perturbation: z, epsilon: -1e-3, tokens: data, activations: acts))
        #expect(plus?.bitPattern == p1.bitPattern && minus?.bitPattern == m1.bitPattern, "method \(method)")
        #expect(p1 != m1)
        for objective in [one, try SentenceClassificationObjective(encoder: one.encoder, data: data, chunkSize: 1)] {
            let pair = try objective.lossPair(theta, perturbation: z, epsilon: 1e-3, batch: .full)
            #expect(
                pair.plus == (try objective.loss(theta, perturbation: z, epsilon: 1e-3, batch: .full)),
                "method \(method)")
            #expect(
                pair.minus == (try objective.loss(theta, perturbation: z, epsilon: -1e-3, batch: .full)),
                "method \(method)")
        }
    }

    /// A streamed forward marks its activations as not those of θ: backward refuses them.
    @Test func streamedActivationsRefuseBackward() throws {
        let data = try Small.tokens()
        let encoder = try BertEncoder<Float>(Small.config)
        let theta = Small.parameters(encoder.layout, key: PRNGKey(seed: 63), as: Float.self)
        let z = try perturbation(0, theta)
        let acts = encoder.makeActivations(batch: data.batch, length: data.length)
        try encoder.forward(theta, perturbation: z, epsilon: 1e-3, tokens: data, activations: acts)
        var g = [Float](repeating: 0, count: theta.count)
        expectZOError("perturbation") { try encoder.backward(theta, activations: acts, scale: 1, into: &g) }
    }
}
