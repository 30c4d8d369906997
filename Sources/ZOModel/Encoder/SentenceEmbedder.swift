import Foundation
import ZOCore

// Sentence embeddings with the pretrained all-MiniLM-L6-v2: WordPiece tokens → BERT encoder
// (optionally its first k layers) → mean pooling over real tokens, as sentence-transformers
// computes them before its final L2 normalisation (`normalize: true` adds that step).
//
// Legend: B sentences per forward pass, T tokens (≤ maxLength), C = 384.

public struct SentenceEmbedder: Sendable {
    public let tokenizer: WordPieceTokenizer
    public let model: PretrainedEncoder<Float>
    /// Longest token sequence, [CLS] and [SEP] included (sentence-transformers: 256 for this model).
    public let maxLength: Int
    /// Sentences per forward pass (bounds activation memory; results do not depend on it beyond rounding).
    public let batchSize: Int

    public init(cache: AssetCache = .standard, layers: Int? = nil, maxLength: Int = 256, batchSize: Int = 32)
        throws(ZOError)
    {
        try Check.positive(batchSize, "batchSize", at: "SentenceEmbedder")
        let model = try PretrainedEncoder<Float>(cache: cache, layers: layers)
        guard maxLength >= 2, maxLength <= model.encoder.config.maxPositions else {
            throw ZOError(
                "maxLength \(maxLength) is outside 2…\(model.encoder.config.maxPositions)", at: "SentenceEmbedder",
                fix:
                    """
                    pass a max length between 2 ([CLS] and [SEP]) and the model's \
                    \(model.encoder.config.maxPositions) positions
                    """
            )
        }
        try EncoderActivations<Float>.checkFits(model.encoder.config, batch: batchSize, length: maxLength)
        self.tokenizer = try WordPieceTokenizer(cache: cache)
        self.model = model
        self.maxLength = maxLength
        self.batchSize = batchSize
    }

    /// One C-dimensional mean-pooled embedding per sentence, in input order; L2-normalised when
    /// `normalize` (sentence-transformers' `encode` output). Deterministic for a fixed BLAS thread count.
    public func embed(_ sentences: [String], normalize: Bool = false) throws(ZOError) -> [[Float]] {
        let c = model.encoder.config.hidden
        var out: [[Float]] = []
        out.reserveCapacity(sentences.count)
        // Tokenize first, so that the activations are sized for the longest sequence actually present
        // (sized for maxLength they would take ~1.8 GB at 32 × 256 tokens).
        var batches: [EncoderBatch] = []
        for start in stride(from: 0, to: sentences.count, by: batchSize) {
            let chunk = Array(sentences[start..<min(start + batchSize, sentences.count)])
            batches.append(try EncoderBatch(try tokenizer.batch(chunk, maxLength: maxLength)))
        }
        guard let longest = batches.map(\.length).max() else { return [] }
        let acts = model.encoder.makeActivations(batch: min(batchSize, sentences.count), length: longest)
        for tokens in batches {
            try model.encoder.forward(model.parameters, tokens: tokens, activations: acts)
            for b in 0..<tokens.batch {
                var v = Array(UnsafeBufferPointer(start: acts.pooled + b * c, count: c))
                if normalize {
                    // sentence-transformers' Normalize: v / max(‖v‖, 1e-12).
                    let norm = v.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
                    let inv = Float(1 / max(norm, 1e-12))
                    for i in 0..<c { v[i] *= inv }
                }
                out.append(v)
            }
        }
        return out
    }
}
