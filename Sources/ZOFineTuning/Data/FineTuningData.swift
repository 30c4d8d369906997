import Foundation
import ZOCore
import ZOModel

// The fine-tuning data (VADER movie-review sentences, binary sentiment, `SentimentDataset`'s
// train/dev/test split) tokenized once, and the no-grad evaluation of a split.
//
// Legend: N examples of a split, B examples per forward pass, T tokens (≤ max length), K = 2 classes.

/// The three splits as padded, labelled token batches (each padded to its own longest sequence).
public struct FineTuneData: Sendable {
    public let maxLength: Int
    public let train: EncoderBatch  // (N_train, T)
    public let dev: EncoderBatch  // (N_dev, T)
    public let test: EncoderBatch  // (N_test, T)

    public init(train: EncoderBatch, dev: EncoderBatch, test: EncoderBatch, maxLength: Int) throws(ZOError) {
        for (name, b) in [("train", train), ("dev", dev), ("test", test)] where b.labels == nil {
            throw ZOError("the \(name) split has no labels", at: "FineTuneData", fix: "pass labelled batches")
        }
        self.train = train
        self.dev = dev
        self.test = test
        self.maxLength = maxLength
    }

    /// Tokenizes the VADER movie-review sentences of the asset cache (`make assets`).
    public static func load(cache: AssetCache = .standard, maxLength: Int) throws(ZOError) -> FineTuneData {
        let tokenizer = try WordPieceTokenizer(cache: cache)
        let dataset = try SentimentDataset.load(cache: cache)
        func batch(_ split: DataSplit) throws(ZOError) -> EncoderBatch {
            let examples = dataset.examples(in: split)
            var sequences: [[Int]] = []
            for e in examples { sequences.append(try tokenizer.encode(e.text, maxLength: maxLength)) }
            return try EncoderBatch(sequences: sequences, labels: examples.map(\.label), padID: tokenizer.paddingID)
        }
        return try FineTuneData(
            train: try batch(.train), dev: try batch(.dev), test: try batch(.test), maxLength: maxLength)
    }

    public func batch(_ split: DataSplit) -> EncoderBatch {
        switch split {
        case .train: train
        case .dev: dev
        case .test: test
        }
    }

    /// `limit` examples of a split spread evenly over it (indices ⌊i·N/limit⌋), or all when nil or
    /// larger. Spread, not a prefix: the file is ordered in runs of similar sentences, and its first
    /// examples are far from balanced. The same for every run, so evaluations stay comparable.
    public func batch(_ split: DataSplit, limit: Int?) throws(ZOError) -> EncoderBatch {
        let full = batch(split)
        guard let limit, limit < full.batch else { return full }
        let n = max(limit, 1)
        return try full.select((0..<n).map { $0 * full.batch / n })
    }
}

/// Loss and accuracy of the model on one split (no gradient).
public struct SplitEvaluation: Codable, Sendable, Equatable {
    public var split: DataSplit
    public var examples: Int
    /// Mean cross-entropy.
    public var loss: Double
    public var accuracy: Double
    public var correct: Int
    /// Share of the most frequent class: the accuracy of always guessing it (chance level).
    public var majorityRate: Double
}

/// Per-example results, in the split's example order.
public struct ExampleResults: Sendable, Equatable {
    public var losses: [Double]
    public var correct: [Bool]
}

public enum FineTuneEvaluation {
    /// Runs the encoder over `data` in chunks of `chunkSize` examples sorted by length (less
    /// padding; results are per example, so the order changes nothing but speed) and returns the
    /// summary and the per-example cross-entropy ℓ_i = logsumexp(z_i) − z_i[y_i] (Double) and
    /// correctness (argmax, ties to the lower class).
    public static func evaluate(
        _ encoder: BertEncoder<Float>, _ parameters: Parameters<Float>, on data: EncoderBatch,
        split: DataSplit, chunkSize: Int = 16
    ) throws(ZOError) -> (SplitEvaluation, ExampleResults) {
        let at = "FineTuneEvaluation.evaluate"
        guard let labels = data.labels, encoder.config.classes >= 2 else {
            throw ZOError(
                "evaluation needs labels and a head with ≥ 2 classes", at: at,
                fix: "pass labelled data and an encoder with classes = 2")
        }
        try Check.positive(chunkSize, "chunkSize", at: at)
        let k = encoder.config.classes
        let order = lengthOrder(data)
        var losses = [Double](repeating: 0, count: data.batch)
        var correct = [Bool](repeating: false, count: data.batch)
        let acts = encoder.makeActivations(batch: min(chunkSize, data.batch), length: data.length)
        for start in stride(from: 0, to: order.count, by: chunkSize) {
            let rows = Array(order[start..<min(start + chunkSize, order.count)])
            try encoder.forward(parameters, tokens: try data.select(rows), activations: acts)
            for (b, row) in rows.enumerated() {
                let z = acts.logits + b * k
                var best = 0
                var m = -Double.infinity
                for j in 0..<k where Double(z[j]) > m {
                    m = Double(z[j])
                    best = j
                }
                var s = 0.0
                for j in 0..<k { s += exp(Double(z[j]) - m) }
                losses[row] = m + log(s) - Double(z[Int(labels[row])])
                correct[row] = best == Int(labels[row])
            }
        }
        let hits = correct.reduce(0) { $0 + ($1 ? 1 : 0) }
        var perClass = [Int](repeating: 0, count: k)
        for l in labels where l >= 0 && Int(l) < k { perClass[Int(l)] += 1 }
        let n = Double(data.batch)
        let summary = SplitEvaluation(
            split: split, examples: data.batch, loss: losses.reduce(0, +) / n,
            accuracy: Double(hits) / n, correct: hits,
            majorityRate: Double(perClass.max() ?? 0) / n)
        return (summary, ExampleResults(losses: losses, correct: correct))
    }

    /// Example indices sorted by unpadded length, ties by index.
    static func lengthOrder(_ data: EncoderBatch) -> [Int] {
        let t = data.length
        let lengths = (0..<data.batch).map { b in data.mask[(b * t)..<((b + 1) * t)].reduce(0) { $0 + Int($1) } }
        return (0..<data.batch).sorted { (lengths[$0], $0) < (lengths[$1], $1) }
    }
}
