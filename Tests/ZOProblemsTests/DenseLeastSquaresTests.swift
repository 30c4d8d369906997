import CNumerics
import Testing
import ZOCore
import ZOProblems

@Suite struct DenseLeastSquaresTests {
    func problem(samples: Int = 40, dimension: Int = 8, noise: Double = 0.3) throws -> DenseLeastSquares<Double> {
        try DenseLeastSquares<Double>(samples: samples, dimension: dimension, noise: noise, key: PRNGKey(seed: 51))
    }

    /// The residual minimum by GSL's SVD least-squares solver: an independent reference for f*.
    func gslResidualMinimum(_ f: DenseLeastSquares<Double>) throws -> Double {
        zo_gsl_disable_abort()
        let (n, d) = (f.samples, f.dimension)
        var x = f.design
        var y = f.targets
        var c = [Double](repeating: 0, count: d)
        var cov = [Double](repeating: 0, count: d * d)
        var chisq = 0.0
        let status: Int32 = x.withUnsafeMutableBufferPointer { xb in
            y.withUnsafeMutableBufferPointer { yb in
                c.withUnsafeMutableBufferPointer { cb in
                    cov.withUnsafeMutableBufferPointer { vb in
                        var xm = gsl_matrix_view_array(xb.baseAddress, n, d)
                        var yv = gsl_vector_view_array(yb.baseAddress, n)
                        var cv = gsl_vector_view_array(cb.baseAddress, d)
                        var vm = gsl_matrix_view_array(vb.baseAddress, d, d)
                        guard let work = gsl_multifit_linear_alloc(n, d) else { return -1 }
                        defer { gsl_multifit_linear_free(work) }
                        return gsl_multifit_linear(&xm.matrix, &yv.vector, &cv.vector, &vm.matrix, &chisq, work)
                    }
                }
            }
        }
        try #require(status == 0, "gsl_multifit_linear failed with status \(status)")
        return chisq / (2 * Double(n))
    }

    @Test func gradientMatchesCentralDifferences() throws {
        let f = try problem()
        #expect(try gradientError(f, at: try randomPoint(f.layout, key: PRNGKey(seed: 501))) <= 1e-8)
    }

    @Test func hessianVectorProductMatchesGradientDifferences() throws {
        let f = try problem()
        let x = try randomPoint(f.layout, key: PRNGKey(seed: 502))
        let v = RandomFill.gaussian(Double.self, count: f.dimension, key: PRNGKey(seed: 503))
        #expect(try hessianVectorError(f, at: x, direction: v) <= 1e-9)
    }

    @Test func spectrumMatchesTheDenseHessianAndBoundsTheQuadraticForm() throws {
        let f = try problem()
        let spectrum = try #require(f.hessianSpectrum)
        let reference = try gslSymmetricEigenvalues(try denseHessian(f), dimension: f.dimension)
        #expect(relativeError(spectrum.sorted(by: >), reference) <= 1e-12)
        // tr H = ‖X‖²_F / N, an identity the eigenvalues must satisfy.
        #expect(relativeDifference(spectrum.reduce(0, +), f.design.reduce(0) { $0 + $1 * $1 } / 40) <= 1e-12)
        let l = try #require(f.smoothness)
        #expect(l == spectrum.max())
        for seed in 504..<508 as Range<UInt64> {
            let v = RandomFill.gaussian(Double.self, count: f.dimension, key: PRNGKey(seed: seed))
            #expect(dot(v, try #require(f.hessianVectorProduct(v))) <= l * dot(v, v) * (1 + 1e-12))
        }
    }

    @Test(arguments: [(40, 8, 0.3), (200, 20, 1.0), (9, 8, 0.5)])
    func optimalValueMatchesGSLLeastSquares(shape: (Int, Int, Double)) throws {
        let f = try problem(samples: shape.0, dimension: shape.1, noise: shape.2)
        let fStar = try #require(f.optimalValue)
        #expect(relativeDifference(fStar, try gslResidualMinimum(f)) <= 1e-10)
        #expect(relativeDifference(try f.loss(f.minimizer), fStar) <= 1e-12)
        #expect(norm(try f.gradient(f.minimizer)) <= 1e-12)
        #expect(try f.loss(f.initialPoint()) > fStar)
    }

    /// Noise-free data: f* = 0, also when N < d (underdetermined) or X is rank deficient.
    @Test func noiseFreeAndUnderdeterminedProblemsHaveZeroMinimum() throws {
        let exact = try problem(samples: 30, dimension: 6, noise: 0)
        #expect(try #require(exact.optimalValue) <= 1e-28)
        let wide = try problem(samples: 5, dimension: 12, noise: 1)
        #expect(try #require(wide.optimalValue) <= 1e-26)
        #expect(norm(try wide.gradient(wide.minimizer)) <= 1e-12)
        // Duplicate a column: H is singular, the minimiser is not unique, f* is still the residual minimum.
        var x = RandomFill.gaussian(Double.self, count: 20 * 4, key: PRNGKey(seed: 509))
        for i in 0..<20 { x[i * 4 + 3] = x[i * 4 + 1] }
        let y = RandomFill.gaussian(Double.self, count: 20, key: PRNGKey(seed: 510))
        let singular = try DenseLeastSquares<Double>(
            design: x, targets: y, samples: 20, dimension: 4, key: PRNGKey(seed: 52))
        #expect(try #require(singular.hessianSpectrum).min()! <= 1e-14)
        #expect(norm(try singular.gradient(singular.minimizer)) <= 1e-12)
        #expect(relativeDifference(try singular.loss(singular.minimizer), try #require(singular.optimalValue)) <= 1e-12)
    }

    @Test func smoothedLossShiftsByHalfTraceAndKeepsTheGradient() throws {
        let f = try problem()
        let x = try randomPoint(f.layout, key: PRNGKey(seed: 511))
        let fd = try centralDifferences(at: x) { try f.smoothedLoss($0, epsilon: 0.1) }
        #expect(relativeError(try #require(f.smoothedGradient(x, epsilon: 0.1)), fd) <= 1e-8)
    }

    @Test func floatAndDoubleGiveTheSameLoss() throws {
        let fd = try problem()
        let ff = try DenseLeastSquares<Float>(samples: 40, dimension: 8, noise: 0.3, key: PRNGKey(seed: 51))
        let x = try randomPoint(fd.layout, key: PRNGKey(seed: 512))
        #expect(relativeDifference(try ff.loss(x.converted(to: Float.self)), try fd.loss(x)) <= 1e-5)
    }

    @Test func invalidInputThrows() throws {
        let key = PRNGKey(seed: 1)
        #expect(throws: ZOError.self) { try DenseLeastSquares<Double>(samples: 0, dimension: 3, key: key) }
        #expect(throws: ZOError.self) { try DenseLeastSquares<Double>(samples: 4, dimension: 3, noise: -1, key: key) }
        #expect(throws: ZOError.self) {
            try DenseLeastSquares<Double>(design: [1, 2, 3], targets: [1, 2], samples: 2, dimension: 2, key: key)
        }
        #expect(throws: ZOError.self) {
            try DenseLeastSquares<Double>(design: [1, 2, 3, 4], targets: [1], samples: 2, dimension: 2, key: key)
        }
        #expect(throws: ZOError.self) {
            try DenseLeastSquares<Double>(
                design: [1, .nan, 3, 4], targets: [1, 2], samples: 2, dimension: 2, key: key)
        }
        #expect(throws: ZOError.self) {
            try DenseLeastSquares<Double>(design: [], targets: [], samples: 1, dimension: 5000, key: key)
        }
        let f = try problem()
        #expect(throws: ZOError.self) {
            try f.loss(try randomPoint(try ParameterLayout.vector("w", count: 8), key: key))
        }
        #expect(f.hessianVectorProduct([1]) == nil)
    }
}
