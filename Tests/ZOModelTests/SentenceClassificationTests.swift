import Testing
import ZOCore
import ZOModel
import ZOTestSupport

@Suite struct SentenceClassificationTests {
    /// Six labelled sequences of lengths 2…6 over the small vocabulary.
    static let sequences: [[Int]] = [
        [1, 2], [1, 5, 2], [1, 7, 8, 2], [1, 3, 3, 9, 2], [1, 4, 11, 12, 13, 2], [1, 6, 2],
    ]
    static let labels = [0, 1, 2, 1, 0, 2]

    func objective(chunk: Int = 4) throws -> SentenceClassificationObjective<Double> {
        try SentenceClassificationObjective(
            config: Small.config, sequences: Self.sequences, labels: Self.labels, chunkSize: chunk)
    }

    /// The objective's gradient (chunked, minibatched) against finite differences of its loss.
    @Test func gradientMatchesFiniteDifferencesOfTheLoss() throws {
        let f = try objective(chunk: 2)
        let theta = Small.parameters(f.encoder.layout, key: PRNGKey(seed: 1), as: Double.self)
        let batch = BatchSelection.minibatch(key: PRNGKey(seed: 2), size: 5)
        let g = try f.gradient(theta, batch: batch)
        let fd = try finiteDifferences(theta.values) {
            try f.loss(try Parameters(layout: f.layout, values: $0), batch: batch)
        }
        let err = relativeError(g, fd)
        #expect(err <= 1e-6, "relative error \(err)")
    }

    /// Chunking only changes the summation grouping: chunk sizes 1 and 6 agree to rounding.
    @Test func chunkSizeDoesNotChangeTheLoss() throws {
        let theta = Small.parameters(try objective().encoder.layout, key: PRNGKey(seed: 3), as: Double.self)
        let a = try objective(chunk: 1).loss(theta, batch: .full)
        let b = try objective(chunk: 6).loss(theta, batch: .full)
        #expect(abs(a - b) < 1e-13 * abs(a))
        let ga = try objective(chunk: 1).gradient(theta, batch: .full)
        let gb = try objective(chunk: 6).gradient(theta, batch: .full)
        #expect(maxAbs(ga, gb) < 1e-13)
    }

    /// Minibatches are keyed: the same key gives the same loss; the full-size minibatch is `.full`.
    @Test func minibatchesAreKeyed() throws {
        let f = try objective()
        let theta = Small.parameters(f.encoder.layout, key: PRNGKey(seed: 4), as: Double.self)
        let k = PRNGKey(seed: 9)
        #expect(
            try f.loss(theta, batch: .minibatch(key: k, size: 3))
                == (try f.loss(theta, batch: .minibatch(key: k, size: 3))))
        #expect(try f.loss(theta, batch: .minibatch(key: k, size: 6)) == (try f.loss(theta, batch: .full)))
        #expect(throws: ZOError.self) { try f.loss(theta, batch: .minibatch(key: k, size: 7)) }
    }

    /// ZOCore's estimators run on the objective unchanged: the first-order reference returns the
    /// gradient, and a central ZO difference along Z is the directional derivative ∇f·Z to O(ε²).
    @Test func zocoreEstimatorsRunUnchanged() throws {
        let f = try objective()
        let theta = Small.parameters(f.encoder.layout, key: PRNGKey(seed: 5), as: Double.self)
        let g = try f.gradient(theta)
        let fo = try FirstOrderReference().estimateGradient(f, at: theta, step: 0, key: PRNGKey(seed: 6), batch: .full)
        #expect(fo.gradient == g)
        for estimator in [
            try ZOEstimator(GaussianRGE(), epsilon: 1e-5),
            try ZOEstimator(GaussianRGE(), epsilon: 1e-5, mode: .inPlace),
        ] {
            let e = try estimator.measure(f, at: theta, step: 0, key: PRNGKey(seed: 7))
            let z: [Double] = e.samples[0].materialize()
            let directional = zip(g, z).reduce(0) { $0 + $1.0 * $1.1 }
            #expect(
                abs(e.coefficients[0] - directional) <= 1e-6 * abs(directional),
                "c = \(e.coefficients[0]) vs ∇f·z = \(directional)")
        }
        let lozo = try ZOEstimator(LOZO(rank: 2), epsilon: 1e-5)
        let e = try lozo.measure(f, at: theta, step: 0, key: PRNGKey(seed: 8))
        let z: [Double] = e.samples[0].materialize()
        let directional = zip(g, z).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(abs(e.coefficients[0] - directional) <= 1e-6 * abs(directional))
    }

    @Test func badConstructionThrows() throws {
        expectZOError("no classification head") {
            _ = try SentenceClassificationObjective<Float>(
                config: Small.config.with(classes: 0), sequences: [[1, 2]], labels: [0])
        }
        expectZOError("2 sequences but 1 labels") {
            _ = try SentenceClassificationObjective<Float>(
                config: Small.config, sequences: [[1, 2], [1, 2]], labels: [0])
        }
        expectZOError("label 5") {
            _ = try SentenceClassificationObjective<Float>(config: Small.config, sequences: [[1, 2]], labels: [5])
        }
    }
}
