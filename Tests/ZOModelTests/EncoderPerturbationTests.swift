import Testing
import ZOCore
import ZOModel
import ZOTestSupport

@Suite struct EncoderPerturbationTests {
    func objective<T: EncoderScalar>(_ type: T.Type) throws -> SentenceClassificationObjective<T> {
        let t = try Small.tokens()
        return try SentenceClassificationObjective(encoder: try BertEncoder<T>(Small.config), data: t, chunkSize: 2)
    }

    /// f(θ + εZ) with LOZO's low-rank matrices applied fused (never forming W + εUVᵀ) equals f at
    /// the materialised θ + εZ: to 1e-5 (relative) in Float, 1e-12 in Double. SubZero likewise.
    @Test(arguments: [0, 1])
    func fusedLowRankLossMatchesMaterialised(method: Int) throws {
        for useDouble in [false, true] {
            let (fused, dense) =
                useDouble ? try losses(Double.self, method: method) : try losses(Float.self, method: method)
            #expect(abs(fused - dense) <= (useDouble ? 1e-12 : 1e-5) * abs(dense), "fused \(fused) vs dense \(dense)")
        }
    }

    func losses<T: EncoderScalar>(_ type: T.Type, method: Int) throws -> (Double, Double) {
        let f = try objective(T.self)
        let theta = Small.parameters(f.encoder.layout, key: PRNGKey(seed: 3), as: T.self)
        let eps = 0.05
        let z: any Perturbation =
            method == 0
            ? try LOZO(rank: 2).perturbation(step: 0, key: PRNGKey(seed: 4), parameters: theta, use: .measurement)
            : try SubZero(rank: 2).perturbation(step: 0, key: PRNGKey(seed: 4), parameters: theta, use: .measurement)
        // Every matrix went the fused way, every vector the dense way.
        let (_, deltas) = try f.encoder.split(theta, perturbation: z, epsilon: eps)
        #expect(
            Set(deltas.lowRank.keys) == Set(f.layout.tensors.indices.filter { f.layout.tensors[$0].kind == .matrix }))
        var materialised = theta
        for t in theta.layout.tensors.indices { materialised.withTensor(t) { z.addScaled(eps, tensor: t, to: $0) } }
        let fused = try f.loss(theta, perturbation: z, epsilon: eps, batch: .full)
        // The encoder-level API gives the same number (one chunk here: sum / B).
        let acts = f.encoder.makeActivations(batch: f.data.batch, length: f.data.length)
        let direct = try #require(
            try f.encoder.forward(theta, perturbation: z, epsilon: eps, tokens: f.data, activations: acts))
        #expect(abs(direct / Double(f.data.batch) - fused) <= 1e-12 * abs(fused) + (T.self == Float.self ? 1e-6 : 0))
        let dense = try f.loss(materialised, batch: .full)
        // The perturbation moves the loss (the comparison is not vacuous).
        #expect(abs(dense - (try f.loss(theta, batch: .full))) > 1e-4)
        return (fused, dense)
    }

    /// A dense (MeZO) perturbation goes through the scratch copy: the same bits as materialising it.
    @Test func densePerturbationIsExactlyMaterialised() throws {
        let f = try objective(Float.self)
        let theta = Small.parameters(f.encoder.layout, key: PRNGKey(seed: 5), as: Float.self)
        let z = try GaussianRGE().perturbation(step: 3, key: PRNGKey(seed: 6), parameters: theta, use: .measurement)
        let (scratch, deltas) = try f.encoder.split(theta, perturbation: z, epsilon: 1e-3)
        #expect(deltas.isEmpty)
        var materialised = theta
        ZOEstimator<GaussianRGE>.add(1e-3, z, to: &materialised)
        #expect(scratch == materialised)
        #expect(
            try f.loss(theta, perturbation: z, epsilon: 1e-3, batch: .full) == (try f.loss(materialised, batch: .full)))
        #expect(try f.loss(theta, perturbation: nil, epsilon: 1e-3, batch: .full) == (try f.loss(theta, batch: .full)))
    }

    @Test func splitRejectsAnotherLayout() throws {
        let f = try objective(Double.self)
        let theta = Small.parameters(f.encoder.layout, key: PRNGKey(seed: 7), as: Double.self)
        let other = Parameters<Double>(zeros: try ParameterLayout.vector(count: 3))
        let z = try GaussianRGE().perturbation(step: 0, key: PRNGKey(seed: 1), parameters: other, use: .measurement)
        expectZOError("layout") { _ = try f.encoder.split(theta, perturbation: z, epsilon: 1e-3) }
    }
}
