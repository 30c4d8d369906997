import Testing
import ZOCore
import ZOProblems

@Suite struct LowRankMatrixQuadraticTests {
    // W is (9, 6); A (7, 9) of rank 3, B (6, 5) of rank 2, with distinct singular values so that
    // the Kronecker spectrum has distinct nonzero products.
    static let sigmaA = [2.0, 1.0, 0.5]
    static let sigmaB = [1.5, 0.25]

    func problem(_ seed: UInt64 = 11) throws -> LowRankMatrixQuadratic<Double> {
        try LowRankMatrixQuadratic<Double>(
            m: 9, n: 6, p: 7, q: 5, rankA: 3, rankB: 2,
            singularValuesA: Self.sigmaA, singularValuesB: Self.sigmaB,
            key: PRNGKey(seed: seed))
    }

    @Test func gradientMatchesCentralDifferences() throws {
        let f = try problem()
        let x = try randomPoint(f.layout, key: PRNGKey(seed: 101))
        #expect(try gradientError(f, at: x) <= 1e-7)
    }

    @Test func factoredLossAndGradientMatchDenseReference() throws {
        let f = try problem()
        for seed in [102, 103, 104] as [UInt64] {
            let x = try randomPoint(f.layout, key: PRNGKey(seed: seed))
            #expect(relativeDifference(try f.loss(x), try f.denseReferenceLoss(x)) <= 1e-12)
            #expect(relativeError(try f.gradient(x), try f.denseReferenceGradient(x)) <= 1e-12)
        }
    }

    @Test func hessianVectorProductMatchesGradientDifferences() throws {
        let f = try problem()
        let x = try randomPoint(f.layout, key: PRNGKey(seed: 105))
        let v = RandomFill.gaussian(Double.self, count: f.layout.count, key: PRNGKey(seed: 106))
        #expect(try hessianVectorError(f, at: x, direction: v) <= 1e-9)
    }

    @Test func matricesHaveTheRequestedRanksAndSingularValues() throws {
        let f = try problem()
        let sa = try gslSingularValues(f.matrixA, rows: 7, cols: 9)
        let sb = try gslSingularValues(f.matrixB, rows: 6, cols: 5)
        #expect(relativeError(Array(sa.prefix(3)), Self.sigmaA) <= 1e-12)
        #expect(relativeError(Array(sb.prefix(2)), Self.sigmaB) <= 1e-12)
        #expect(numericalRank(sa) == 3)
        #expect(numericalRank(sb) == 2)
    }

    /// LOZO's premise: rank ∇f ≤ min(r_A, r_B) everywhere (and generically equal).
    @Test(arguments: [(3, 2), (1, 4), (2, 2), (5, 5)])
    func gradientHasRankAtMostMinOfRanks(ranks: (Int, Int)) throws {
        let f = try LowRankMatrixQuadratic<Double>(m: 10, n: 7, rankA: ranks.0, rankB: ranks.1, key: PRNGKey(seed: 12))
        #expect(f.gradientRankBound == min(ranks.0, ranks.1))
        for seed in [107, 108, 109] as [UInt64] {
            let g = try f.gradient(try randomPoint(f.layout, key: PRNGKey(seed: seed)))
            let rank = numericalRank(try gslSingularValues(g, rows: 10, cols: 7))
            #expect(rank == min(ranks.0, ranks.1))
        }
    }

    @Test func spectrumIsTheKroneckerProductSpectrum() throws {
        let f = try problem()
        let spectrum = try #require(f.hessianSpectrum)
        #expect(spectrum.count == 9 * 6)
        let products = Self.sigmaA.flatMap { a in Self.sigmaB.map { b in a * a * b * b } }.sorted(by: >)
        #expect(relativeError(Array(spectrum.prefix(6)), products) <= 1e-15)
        #expect(spectrum.dropFirst(6).allSatisfy { $0 == 0 })
        #expect(spectrum.max() == f.smoothness)
        #expect(f.smoothness == 4.0 * 2.25)
        // Independent check: the dense Hessian assembled from HVPs, diagonalised by GSL.
        let dense = try gslSymmetricEigenvalues(try denseHessian(f), dimension: 54)
        #expect(relativeError(dense, spectrum) <= 1e-12)
    }

    @Test func quadraticFormIsBoundedBySmoothness() throws {
        let f = try problem()
        let l = try #require(f.smoothness)
        for seed in [110, 111, 112, 113] as [UInt64] {
            let v = RandomFill.gaussian(Double.self, count: f.layout.count, key: PRNGKey(seed: seed))
            let hv = try #require(f.hessianVectorProduct(v))
            #expect(0.5 * dot(v, hv) <= 0.5 * l * dot(v, v) * (1 + 1e-12))
            #expect(dot(v, hv) >= 0)
        }
        // L is a Lipschitz constant of ∇f (the spectrum test shows it is also attained).
        #expect(try gradientLipschitzRatio(f, key: PRNGKey(seed: 114)) <= l * (1 + 1e-12))
    }

    @Test func minimizerHasZeroLossAndGradient() throws {
        let f = try problem()
        #expect(try f.loss(f.minimizer) == 0)
        #expect(try f.gradient(f.minimizer).allSatisfy { $0 == 0 })
        #expect(f.optimalValue == 0)
        #expect(try f.loss(f.initialPoint()) > 0)
    }

    @Test func smoothedGradientIsTheGradientAndSmoothedLossShiftsByTrace() throws {
        let f = try problem()
        let x = try randomPoint(f.layout, key: PRNGKey(seed: 115))
        #expect(try f.smoothedGradient(x, epsilon: 0.3) == f.gradient(x))
        let trace = try #require(f.hessianSpectrum).reduce(0, +)
        #expect(relativeDifference(try f.smoothedLoss(x, epsilon: 0.3) - f.loss(x), 0.045 * trace) <= 1e-12)
    }

    @Test func keyDeterminesTheProblem() throws {
        let a = try problem(20)
        let b = try problem(20)
        let c = try problem(21)
        #expect(a.initialPoint() == b.initialPoint())
        #expect(a.matrixA == b.matrixA)
        #expect(a.initialPoint() != c.initialPoint())
        #expect(a.minimizer != c.minimizer)
    }

    @Test func floatAndDoubleGiveTheSameLoss() throws {
        let fd = try problem()
        let ff = try LowRankMatrixQuadratic<Float>(
            m: 9, n: 6, p: 7, q: 5, rankA: 3, rankB: 2,
            singularValuesA: Self.sigmaA, singularValuesB: Self.sigmaB,
            key: PRNGKey(seed: 11))
        let x = try randomPoint(fd.layout, key: PRNGKey(seed: 116)).converted(to: Float.self)
        #expect(relativeDifference(try ff.loss(x), try fd.loss(x.converted(to: Double.self))) <= 1e-12)
        let xd = try randomPoint(fd.layout, key: PRNGKey(seed: 116))
        #expect(relativeDifference(try ff.loss(xd.converted(to: Float.self)), try fd.loss(xd)) <= 1e-5)
    }

    @Test func invalidInputThrows() throws {
        let key = PRNGKey(seed: 1)
        #expect(throws: ZOError.self) { try LowRankMatrixQuadratic<Double>(m: 0, n: 4, rankA: 1, rankB: 1, key: key) }
        #expect(throws: ZOError.self) { try LowRankMatrixQuadratic<Double>(m: 4, n: 4, rankA: 0, rankB: 1, key: key) }
        #expect(throws: ZOError.self) { try LowRankMatrixQuadratic<Double>(m: 4, n: 3, rankA: 2, rankB: 4, key: key) }
        #expect(throws: ZOError.self) {
            try LowRankMatrixQuadratic<Double>(m: 5, n: 5, p: 2, q: 5, rankA: 3, rankB: 1, key: key)
        }
        #expect(throws: ZOError.self) {
            try LowRankMatrixQuadratic<Double>(
                m: 5, n: 5, p: 5, q: 5, rankA: 2, rankB: 1, singularValuesA: [1], key: key)
        }
        #expect(throws: ZOError.self) {
            try LowRankMatrixQuadratic<Double>(
                m: 5, n: 5, p: 5, q: 5, rankA: 2, rankB: 1, singularValuesA: [1, -1], key: key)
        }
        let f = try problem()
        let wrong = try randomPoint(try ParameterLayout.matrix("W", rows: 6, cols: 9), key: key)
        #expect(throws: ZOError.self) { try f.loss(wrong) }
        #expect(throws: ZOError.self) { try f.gradient(wrong) }
        #expect(f.hessianVectorProduct([1, 2, 3]) == nil)
    }
}
