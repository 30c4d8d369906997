import Foundation
import Testing
import ZOCore
import ZOProblems

@Suite struct LogisticRegressionTests {
    func problem(samples: Int = 60, dimension: Int = 7, lambda: Double = 0.01) throws -> LogisticRegression<Double> {
        try LogisticRegression<Double>(
            samples: samples, dimension: dimension, regularization: lambda, key: PRNGKey(seed: 71))
    }

    @Test func layoutIsWeightsAndBias() throws {
        let f = try problem()
        #expect(f.layout.tensors.map(\.name) == ["w", "b"])
        #expect(f.layout.tensors.map(\.shape) == [[7], [1]])
        #expect(f.optimalValue == nil)
        #expect(f.hessianSpectrum == nil)
    }

    @Test func gradientMatchesCentralDifferences() throws {
        let f = try problem()
        let x = try randomPoint(f.layout, key: PRNGKey(seed: 701))
        #expect(try gradientError(f, at: x) <= 1e-8)
        let batch = BatchSelection.minibatch(key: PRNGKey(seed: 702), size: 13)
        #expect(try gradientError(f, at: x, batch: batch) <= 1e-8)
    }

    @Test func minibatchIsReproducibleDistinctAndSorted() throws {
        let f = try problem()
        let batch = BatchSelection.minibatch(key: PRNGKey(seed: 703), size: 17)
        let idx = try f.indices(of: batch)
        #expect(idx.count == 17)
        #expect(Set(idx).count == 17)
        #expect(idx == idx.sorted())
        #expect(idx.allSatisfy { (0..<60).contains($0) })
        #expect(try f.indices(of: batch) == idx)
        let x = try randomPoint(f.layout, key: PRNGKey(seed: 704))
        #expect(try f.loss(x, batch: batch) == f.loss(x, batch: batch))
        #expect(try f.gradient(x, batch: batch) == f.gradient(x, batch: batch))
        let other = BatchSelection.minibatch(key: PRNGKey(seed: 705), size: 17)
        #expect(try f.indices(of: other) != idx)
        #expect(try f.loss(x, batch: other) != f.loss(x, batch: batch))
    }

    @Test func minibatchOfAllSamplesEqualsFullBatch() throws {
        let f = try problem()
        let x = try randomPoint(f.layout, key: PRNGKey(seed: 706))
        let all = BatchSelection.minibatch(key: PRNGKey(seed: 707), size: 60)
        #expect(try f.indices(of: all) == Array(0..<60))
        #expect(try f.loss(x, batch: all) == f.loss(x))
        #expect(try f.gradient(x, batch: all) == f.gradient(x))
    }

    /// Fisher–Yates draws every size-3 subset of 10 with probability 1/C(10,3), so each index is in
    /// the batch with probability 3/10. Over 4000 keys each count is Binomial(4000, 0.3): mean 1200,
    /// SD 29; the 5-SD bands fail a correct sampler with probability ≤ 12 × 5.7e-7. An off-by-one in the
    /// swap range (j ∈ [i, N−1)) never selects the last index.
    @Test func minibatchIncludesEveryIndexWithEqualProbability() throws {
        let f = try problem(samples: 10, dimension: 2)
        var counts = [Int](repeating: 0, count: 10)
        var pairs = [0, 0]
        for k in 0..<4000 {
            let idx = try f.indices(of: .minibatch(key: PRNGKey(seed: 9000 + UInt64(k)), size: 3))
            for i in idx { counts[i] += 1 }
            if idx.contains(0) && idx.contains(1) { pairs[0] += 1 }
            if idx.contains(0) && idx.contains(9) { pairs[1] += 1 }
        }
        for c in counts { #expect(abs(Double(c) - 1200) <= 5 * 29) }
        // Pairs too (a sampler of contiguous blocks would pass the marginals): P = 8/120 = 1/15,
        // count mean 266.7, SD 15.8.
        for c in pairs { #expect(abs(Double(c) - 266.7) <= 5 * 15.8) }
    }

    /// λ_max(X̃ᵀX̃)/(4N) + λ from the primal Gram built here, by GSL.
    func referenceSmoothness(_ f: LogisticRegression<Double>) throws -> Double {
        let (n, d) = (f.samples, f.dimension)
        var gram = [Double](repeating: 0, count: (d + 1) * (d + 1))
        for i in 0..<n {
            let row = Array(f.features[(i * d)..<((i + 1) * d)]) + [1]
            for a in 0...d { for b in 0...d { gram[a * (d + 1) + b] += row[a] * row[b] } }
        }
        return try gslSymmetricEigenvalues(gram, dimension: d + 1)[0] / (4 * Double(n)) + f.regularization
    }

    /// Exact (primal Gram when N > d, dual Gram when N ≤ d) and power iteration agree with the reference.
    @Test(arguments: [(60, 7), (12, 30), (300, 40)])
    func smoothnessIsTheTopEigenvalue(shape: (Int, Int)) throws {
        let key = PRNGKey(seed: 72)
        let exact = try LogisticRegression<Double>(
            samples: shape.0, dimension: shape.1, regularization: 0.01,
            spectralNorm: .exact, key: key)
        let power = try LogisticRegression<Double>(
            samples: shape.0, dimension: shape.1, regularization: 0.01,
            spectralNorm: .powerIteration, key: key)
        let automatic = try LogisticRegression<Double>(
            samples: shape.0, dimension: shape.1, regularization: 0.01, key: key)
        let reference = try referenceSmoothness(exact)
        #expect(relativeDifference(try #require(exact.smoothness), reference) <= 1e-12)
        #expect(relativeDifference(try #require(power.smoothness), reference) <= 1e-9)
        #expect(automatic.smoothness == exact.smoothness)
        #expect(reference <= exact.smoothnessUpperBound)
    }

    @Test func smoothnessBoundsGradientDifferences() throws {
        let f = try problem()
        let l = try #require(f.smoothness)
        for seed in 708..<718 as Range<UInt64> {
            #expect(try gradientLipschitzRatio(f, key: PRNGKey(seed: seed)) <= l)
        }
    }

    /// P(y = 1 | x) = σ(m*), m* = xᵀw* + b*. Two sums of independent Bernoullis, each within 5 SD of its
    /// mean: Σ y_i against Σ (2σ(m*_i) − 1), and the agreements sign(y_i) = sign(m*_i) (probability
    /// σ(|m*_i|)). Labels drawn without noise would fail the second (all agree); flipped noise the first.
    @Test func labelsFollowThePlantedLogisticModel() throws {
        let n = 20_000
        let f = try problem(samples: n, dimension: 3, lambda: 0)
        let planted = try #require(f.plantedParameters)
        var diff = 0.0
        var varLabels = 0.0
        var agreeDiff = 0.0
        var varAgree = 0.0
        for i in 0..<n {
            var m = planted.values[3]
            for j in 0..<3 { m += f.features[i * 3 + j] * planted.values[j] }
            let p = 1 / (1 + exp(-m))
            let q = 1 / (1 + exp(-abs(m)))
            diff += f.labels[i] - (2 * p - 1)
            varLabels += 4 * p * (1 - p)
            agreeDiff += ((m > 0) == (f.labels[i] > 0) ? 1 : 0) - q
            varAgree += q * (1 - q)
        }
        #expect(abs(diff) <= 5 * varLabels.squareRoot())
        #expect(abs(agreeDiff) <= 5 * varAgree.squareRoot())
        // The planted parameters fit better than the start.
        #expect(try f.loss(planted) < f.loss(f.initialPoint()))
    }

    @Test func extremeMarginsStayFinite() throws {
        let f = try problem(lambda: 0)
        var x = try randomPoint(f.layout, key: PRNGKey(seed: 719), scale: 1e4)
        x.values[7] = -1e6
        let value = try f.loss(x)
        #expect(value.isFinite && value > 0)
        #expect(try f.gradient(x).allSatisfy(\.isFinite))
        // softplus(z) ≈ z for large z: the loss grows linearly, without overflow to ∞.
        #expect(value > 1e3)
    }

    @Test func explicitDataMatchesGeneratedData() throws {
        let f = try problem()
        let g = try LogisticRegression<Double>(
            features: f.features, labels: f.labels, samples: 60, dimension: 7,
            regularization: 0.01, key: PRNGKey(seed: 71))
        let x = try randomPoint(f.layout, key: PRNGKey(seed: 720))
        #expect(try g.loss(x) == f.loss(x))
        #expect(g.plantedParameters == nil)
        #expect(g.smoothness == f.smoothness)
    }

    @Test func floatAndDoubleGiveTheSameLoss() throws {
        let fd = try problem()
        let ff = try LogisticRegression<Float>(samples: 60, dimension: 7, regularization: 0.01, key: PRNGKey(seed: 71))
        let x = try randomPoint(fd.layout, key: PRNGKey(seed: 721))
        #expect(relativeDifference(try ff.loss(x.converted(to: Float.self)), try fd.loss(x)) <= 1e-5)
        let batch = BatchSelection.minibatch(key: PRNGKey(seed: 722), size: 9)
        #expect(
            relativeDifference(try ff.loss(x.converted(to: Float.self), batch: batch), try fd.loss(x, batch: batch))
                <= 1e-5)
    }

    @Test func invalidInputThrows() throws {
        let key = PRNGKey(seed: 1)
        #expect(throws: ZOError.self) { try LogisticRegression<Double>(samples: 0, dimension: 3, key: key) }
        #expect(throws: ZOError.self) {
            try LogisticRegression<Double>(samples: 5, dimension: 3, regularization: -1, key: key)
        }
        #expect(throws: ZOError.self) {
            try LogisticRegression<Double>(features: [1, 2], labels: [1], samples: 1, dimension: 3, key: key)
        }
        #expect(throws: ZOError.self) {
            try LogisticRegression<Double>(features: [1, 2], labels: [1, 0], samples: 2, dimension: 1, key: key)
        }
        #expect(throws: ZOError.self) {
            try LogisticRegression<Double>(
                features: [1, .infinity], labels: [1, -1], samples: 2, dimension: 1, key: key)
        }
        let f = try problem()
        let x = f.initialPoint()
        #expect(throws: ZOError.self) { try f.loss(x, batch: .minibatch(key: key, size: 0)) }
        #expect(throws: ZOError.self) { try f.loss(x, batch: .minibatch(key: key, size: 61)) }
        #expect(throws: ZOError.self) { try f.gradient(x, batch: .minibatch(key: key, size: -3)) }
        #expect(throws: ZOError.self) {
            try f.loss(try randomPoint(try ParameterLayout.vector("w", count: 8), key: key))
        }
    }
}
