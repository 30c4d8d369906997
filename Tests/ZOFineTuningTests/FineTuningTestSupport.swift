import Foundation
import Testing
import ZOCore
import ZOFineTuning
import ZOModel
import ZOTestSupport

// Shared fixtures of the fine-tuning tests: a tiny encoder (Small's shape, 2 classes) with
// synthetic labelled data, so that session, stepper and checkpoint logic run in milliseconds;
// and the real model and data (2 layers), loaded once per process, for the escalation tests.

enum TinyFineTune {
    static let encoderConfig = Small.config.with(classes: 2)

    /// Sequences [CLS]=1 … [SEP]=2 of 1…5 word tokens from 3…19; label 1 when token 7 occurs.
    static func batch(count: Int, seed: UInt64) throws -> EncoderBatch {
        let u = RandomFill.uniform(Double.self, count: count * 6, key: PRNGKey(seed: seed))
        var sequences: [[Int]] = []
        var labels: [Int] = []
        for i in 0..<count {
            let words = 1 + Int(u[i * 6] * 5)
            let body = (0..<words).map { 3 + Int(u[i * 6 + 1 + $0] * 17) }
            sequences.append([1] + body + [2])
            labels.append(body.contains(7) || body.contains(8) ? 1 : 0)
        }
        return try EncoderBatch(sequences: sequences, labels: labels)
    }

    static func data() throws -> FineTuneData {
        try FineTuneData(
            train: try batch(count: 48, seed: 1), dev: try batch(count: 16, seed: 2),
            test: try batch(count: 16, seed: 3),
            maxLength: 8)
    }

    static func start(seed: UInt64 = 5) throws -> FineTuneStart {
        let encoder = try BertEncoder<Float>(encoderConfig)
        return FineTuneStart(encoder: encoder, parameters: Small.parameters(encoder.layout, key: PRNGKey(seed: seed)))
    }

    /// The method's defaults at the tiny sizes (2 layers, batch 4, 1 thread).
    static func config(_ method: FineTuneMethod, steps: Int = 6, seed: UInt64 = 11) -> FineTuneConfig {
        var c = FineTuneConfig.defaults(for: method)
        c.layers = 2
        c.steps = steps
        c.batchSize = 4
        c.maxLength = 8
        c.threads = 1
        c.seed = seed
        c.lazyInterval = 2
        c.refreshInterval = 2  // V and U, V refreshes inside short runs
        c.learningRate *= 10
        return c
    }

    static func session(_ method: FineTuneMethod, steps: Int = 6, seed: UInt64 = 11) throws -> FineTuneSession {
        try FineTuneSession(config: config(method, steps: steps, seed: seed), data: data(), start: start())
    }
}

/// The real model's data at max length 64, tokenized once per test process (assets required).
enum RealFineTune {
    static let data: Result<FineTuneData, ZOError> = {
        do throws(ZOError) { return .success(try FineTuneData.load(cache: Assets.cache, maxLength: 64)) } catch {
            return .failure(error)
        }
    }()

    static var available: Bool { Assets.modelPresent && Assets.vaderPresent }
}

/// Everything a run's trajectory consists of, without wall times.
struct Trajectory: Equatable {
    var parameters: [Float]
    var losses: [Double]
    var passes: [Int]
    var optimizer: OptimizerSnapshot
    var evaluations: [SplitEvaluation]

    init(_ s: FineTuneSession) {
        parameters = s.parameters.values
        losses = s.history.map(\.loss)
        passes = s.history.map(\.forwardEquivalents)
        optimizer = s.optimizerSnapshot
        evaluations = s.evaluations.flatMap { [$0.dev, $0.test] }
    }

    /// Bit equality (Float/Double == would call NaN ≠ NaN and −0 = +0).
    func bitIdentical(to o: Trajectory) -> Bool {
        parameters.map(\.bitPattern) == o.parameters.map(\.bitPattern)
            && losses.map(\.bitPattern) == o.losses.map(\.bitPattern) && passes == o.passes
            && optimizer.integers == o.optimizer.integers
            && optimizer.arrays.mapValues { $0.map(\.bitPattern) }
                == o.optimizer.arrays.mapValues { $0.map(\.bitPattern) }
            && evaluations == o.evaluations
    }
}
