import ZOCore

// Legend: B sequences, T tokens per (padded) sequence, V vocabulary, S token types, K classes.

/// The encoder's input: token sequences right-padded to a common length, with attention masks,
/// token types and (optionally) class labels. Everything is (B, T) row-major Int32 (labels: (B)).
/// Made from the tokenizer's `TokenBatch` (`init(_:labels:)`) or from id lists (`init(sequences:)`).
public struct EncoderBatch: Sendable, Hashable {
    public let batch: Int  // B
    public let length: Int  // T
    public let ids: [Int32]  // (B, T) token ids; padding holds `padID`
    public let mask: [Int32]  // (B, T) 1 = token, 0 = padding
    public let types: [Int32]  // (B, T) token type ids (0 for single sentences)
    public let labels: [Int32]?  // (B) class indices, or nil for embedding only

    /// Checks only the counts; `validate(for:)` checks the values against a model.
    public init(batch: Int, length: Int, ids: [Int32], mask: [Int32], types: [Int32]? = nil, labels: [Int32]? = nil)
        throws(ZOError)
    {
        guard batch >= 1, length >= 1 else {
            throw ZOError(
                "a token batch needs B ≥ 1 sequences of T ≥ 1 tokens, got B = \(batch), T = \(length)",
                at: "EncoderBatch", fix: "pass at least one non-empty sequence")
        }
        let n = batch * length
        guard ids.count == n, mask.count == n, (types?.count ?? n) == n, (labels?.count ?? batch) == batch else {
            throw ZOError(
                """
                ids (\(ids.count)), mask (\(mask.count)), types (\(types?.count ?? n)) must hold B·T = \(n) \
                values and labels (\(labels?.count ?? batch)) B = \(batch)
                """,
                at: "EncoderBatch", fix: "pass (B, T) row-major arrays and one label per sequence")
        }
        self.batch = batch
        self.length = length
        self.ids = ids
        self.mask = mask
        self.types = types ?? [Int32](repeating: 0, count: n)
        self.labels = labels
    }

    /// Right-pads variable-length sequences (each starting with [CLS], ending with [SEP], as the
    /// tokenizer makes them) to the longest, with `padID` and mask 0; token types 0.
    public init(sequences: [[Int]], labels: [Int]? = nil, padID: Int = 0) throws(ZOError) {
        let t = sequences.map(\.count).max() ?? 0
        var ids: [Int32] = []
        var mask: [Int32] = []
        ids.reserveCapacity(sequences.count * t)
        mask.reserveCapacity(sequences.count * t)
        for (i, s) in sequences.enumerated() {
            guard !s.isEmpty else {
                throw ZOError(
                    "sequence \(i) is empty", at: "EncoderBatch(sequences:)",
                    fix: "tokenize with [CLS]/[SEP], which makes every sequence non-empty")
            }
            if let bad = s.first(where: { $0 < 0 || $0 > Int(Int32.max) }) {
                throw ZOError(
                    "sequence \(i) has token id \(bad)", at: "EncoderBatch(sequences:)",
                    fix: "pass token ids from the model's vocabulary")
            }
            ids += s.map { Int32($0) } + [Int32](repeating: Int32(clamping: padID), count: t - s.count)
            mask += [Int32](repeating: 1, count: s.count) + [Int32](repeating: 0, count: t - s.count)
        }
        var labels32: [Int32]? = nil
        if let labels {
            if let bad = labels.first(where: { $0 < 0 || $0 > Int(Int32.max) }) {
                throw ZOError(
                    "label \(bad) is negative or too large", at: "EncoderBatch(sequences:)",
                    fix: "pass class indices 0..<K")
            }
            labels32 = labels.map { Int32($0) }
        }
        try self.init(batch: sequences.count, length: t, ids: ids, mask: mask, types: nil, labels: labels32)
    }

    /// The tokenizer's padded batch (`WordPieceTokenizer.batch`), with optional labels.
    public init(_ tokens: TokenBatch, labels: [Int]? = nil) throws(ZOError) {
        guard tokens.batchSize >= 1 else {
            throw ZOError(
                "the token batch is empty", at: "EncoderBatch(TokenBatch)", fix: "tokenize at least one sentence")
        }
        if let bad = tokens.flatIDs.first(where: { $0 < 0 || $0 > Int(Int32.max) }) {
            throw ZOError(
                "token id \(bad) does not fit Int32", at: "EncoderBatch(TokenBatch)",
                fix: "pass ids from the model's vocabulary")
        }
        var labels32: [Int32]? = nil
        if let labels {
            if let bad = labels.first(where: { $0 < 0 || $0 > Int(Int32.max) }) {
                throw ZOError(
                    "label \(bad) is negative or too large", at: "EncoderBatch(TokenBatch)",
                    fix: "pass class indices 0..<K")
            }
            labels32 = labels.map { Int32($0) }
        }
        try self.init(
            batch: tokens.batchSize, length: tokens.sequenceLength, ids: tokens.flatIDs.map { Int32($0) },
            mask: tokens.flatMask.map { Int32(clamping: $0) }, types: nil, labels: labels32)
    }

    /// Throws unless the values fit `config`: ids in 0..<V, types in 0..<S, T ≤ P, mask in {0, 1}
    /// with at least one token per sequence, labels in 0..<K (when there are labels and a head).
    public func validate(for config: EncoderConfig) throws(ZOError) {
        let at = "EncoderBatch.validate"
        guard length <= config.maxPositions else {
            throw ZOError(
                "sequences of \(length) tokens exceed the model's \(config.maxPositions) positions", at: at,
                fix: "truncate to \(config.maxPositions) tokens (the tokenizer's max length)")
        }
        if let i = ids.firstIndex(where: { $0 < 0 || Int($0) >= config.vocabSize }) {
            throw ZOError(
                """
                token id \(ids[i]) at sequence \(i / length), position \(i % length) is outside \
                0..<\(config.vocabSize)
                """,
                at: at, fix: "tokenize with this model's vocab.txt")
        }
        if let i = types.firstIndex(where: { $0 < 0 || Int($0) >= config.typeVocabSize }) {
            throw ZOError(
                "token type \(types[i]) is outside 0..<\(config.typeVocabSize)", at: at,
                fix: "use token type 0 for single sentences")
        }
        if let i = mask.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw ZOError(
                "attention mask value \(mask[i]) is not 0 or 1", at: at, fix: "pass 1 for tokens and 0 for padding")
        }
        for b in 0..<batch where !mask[(b * length)..<((b + 1) * length)].contains(1) {
            throw ZOError(
                "sequence \(b) has no unmasked token", at: at,
                fix: "drop empty sequences (mean pooling over nothing is undefined)")
        }
        if let labels, config.classes > 0, let bad = labels.first(where: { $0 < 0 || Int($0) >= config.classes }) {
            throw ZOError(
                "label \(bad) is outside 0..<\(config.classes)", at: at,
                fix: "pass class indices below the head's \(config.classes) classes")
        }
    }

    /// Sequences `rows` of this batch, trimmed to their longest unpadded length (a trailing run of
    /// padding common to all of them changes nothing: it is masked out of attention and pooling).
    public func select(_ rows: [Int]) throws(ZOError) -> EncoderBatch {
        guard !rows.isEmpty, rows.allSatisfy({ $0 >= 0 && $0 < batch }) else {
            throw ZOError(
                "rows \(rows.prefix(5)) are empty or outside 0..<\(batch)", at: "EncoderBatch.select",
                fix: "pass row indices of this batch")
        }
        var t = 1
        for r in rows {
            if let last = mask[(r * length)..<((r + 1) * length)].lastIndex(of: 1) { t = max(t, last - r * length + 1) }
        }
        var ids: [Int32] = []
        var mask: [Int32] = []
        var types: [Int32] = []
        for r in rows {
            ids += self.ids[(r * length)..<(r * length + t)]
            mask += self.mask[(r * length)..<(r * length + t)]
            types += self.types[(r * length)..<(r * length + t)]
        }
        return try EncoderBatch(
            batch: rows.count, length: t, ids: ids, mask: mask, types: types,
            labels: labels.map { l in rows.map { l[$0] } })
    }
}
