import Foundation
import ZOCore
import ZOModel

// Fine-tuning all-MiniLM-L6-v2 (its first K layers + a 2-way head) on VADER movie-review
// sentiment with one of `FineTuneMethod`. A `FineTuneSession` is the state of a run — parameters,
// optimizer state, counters, history — advanced one step at a time; `FineTuneRunner` adds the
// schedule (evaluations, checkpoints, progress) and the run record.
//
// Determinism: step t uses the minibatch key and the perturbation key of `FineTuneKeys`, nothing
// else random, so for a given seed and BLAS thread count a run is bit-reproducible, and a run
// restored from a checkpoint continues exactly as the uninterrupted one.

/// One completed step.
public struct StepRecord: Codable, Sendable, Equatable {
    /// 0-based index of the step.
    public var step: Int
    public var loss: Double
    /// Cumulative forward / backward passes after this step (training only; evaluations excluded).
    public var forwardPasses: Int
    public var backwardPasses: Int
    /// Wall time of the step (not reproducible; excluded from bit-identity comparisons).
    public var seconds: Double

    public init(step: Int, loss: Double, forwardPasses: Int, backwardPasses: Int, seconds: Double) {
        self.step = step
        self.loss = loss
        self.forwardPasses = forwardPasses
        self.backwardPasses = backwardPasses
        self.seconds = seconds
    }

    /// Forward passes with each backward pass counted as two (`FineTuneMethod.forwardEquivalentsPerStep`).
    public var forwardEquivalents: Int { forwardPasses + 2 * backwardPasses }
}

/// An evaluation after `completedSteps` steps (0 = before training).
public struct EvaluationRecord: Codable, Sendable, Equatable {
    public var completedSteps: Int
    public var forwardPasses: Int
    public var dev: SplitEvaluation
    public var test: SplitEvaluation
    public var seconds: Double
}

/// The starting point: the encoder (K layers + head) and its parameters.
public struct FineTuneStart: Sendable {
    public let encoder: BertEncoder<Float>
    public let parameters: Parameters<Float>

    public init(encoder: BertEncoder<Float>, parameters: Parameters<Float>) {
        self.encoder = encoder
        self.parameters = parameters
    }

    /// Pretrained (the checkpoint, `make assets`) or random (BERT init, no assets needed); the
    /// 2-way head is initialised from the head key in both cases, so the two differ only in the encoder.
    public static func make(_ config: FineTuneConfig, cache: AssetCache = .standard) throws(ZOError) -> FineTuneStart {
        let keys = config.keys
        switch config.initialization {
        case .pretrained:
            let model = try PretrainedEncoder<Float>(
                cache: cache, layers: config.layers, classes: 2, headKey: keys.head)
            return FineTuneStart(encoder: model.encoder, parameters: model.parameters)
        case .random:
            let encoder = try BertEncoder<Float>(EncoderConfig.miniLML6.with(layers: config.layers, classes: 2))
            var p = encoder.layout.initialParameters(Float.self, key: keys.encoderInit)
            encoder.layout.initializeHead(&p, key: keys.head)
            return FineTuneStart(encoder: encoder, parameters: p)
        }
    }
}

/// The state of a fine-tuning run, advanced by `step()`.
public struct FineTuneSession: Sendable {
    public let config: FineTuneConfig
    public let data: FineTuneData
    public let objective: SentenceClassificationObjective<Float>
    public internal(set) var parameters: Parameters<Float>
    public internal(set) var completedSteps = 0
    public internal(set) var forwardPasses = 0
    public internal(set) var backwardPasses = 0
    public internal(set) var history: [StepRecord] = []
    public internal(set) var evaluations: [EvaluationRecord] = []
    var stepper: any FineTuneStepper

    public var encoder: BertEncoder<Float> { objective.encoder }

    public init(config: FineTuneConfig, data: FineTuneData, start: FineTuneStart) throws(ZOError) {
        try config.validate()
        guard start.encoder.config.layers == config.layers, start.encoder.config.classes == 2 else {
            throw ZOError(
                """
                the start model has \(start.encoder.config.layers) layers and \(start.encoder.config.classes) \
                classes; the config asks for \(config.layers) and 2
                """,
                at: "FineTuneSession", fix: "build the start with FineTuneStart.make(config)")
        }
        guard config.batchSize <= data.train.batch else {
            throw ZOError(
                "batch size \(config.batchSize) exceeds the \(data.train.batch) training examples",
                at: "FineTuneSession",
                fix: "pass --batch-size ≤ \(data.train.batch)")
        }
        // A minibatch's activations (and gradients for FO) must fit before the objective allocates them.
        try EncoderActivations<Float>.checkFits(
            start.encoder.config, batch: config.batchSize, length: config.maxLength,
            backward: !config.method.isZerothOrder)
        self.config = config
        self.data = data
        // One chunk per minibatch: the step is one forward pass per side of the difference.
        self.objective = try SentenceClassificationObjective(
            encoder: start.encoder, data: data.train, chunkSize: config.batchSize)
        self.parameters = start.parameters
        self.stepper = try config.makeStepper(layout: start.parameters.layout)
    }

    /// The minibatch of step t.
    public func batch(step: Int) -> BatchSelection {
        .minibatch(key: config.keys.minibatch(step: step), size: config.batchSize)
    }

    /// Runs step `completedSteps` and records it.
    @discardableResult
    public mutating func step() throws -> StepRecord {
        let t = completedSteps
        let start = DispatchTime.now().uptimeNanoseconds
        let outcome = try stepper.step(
            objective, &parameters, step: t, key: config.keys.perturbation, batch: batch(step: t))
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        forwardPasses += outcome.forwardPasses
        backwardPasses += outcome.backwardPasses
        completedSteps += 1
        let record = StepRecord(
            step: t, loss: outcome.loss, forwardPasses: forwardPasses, backwardPasses: backwardPasses, seconds: seconds)
        history.append(record)
        return record
    }

    /// Loss and accuracy on a split (the first `config.evalLimit` examples, or all), no gradient.
    public func evaluate(_ split: DataSplit) throws(ZOError) -> (SplitEvaluation, ExampleResults) {
        try FineTuneEvaluation.evaluate(
            encoder, parameters, on: try data.batch(split, limit: config.evalLimit), split: split,
            chunkSize: config.batchSize)
    }

    /// Evaluates dev and test now and appends the record.
    @discardableResult
    public mutating func recordEvaluation() throws(ZOError) -> EvaluationRecord {
        let start = DispatchTime.now().uptimeNanoseconds
        let dev = try evaluate(.dev).0
        let test = try evaluate(.test).0
        let record = EvaluationRecord(
            completedSteps: completedSteps, forwardPasses: forwardPasses, dev: dev, test: test,
            seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        evaluations.append(record)
        return record
    }

    public var optimizerSnapshot: OptimizerSnapshot { stepper.snapshot }

    /// Replaces the run state with a checkpoint's (same config; `FineTuneCheckpoint.load`).
    public mutating func restore(
        _ state: FineTuneCheckpointState, parameters values: [Float], optimizer: OptimizerSnapshot
    ) throws(ZOError) {
        guard state.config == config else {
            throw ZOError(
                "the checkpoint was written by a run with another config", at: "FineTuneSession.restore",
                fix: "resume with the checkpoint's own config (FineTuneCheckpoint.resume)")
        }
        let restored = try Parameters(layout: parameters.layout, values: values)
        try stepper.restore(optimizer)
        parameters = restored
        completedSteps = state.completedSteps
        forwardPasses = state.forwardPasses
        backwardPasses = state.backwardPasses
        history = state.history
        evaluations = state.evaluations
    }
}
