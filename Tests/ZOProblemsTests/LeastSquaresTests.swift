import Foundation
import Testing
import ZOCore
import ZOProblems

@Suite struct LeastSquaresTests {
    @Test(arguments: [
        LeastSquaresSpectrum.identity, .geometric(ratio: 0.7), .powerLaw(exponent: 1.5),
        .effectiveRank(3.5), .custom([3, 0, 1, 2, 0.5, 0, 4, 1, 1, 2, 0.25, 5]),
    ])
    func gradientMatchesCentralDifferences(spectrum: LeastSquaresSpectrum) throws {
        let f = try LeastSquares<Double>(
            dimension: 12, spectrum: spectrum, largestEigenvalue: 2, key: PRNGKey(seed: 41))
        #expect(try gradientError(f, at: try randomPoint(f.layout, key: PRNGKey(seed: 401))) <= 1e-8)
    }

    @Test func hessianVectorProductMatchesGradientDifferences() throws {
        let f = try LeastSquares<Double>(dimension: 16, spectrum: .powerLaw(exponent: 1), key: PRNGKey(seed: 42))
        let x = try randomPoint(f.layout, key: PRNGKey(seed: 402))
        let v = RandomFill.gaussian(Double.self, count: 16, key: PRNGKey(seed: 403))
        #expect(try hessianVectorError(f, at: x, direction: v) <= 1e-9)
    }

    @Test func profilesHaveTheirClosedForms() throws {
        let key = PRNGKey(seed: 43)
        let geo = try LeastSquares<Double>(
            dimension: 8, spectrum: .geometric(ratio: 0.5), largestEigenvalue: 3, key: key)
        #expect(relativeError(geo.eigenvalues, (0..<8).map { 3 * pow(0.5, Double($0)) }) <= 1e-15)
        #expect(relativeDifference(geo.effectiveRank, (1 - pow(0.5, 8)) / 0.5) <= 1e-14)
        let power = try LeastSquares<Double>(dimension: 8, spectrum: .powerLaw(exponent: 2), key: key)
        #expect(relativeError(power.eigenvalues, (1...8).map { 1 / Double($0 * $0) }) <= 1e-15)
        let identity = try LeastSquares<Double>(dimension: 8, key: key)
        #expect(identity.eigenvalues == [Double](repeating: 1, count: 8))
        #expect(identity.effectiveRank == 8)
        let custom = try LeastSquares<Double>(
            dimension: 3, spectrum: .custom([1, 4, 0]), largestEigenvalue: 2, key: key)
        #expect(custom.hessianSpectrum == [2, 8, 0])
        #expect(custom.smoothness == 8)
    }

    /// MeZO's Theorem 1 depends on r_H = tr H / ‖H‖: the requested effective rank is met exactly.
    @Test(arguments: [1.0, 1.0001, 2.5, 10, 100, 999.5, 1000])
    func effectiveRankIsControlled(r: Double) throws {
        let f = try LeastSquares<Double>(
            dimension: 1000, spectrum: .effectiveRank(r), largestEigenvalue: 5, key: PRNGKey(seed: 44))
        let h = try #require(f.hessianSpectrum)
        #expect(relativeDifference(h.reduce(0, +) / h.max()!, r) <= 1e-10)
        #expect(f.smoothness == 5)
        #expect(h.allSatisfy { $0 >= 0 })
    }

    @Test func minimizerHasZeroLossAndSmoothnessBoundsTheGradient() throws {
        let f = try LeastSquares<Double>(dimension: 64, spectrum: .geometric(ratio: 0.9), key: PRNGKey(seed: 45))
        #expect(try f.loss(f.minimizer) == 0)
        #expect(f.optimalValue == 0)
        let l = try #require(f.smoothness)
        for seed in 404..<410 as Range<UInt64> {
            #expect(try gradientLipschitzRatio(f, key: PRNGKey(seed: seed)) <= l * (1 + 1e-12))
        }
        // L is attained along e₀ (the top eigenvector).
        var e = [Double](repeating: 0, count: 64)
        e[0] = 1
        #expect(try #require(f.hessianVectorProduct(e))[0] == l)
    }

    @Test func smoothedLossShiftsByHalfTraceAndKeepsTheGradient() throws {
        let f = try LeastSquares<Double>(dimension: 20, spectrum: .powerLaw(exponent: 0.5), key: PRNGKey(seed: 46))
        let x = try randomPoint(f.layout, key: PRNGKey(seed: 411))
        let fd = try centralDifferences(at: x) { try f.smoothedLoss($0, epsilon: 0.2) }
        #expect(relativeError(try #require(f.smoothedGradient(x, epsilon: 0.2)), fd) <= 1e-8)
        let trace = f.eigenvalues.reduce(0, +)
        #expect(relativeDifference(try f.smoothedLoss(x, epsilon: 0.2) - f.loss(x), 0.02 * trace) <= 1e-12)
    }

    /// d = 10⁶: loss and gradient are O(d) and stay in milliseconds (bound set 20× above the
    /// release-build timing so that a loaded machine does not fail it; an O(d²) slip would).
    /// d = 10⁶ works (the structured design keeps f and ∇f O(d); speed is measured by benchmarks,
    /// not asserted here) and the values match the formula.
    @Test func millionDimensionalLossAndGradient() throws {
        let d = 1_000_000
        let f = try LeastSquares<Double>(dimension: d, spectrum: .effectiveRank(50), key: PRNGKey(seed: 47))
        let x = f.initialPoint()
        let value = try f.loss(x)
        let grad = try f.gradient(x)
        var expected = 0.0
        for i in 0..<d { expected += f.eigenvalues[i] * (x.values[i] - f.center[i]) * (x.values[i] - f.center[i]) }
        #expect(relativeDifference(value, 0.5 * expected) <= 1e-12)
        #expect(grad.count == d)
        for i in [0, 1, 777, d - 1] { #expect(grad[i] == f.eigenvalues[i] * (x.values[i] - f.center[i])) }
    }

    @Test func floatAndDoubleGiveTheSameLoss() throws {
        let fd = try LeastSquares<Double>(dimension: 1000, spectrum: .effectiveRank(20), key: PRNGKey(seed: 48))
        let ff = try LeastSquares<Float>(dimension: 1000, spectrum: .effectiveRank(20), key: PRNGKey(seed: 48))
        let x = try randomPoint(fd.layout, key: PRNGKey(seed: 412))
        #expect(relativeDifference(try ff.loss(x.converted(to: Float.self)), try fd.loss(x)) <= 1e-5)
        let gf = try ff.gradient(x.converted(to: Float.self)).map { Double($0) }
        #expect(relativeError(gf, try fd.gradient(x)) <= 1e-5)
    }

    @Test func invalidInputThrows() throws {
        let key = PRNGKey(seed: 1)
        #expect(throws: ZOError.self) { try LeastSquares<Double>(dimension: 0, key: key) }
        #expect(throws: ZOError.self) { try LeastSquares<Double>(dimension: 4, largestEigenvalue: 0, key: key) }
        #expect(throws: ZOError.self) {
            try LeastSquares<Double>(dimension: 4, spectrum: .geometric(ratio: 0), key: key)
        }
        #expect(throws: ZOError.self) {
            try LeastSquares<Double>(dimension: 4, spectrum: .geometric(ratio: 1.5), key: key)
        }
        #expect(throws: ZOError.self) {
            try LeastSquares<Double>(dimension: 4, spectrum: .powerLaw(exponent: -1), key: key)
        }
        #expect(throws: ZOError.self) {
            try LeastSquares<Double>(dimension: 4, spectrum: .effectiveRank(0.5), key: key)
        }
        #expect(throws: ZOError.self) {
            try LeastSquares<Double>(dimension: 4, spectrum: .effectiveRank(4.5), key: key)
        }
        #expect(throws: ZOError.self) {
            try LeastSquares<Double>(dimension: 4, spectrum: .custom([1, 2, 3]), key: key)
        }
        #expect(throws: ZOError.self) {
            try LeastSquares<Double>(dimension: 3, spectrum: .custom([1, -2, 3]), key: key)
        }
        #expect(throws: ZOError.self) {
            try LeastSquares<Double>(dimension: 3, spectrum: .custom([0, 0, 0]), key: key)
        }
        let f = try LeastSquares<Double>(dimension: 4, key: key)
        let wrong = try randomPoint(try ParameterLayout.vector("theta", count: 5), key: key)
        #expect(throws: ZOError.self) { try f.loss(wrong) }
        #expect(throws: ZOError.self) { try f.gradient(wrong) }
        #expect(f.hessianVectorProduct([1, 2, 3]) == nil)
        #expect(f.smoothedGradient(wrong, epsilon: 0.1) == nil)
    }
}
