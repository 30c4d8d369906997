import Foundation
import ZOCore
import ZOModel

// The fixed problem of the scale measurements (escalation item 7): the pretrained all-MiniLM-L6-v2,
// cut to its first K layers, with a fresh 2-class head, on one fixed minibatch of real labelled
// sentences (VADER movie-review snippets, train split). Everything is a pure function of the setup
// and the pinned assets, so every number is reproducible from the seed printed with it.
//
// Legend: K layers run, B sentences, T tokens per sentence (≤ maxLength, [CLS] and [SEP] included).

/// What the scale measurements run on. `ci` is the size the catalog claims use (≲ 20 s each on two
/// cores); the commands default to the whole 6-layer model.
public struct ScaleSetup: Codable, Sendable, Hashable {
    /// K: encoder layers run (0…6); the word, position and token-type embeddings are always there.
    public var layers: Int
    /// B: sentences in the fixed minibatch.
    public var batch: Int
    /// Longest token sequence, [CLS] and [SEP] included (longer sentences are truncated).
    public var maxLength: Int
    /// Root seed: the minibatch is drawn with `PRNGKey(seed).fold(in: .minibatch)` (1), the head with
    /// `.fold(in: .scaleHead)` (2).
    public var seed: UInt64

    public init(layers: Int = 6, batch: Int = 16, maxLength: Int = 32, seed: UInt64 = ZODefaults.seed) {
        self.layers = layers
        self.batch = batch
        self.maxLength = maxLength
        self.seed = seed
    }

    /// The size of the catalog claims: one layer, 16 sentences, at most 32 tokens.
    public static func ci(seed: UInt64) -> ScaleSetup { ScaleSetup(layers: 1, batch: 16, maxLength: 32, seed: seed) }

    public func validate() throws(ZOError) {
        let at = "ScaleSetup"
        guard (0...6).contains(layers) else {
            throw ZOError(
                "layers = \(layers) is outside 0…6", at: at,
                fix: "pass --layers between 0 and all-MiniLM-L6-v2's 6 layers")
        }
        guard batch >= 1, batch <= 1024 else {
            throw ZOError(
                "batch = \(batch) is outside 1…1024", at: at, fix: "pass --batch between 1 and 1024 (16 is the default)"
            )
        }
        guard (2...512).contains(maxLength) else {
            throw ZOError(
                "maxLength = \(maxLength) is outside 2…512", at: at,
                fix: "pass --max-length between 2 ([CLS] and [SEP]) and the model's 512 positions")
        }
    }
}

/// The loaded problem: f(θ) = mean cross-entropy of the K-layer classifier on the B chosen sentences
/// (`.full` batch of `objective`), at the pretrained weights θ (head: BERT initialisation N(0, 0.02²)).
public struct ScaleProblem: Sendable {
    public let setup: ScaleSetup
    public let objective: SentenceClassificationObjective<Float>
    /// θ: the pretrained encoder and the freshly initialised head.
    public let parameters: Parameters<Float>
    /// VADER ids, texts' labels (1 positive, 0 negative) and token counts of the chosen sentences, in batch order.
    public let sentenceIDs: [Int]
    public let labels: [Int]
    public let tokenCounts: [Int]

    public var layout: ParameterLayout { objective.layout }
    public var encoderLayout: EncoderLayout { objective.encoder.layout }

    /// Loads the pinned assets (a missing one is a `ZOError` whose fix is "run `make assets`"), draws the
    /// minibatch from the train split, tokenizes it and builds the objective.
    public static func load(_ setup: ScaleSetup, cache: AssetCache = .standard) throws(ZOError) -> ScaleProblem {
        try setup.validate()
        let at = "ScaleProblem.load"
        // The fixed minibatch runs forward and backward at once: checked before loading anything.
        try EncoderActivations<Float>.checkFits(
            EncoderConfig.miniLML6.with(layers: setup.layers, classes: 2), batch: setup.batch,
            length: setup.maxLength, backward: true)
        let key = PRNGKey(seed: setup.seed)
        let train = try SentimentDataset.load(cache: cache).examples(in: .train)
        guard train.count >= setup.batch else {
            throw ZOError(
                "the train split has \(train.count) sentences, fewer than batch = \(setup.batch)", at: at,
                fix: "pass a smaller --batch")
        }
        let rows = try BatchSelection.minibatch(key: key.fold(in: .minibatch), size: setup.batch).exampleIndices(
            count: train.count, at: at)
        let chosen = rows.map { train[$0] }
        let tokenizer = try WordPieceTokenizer(cache: cache)
        let tokens = try tokenizer.batch(chosen.map(\.text), maxLength: setup.maxLength)
        let data = try EncoderBatch(tokens, labels: chosen.map(\.label))
        let model = try PretrainedEncoder<Float>(
            cache: cache, layers: setup.layers, classes: 2, headKey: key.fold(in: .scaleHead))
        let objective = try SentenceClassificationObjective(encoder: model.encoder, data: data, chunkSize: setup.batch)
        return ScaleProblem(
            setup: setup, objective: objective, parameters: model.parameters, sentenceIDs: chosen.map(\.id),
            labels: chosen.map(\.label), tokenCounts: tokens.mask.map { $0.reduce(0, +) })
    }

    /// f(θ) on the fixed minibatch.
    public func loss() throws -> Double { try objective.loss(parameters, batch: .full) }

    /// ∇f(θ) by backpropagation on the fixed minibatch (Float), in layout order.
    public func gradient() throws -> [Float] { try objective.gradient(parameters, batch: .full) }

    /// A short description for reports.
    public var summary: ProblemSummary {
        ProblemSummary(
            setup: setup, parameterCount: layout.count, tensorCount: layout.tensors.count,
            sentenceIDs: sentenceIDs, labels: labels, tokenCounts: tokenCounts)
    }
}

/// The problem as recorded in a report.
public struct ProblemSummary: Codable, Sendable, Equatable {
    public let setup: ScaleSetup
    /// d: every parameter of the K-layer model and its head.
    public let parameterCount: Int
    public let tensorCount: Int
    public let sentenceIDs: [Int]
    public let labels: [Int]
    public let tokenCounts: [Int]
}
