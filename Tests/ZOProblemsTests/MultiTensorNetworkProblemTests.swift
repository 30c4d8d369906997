import Testing
import ZOCore
import ZOProblems

@Suite struct MultiTensorNetworkProblemTests {
    func problem(rank: Int = 2) throws -> MultiTensorNetworkProblem<Double> {
        try MultiTensorNetworkProblem<Double>(m: 6, n: 5, p: 4, rank: rank, key: PRNGKey(seed: 81))
    }

    @Test func layoutMixesMatricesAndVectors() throws {
        let f = try problem()
        #expect(f.layout.tensors.map(\.name) == ["layer0.weight", "layer0.bias", "layer1.weight", "norm.gain"])
        #expect(f.layout.tensors.map(\.shape) == [[6, 5], [6], [4, 6], [4]])
        #expect(f.layout.tensors.map(\.kind) == [.matrix, .vector, .matrix, .vector])
        #expect(f.layout.count == 30 + 6 + 24 + 4)
    }

    @Test func gradientMatchesCentralDifferences() throws {
        let f = try problem()
        #expect(try gradientError(f, at: try randomPoint(f.layout, key: PRNGKey(seed: 801))) <= 1e-8)
    }

    @Test func hessianVectorProductMatchesGradientDifferences() throws {
        let f = try problem()
        let x = try randomPoint(f.layout, key: PRNGKey(seed: 802))
        let v = RandomFill.gaussian(Double.self, count: f.layout.count, key: PRNGKey(seed: 803))
        #expect(try hessianVectorError(f, at: x, direction: v) <= 1e-9)
    }

    @Test(arguments: [1, 2, 3])
    func spectrumMatchesTheDenseHessian(rank: Int) throws {
        let f = try problem(rank: rank)
        let spectrum = try #require(f.hessianSpectrum)
        #expect(spectrum.count == f.layout.count)
        let reference = try gslSymmetricEigenvalues(try denseHessian(f), dimension: f.layout.count)
        #expect(relativeError(spectrum, reference) <= 1e-12)
        #expect(f.smoothness == 1)
        #expect(spectrum.max() == 1)
        // Nonzero eigenvalues: r² per matrix (products 1/((i+1)(j+1))) plus every vector entry.
        #expect(spectrum.filter { $0 > 1e-14 }.count == 2 * rank * rank + 6 + 4)
    }

    @Test func minimizerHasZeroLossAndSmoothnessBoundsTheGradient() throws {
        let f = try problem()
        #expect(try f.loss(f.minimizer) == 0)
        #expect(try f.gradient(f.minimizer).allSatisfy { $0 == 0 })
        #expect(f.optimalValue == 0)
        for seed in 804..<810 as Range<UInt64> {
            #expect(try gradientLipschitzRatio(f, key: PRNGKey(seed: seed)) <= 1 + 1e-12)
        }
    }

    @Test func customLayoutAndSmoothing() throws {
        let f = try MultiTensorNetworkProblem<Double>(
            tensors: [("a", [3]), ("B", [4, 7]), ("c", [2])], rank: 4,
            key: PRNGKey(seed: 82))
        let x = try randomPoint(f.layout, key: PRNGKey(seed: 811))
        #expect(try gradientError(f, at: x) <= 1e-8)
        let fd = try centralDifferences(at: x) { try f.smoothedLoss($0, epsilon: 0.3) }
        #expect(relativeError(try #require(f.smoothedGradient(x, epsilon: 0.3)), fd) <= 1e-8)
    }

    @Test func floatAndDoubleGiveTheSameLoss() throws {
        let fd = try problem()
        let ff = try MultiTensorNetworkProblem<Float>(m: 6, n: 5, p: 4, rank: 2, key: PRNGKey(seed: 81))
        let x = try randomPoint(fd.layout, key: PRNGKey(seed: 812))
        #expect(relativeDifference(try ff.loss(x.converted(to: Float.self)), try fd.loss(x)) <= 1e-5)
    }

    @Test func invalidInputThrows() throws {
        let key = PRNGKey(seed: 1)
        #expect(throws: ZOError.self) { try MultiTensorNetworkProblem<Double>(m: 0, key: key) }
        #expect(throws: ZOError.self) { try MultiTensorNetworkProblem<Double>(rank: 0, key: key) }
        #expect(throws: ZOError.self) { try MultiTensorNetworkProblem<Double>(m: 6, n: 5, p: 3, rank: 4, key: key) }
        #expect(throws: ZOError.self) { try MultiTensorNetworkProblem<Double>(tensors: [], rank: 1, key: key) }
        #expect(throws: ZOError.self) {
            try MultiTensorNetworkProblem<Double>(tensors: [("x", [2, 2, 2])], rank: 1, key: key)
        }
        #expect(throws: ZOError.self) {
            try MultiTensorNetworkProblem<Double>(tensors: [("x", [2]), ("x", [3])], rank: 1, key: key)
        }
        let f = try problem()
        #expect(throws: ZOError.self) {
            try f.loss(try randomPoint(try ParameterLayout.vector("x", count: 64), key: key))
        }
        #expect(f.hessianVectorProduct([0]) == nil)
    }
}
