import Testing
import ZOCore
import ZOProblems

@Suite struct TwoLayerLinearNetworkTests {
    func problem(noise: Double = 0) throws -> TwoLayerLinearNetwork<Double> {
        try TwoLayerLinearNetwork<Double>(
            inputs: 5, hidden: 4, outputs: 3, samples: 25, noise: noise, key: PRNGKey(seed: 91))
    }

    @Test func layoutMatchesTheMultiTensorQuadratic() throws {
        let f = try problem()
        let q = try MultiTensorNetworkProblem<Double>(m: 4, n: 5, p: 3, rank: 1, key: PRNGKey(seed: 91))
        #expect(f.layout == q.layout)
        #expect(f.hessianSpectrum == nil && f.smoothness == nil)
    }

    @Test func gradientMatchesCentralDifferences() throws {
        let f = try problem(noise: 0.1)
        let x = try randomPoint(f.layout, key: PRNGKey(seed: 901))
        #expect(try gradientError(f, at: x) <= 1e-8)
        #expect(try gradientError(f, at: x, batch: .minibatch(key: PRNGKey(seed: 902), size: 7)) <= 1e-8)
        #expect(try gradientError(f, at: f.initialPoint()) <= 1e-8)
    }

    @Test func teacherAttainsZeroLossWithoutNoise() throws {
        let f = try problem()
        #expect(f.optimalValue == 0)
        #expect(try f.loss(f.plantedParameters) <= 1e-30)
        #expect(norm(try f.gradient(f.plantedParameters)) <= 1e-14)
        #expect(try f.loss(f.initialPoint()) > 1e-2)
        let noisy = try problem(noise: 0.5)
        #expect(noisy.optimalValue == nil)
        // Residuals are then the noise: f(teacher) ≈ ½ · 0.25 · p = 0.375 (χ² with 75 dof, SD ≈ 0.06).
        #expect(abs(try noisy.loss(noisy.plantedParameters) - 0.375) <= 5 * 0.375 * (2.0 / 75).squareRoot())
    }

    @Test func minibatchesAreReproducibleAndTheFullSizeIsTheFullBatch() throws {
        let f = try problem(noise: 0.1)
        let x = try randomPoint(f.layout, key: PRNGKey(seed: 903))
        let batch = BatchSelection.minibatch(key: PRNGKey(seed: 904), size: 6)
        #expect(try f.loss(x, batch: batch) == f.loss(x, batch: batch))
        #expect(try f.loss(x, batch: batch) != f.loss(x, batch: .minibatch(key: PRNGKey(seed: 905), size: 6)))
        let all = BatchSelection.minibatch(key: PRNGKey(seed: 906), size: 25)
        #expect(try f.loss(x, batch: all) == f.loss(x))
        #expect(try f.gradient(x, batch: all) == f.gradient(x))
    }

    @Test func floatAndDoubleGiveTheSameLoss() throws {
        let fd = try problem(noise: 0.1)
        let ff = try TwoLayerLinearNetwork<Float>(
            inputs: 5, hidden: 4, outputs: 3, samples: 25, noise: 0.1, key: PRNGKey(seed: 91))
        let x = try randomPoint(fd.layout, key: PRNGKey(seed: 907))
        #expect(relativeDifference(try ff.loss(x.converted(to: Float.self)), try fd.loss(x)) <= 1e-5)
    }

    @Test func invalidInputThrows() throws {
        let key = PRNGKey(seed: 1)
        #expect(throws: ZOError.self) {
            try TwoLayerLinearNetwork<Double>(inputs: 0, hidden: 2, outputs: 2, samples: 3, key: key)
        }
        #expect(throws: ZOError.self) {
            try TwoLayerLinearNetwork<Double>(inputs: 2, hidden: 2, outputs: 2, samples: 0, key: key)
        }
        #expect(throws: ZOError.self) {
            try TwoLayerLinearNetwork<Double>(inputs: 2, hidden: 2, outputs: 2, samples: 3, noise: -0.1, key: key)
        }
        let f = try problem()
        #expect(throws: ZOError.self) { try f.loss(f.initialPoint(), batch: .minibatch(key: key, size: 26)) }
        #expect(throws: ZOError.self) {
            try f.gradient(try randomPoint(try ParameterLayout.vector("x", count: 50), key: key))
        }
    }
}
