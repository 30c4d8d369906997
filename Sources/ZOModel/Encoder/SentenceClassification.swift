import Foundation
import ZOCore

// The transformer objective: mean cross-entropy of a BERT sentence classifier over a labelled
// token data set, as a `DifferentiableObjective`, so that every ZOCore estimator (ZOEstimator
// with any distribution, FirstOrderReference, CoordinateDifferences) runs on it unchanged.
//
// Legend: N examples, B examples per forward pass (chunk), T tokens, K classes.

/// f(θ) = (1/|S|) Σ_{i∈S} ℓ(θ; x_i, y_i), S the batch's examples (all N for `.full`; a keyed
/// minibatch drawn without replacement otherwise, `BatchSelection.exampleIndices`).
///
/// The examples of S are run in ascending order in chunks of `chunkSize` (each trimmed to its
/// longest sequence: trailing padding changes nothing), losses summed in Double, so a given θ
/// and batch give the same bits every time for a fixed BLAS thread count.
public struct SentenceClassificationObjective<T: EncoderScalar>: DifferentiableObjective, PerturbedObjective {
    public typealias Scalar = T
    public let encoder: BertEncoder<T>
    /// All N examples, padded to the longest, with labels.
    public let data: EncoderBatch
    /// Examples per forward pass; bounds activation memory (≈ 57 MB per layer for 32 × 64 tokens in Float).
    public let chunkSize: Int
    private let pool: ActivationPool<T>

    public var layout: ParameterLayout { encoder.layout.parameters }
    public var count: Int { data.batch }

    public init(encoder: BertEncoder<T>, data: EncoderBatch, chunkSize: Int = 16) throws(ZOError) {
        let at = "SentenceClassificationObjective"
        guard encoder.config.classes >= 1 else {
            throw ZOError(
                "the encoder has no classification head", at: at, fix: "build the EncoderConfig with classes ≥ 1")
        }
        guard data.labels != nil else {
            throw ZOError("the data set has no labels", at: at, fix: "pass one label per sequence")
        }
        try Check.positive(chunkSize, "chunkSize", at: at)
        try data.validate(for: encoder.config)
        self.encoder = encoder
        self.data = data
        self.chunkSize = chunkSize
        self.pool = ActivationPool(encoder: encoder, batch: min(chunkSize, data.batch), length: data.length)
    }

    /// From tokenized sequences (each with [CLS] … [SEP]) and class labels.
    public init(config: EncoderConfig, sequences: [[Int]], labels: [Int], chunkSize: Int = 16) throws(ZOError) {
        guard sequences.count == labels.count else {
            throw ZOError(
                "\(sequences.count) sequences but \(labels.count) labels", at: "SentenceClassificationObjective",
                fix: "pass one label per sequence")
        }
        try self.init(
            encoder: try BertEncoder(config), data: try EncoderBatch(sequences: sequences, labels: labels),
            chunkSize: chunkSize)
    }

    public func loss(_ parameters: Parameters<T>, batch: BatchSelection) throws -> Double {
        try loss(parameters, deltas: WeightDeltas(), batch: batch)
    }

    /// f(θ + εZ) with low-rank tensors of Z applied fused and the others densely in a copy of θ
    /// (`BertEncoder.split`); equals `loss(θ + εZ materialised)` up to rounding. nil Z gives f(θ).
    public func loss(
        _ parameters: Parameters<T>, perturbation z: (any Perturbation)?, epsilon: Double,
        batch: BatchSelection
    ) throws -> Double {
        guard let z else { return try loss(parameters, batch: batch) }
        let rows = try batch.exampleIndices(count: count, at: "SentenceClassificationObjective.loss")
        if rows.count <= chunkSize {
            // One forward: the dense tensors are streamed stage by stage (no copy of θ).
            let acts = pool.take()
            defer { pool.give(acts) }
            let tokens = try data.select(rows)
            let total =
                try encoder.forward(parameters, perturbation: z, epsilon: epsilon, tokens: tokens, activations: acts)
                ?? .nan
            return total / Double(rows.count)
        }
        // Several chunks: perturb one copy of θ once rather than regenerate Z per chunk (same bits).
        let (dense, deltas) = try encoder.split(parameters, perturbation: z, epsilon: epsilon)
        return try loss(dense, deltas: deltas, batch: batch)
    }

    /// Both losses of the central difference with Z's low-rank factors formed once (for −ε the
    /// deltas are the same factors with the scale negated, exactly T(−ε) = −T(ε)): the same values as
    /// two `loss` calls. Several chunks fall back to the two calls.
    public func lossPair(
        _ parameters: Parameters<T>, perturbation z: any Perturbation, epsilon: Double,
        batch: BatchSelection
    ) throws -> (plus: Double, minus: Double) {
        let rows = try batch.exampleIndices(count: count, at: "SentenceClassificationObjective.lossPair")
        guard rows.count <= chunkSize else {
            return (
                try loss(parameters, perturbation: z, epsilon: epsilon, batch: batch),
                try loss(parameters, perturbation: z, epsilon: -epsilon, batch: batch)
            )
        }
        let acts = pool.take()
        defer { pool.give(acts) }
        let tokens = try data.select(rows)
        let (plus, minus) = try encoder.forwardPair(
            parameters, perturbation: z, epsilon: epsilon, tokens: tokens, activations: acts)
        return ((plus ?? .nan) / Double(rows.count), (minus ?? .nan) / Double(rows.count))
    }

    public func gradient(_ parameters: Parameters<T>, batch: BatchSelection) throws -> [T] {
        try lossAndGradient(parameters, batch: batch).gradient
    }

    /// f(θ) and ∇f(θ) on the batch from one forward and one backward pass per chunk (first-order
    /// fine-tuning logs the loss of the very forward pass it differentiates).
    public func lossAndGradient(_ parameters: Parameters<T>, batch: BatchSelection) throws -> (
        loss: Double, gradient: [T]
    ) {
        var g: [T] = []
        let loss = try lossAndGradient(parameters, batch: batch, into: &g)
        return (loss, g)
    }

    /// `lossAndGradient` into a caller-kept buffer: `g` is resized to the layout and zeroed, then
    /// accumulated into. Reusing it saves a 4·d-byte allocation per step (86 MB of fresh pages,
    /// each faulted in and zeroed by the kernel, for all-MiniLM-L6-v2). The same values.
    public func lossAndGradient(_ parameters: Parameters<T>, batch: BatchSelection, into g: inout [T]) throws -> Double
    {
        let rows = try batch.exampleIndices(count: count, at: "SentenceClassificationObjective.gradient")
        if g.count != layout.count {
            g = [T](repeating: 0, count: layout.count)
        } else {
            g.withUnsafeMutableBufferPointer { b in
                guard let start = b.baseAddress else { return }
                nonisolated(unsafe) let base = start
                ParallelChunks.run(b.count) { r in (base + r.lowerBound).update(repeating: 0, count: r.count) }
            }
        }
        var total = 0.0
        let acts = pool.take()
        defer { pool.give(acts) }
        for chunk in chunks(rows) {
            let tokens = try data.select(chunk)
            total += try encoder.forward(parameters, tokens: tokens, activations: acts) ?? .nan
            try encoder.backward(parameters, activations: acts, scale: 1 / Double(rows.count), into: &g)
        }
        return total / Double(rows.count)
    }

    func loss(_ parameters: Parameters<T>, deltas: WeightDeltas<T>, batch: BatchSelection) throws -> Double {
        let rows = try batch.exampleIndices(count: count, at: "SentenceClassificationObjective.loss")
        var total = 0.0
        let acts = pool.take()
        defer { pool.give(acts) }
        for chunk in chunks(rows) {
            let tokens = try data.select(chunk)
            total += try encoder.forward(parameters, tokens: tokens, activations: acts, deltas: deltas) ?? .nan
        }
        return total / Double(rows.count)
    }

    func chunks(_ rows: [Int]) -> [[Int]] {
        stride(from: 0, to: rows.count, by: chunkSize).map { Array(rows[$0..<min($0 + chunkSize, rows.count)]) }
    }
}

/// Activation buffers shared by the copies of an objective (it is a value type that estimators
/// call concurrently): each call takes a free set, or makes one, and gives it back.
final class ActivationPool<T: EncoderScalar>: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [EncoderActivations<T>] = []
    private let encoder: BertEncoder<T>
    private let batch: Int, length: Int

    init(encoder: BertEncoder<T>, batch: Int, length: Int) {
        self.encoder = encoder
        self.batch = batch
        self.length = length
    }

    func take() -> EncoderActivations<T> {
        lock.lock()
        let a = free.popLast()
        lock.unlock()
        return a ?? encoder.makeActivations(batch: batch, length: length)
    }

    func give(_ a: EncoderActivations<T>) {
        lock.lock()
        // Keep at most two sets: enough for a two-point estimator on two threads, bounded memory.
        if free.count < 2 { free.append(a) }
        lock.unlock()
    }
}
