import Foundation
import ZOCore

/// The BERT uncased tokenizer of all-MiniLM-L6-v2, reproducing its `tokenizer.json` (HF
/// `tokenizers`: BertNormalizer + BertPreTokenizer + WordPiece + [CLS] $A [SEP]) id for id.
///
/// Pipeline, per the Rust implementation (which the model's fast tokenizer runs):
/// 1. Special tokens ([PAD] [UNK] [CLS] [SEP] [MASK]) are matched case-sensitively in the raw
///    text, leftmost-longest, and cut it into segments; each segment is processed alone.
/// 2. Clean: drop U+0000, U+FFFD and control scalars (categories Cc, Cf, Co, except tab, LF,
///    CR — unassigned Cn scalars are kept); map White_Space scalars to a space.
/// 3. Pad CJK ideographs (the eight blocks of `isCJK`) with spaces: each becomes a word.
/// 4. NFD, then remove nonspacing marks (Mn): "café" → "cafe". Then lowercase scalar by scalar
///    with the full mapping ("İ" → NFD I + U+0307 → the mark is removed → "i"). Hazard: Python's
///    slow tokenizer lowercases first with `str.lower()`, which writes a word-final "Σ" as "ς";
///    the fast tokenizer, and this one, write "σ". (Swift's `lowercased()` also gives "σ" today,
///    but the per-scalar mapping states the rule instead of relying on it.)
/// 5. Split on White_Space (dropped) and punctuation (kept, one scalar per word): ASCII
///    33–47, 58–64, 91–96, 123–126, and Unicode categories Pc Pd Ps Pe Pi Pf Po.
/// 6. WordPiece: greedy longest-match-first; pieces after the first carry "##"; a word of
///    more than 100 scalars, or with any unmatched remainder, becomes one [UNK].
/// Everything iterates Unicode scalars (Python code points), never `Character`s: a grapheme
/// such as "é" written as e + U+0301 is two scalars, and the counts and splits are on scalars.
///
/// Hazard: Swift `String` equality and hashing are by canonical equivalence, so a `[String: Int]`
/// vocabulary would match "한" (precomposed, in the vocabulary) against its NFD jamo sequence
/// ᄒ ᅡ ᆫ, which HF looks up byte for byte and does not find. The vocabulary is therefore keyed
/// by UTF-8 bytes.
public struct WordPieceTokenizer: Sendable {
    /// UTF-8 bytes of a token → id (the line number in vocab.txt, from 0).
    private let index: [[UInt8]: Int]
    /// Id → token text.
    public let tokens: [String]
    public let unknownID: Int
    public let classID: Int
    public let separatorID: Int
    public let paddingID: Int
    /// Special tokens matched verbatim in raw text, longest first.
    private let specialTokens: [[Unicode.Scalar]]

    /// Words longer than this (in scalars) become [UNK], as in HF's `max_input_chars_per_word`.
    public static let maxInputScalarsPerWord = 100
    public static let defaultMaxLength = 128
    public static let specialTokenNames = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

    /// Reads vocab.txt: one token per line (LF or CRLF), id = line number; a final line end
    /// does not add a token.
    public init(vocabulary url: URL) throws(ZOError) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ZOError(
                "cannot read the vocabulary \(url.path)", at: "WordPieceTokenizer",
                fix: "run `make assets`, or pass the model's vocab.txt")
        }
        try self.init(tokens: TextLines.split(data, source: url.path), source: url.path)
    }

    /// The model's tokenizer from the asset cache (vocab.txt verified by its SHA-256).
    public init(cache: AssetCache) throws(ZOError) {
        try self.init(vocabulary: cache.url(for: .vocabulary))
    }

    /// A tokenizer from an id-ordered token list. It must contain [UNK], [CLS], [SEP] and [PAD].
    /// A token listed twice keeps its last id, as HF's `load_vocab` does.
    public init(tokens: [String], source: String = "<tokens>") throws(ZOError) {
        var index: [[UInt8]: Int] = [:]
        for (id, token) in tokens.enumerated() { index[Array(token.utf8)] = id }
        func id(_ name: String) throws(ZOError) -> Int {
            guard let id = index[Array(name.utf8)] else {
                throw ZOError(
                    "the vocabulary \(source) has no \(name) token", at: "WordPieceTokenizer",
                    fix: "use a BERT vocab.txt (run `make assets`)")
            }
            return id
        }
        self.unknownID = try id("[UNK]")
        self.classID = try id("[CLS]")
        self.separatorID = try id("[SEP]")
        self.paddingID = try id("[PAD]")
        self.index = index
        self.tokens = tokens
        self.specialTokens = Self.specialTokenNames.filter { index[Array($0.utf8)] != nil }
            .map { Array($0.unicodeScalars) }.sorted { $0.count > $1.count }
    }

    /// The id of `token`, compared byte for byte (not by canonical equivalence).
    public func id(of token: String) -> Int? { index[Array(token.utf8)] }

    /// Number of ids (the largest id + 1).
    public var vocabularySize: Int { tokens.count }

    /// Word pieces of `text`, without [CLS]/[SEP] and without truncation.
    public func tokenize(_ text: String) -> [String] { tokenIDs(text).map { tokens[$0] } }

    /// Ids of `text`'s word pieces, without [CLS]/[SEP] and without truncation.
    public func tokenIDs(_ text: String) -> [Int] {
        var ids: [Int] = []
        for segment in splitOnSpecialTokens(Array(text.unicodeScalars)) {
            switch segment {
            case .special(let id): ids.append(id)
            case .text(let scalars):
                for word in BertNormalization.words(scalars) { appendWordPieces(word, to: &ids) }
            }
        }
        return ids
    }

    /// [CLS] pieces [SEP], truncated to `maxLength` ids by dropping pieces from the end (the
    /// [SEP] is kept), as HF's truncation does for one sequence.
    public func encode(_ text: String, maxLength: Int = defaultMaxLength) throws(ZOError) -> [Int] {
        guard maxLength >= 2 else {
            throw ZOError(
                "maxLength must be ≥ 2 ([CLS] and [SEP]), got \(maxLength)", at: "WordPieceTokenizer.encode",
                fix: "pass maxLength ≥ 2 (the model accepts up to max_position_embeddings = 512)")
        }
        let pieces = tokenIDs(text)
        return [classID] + pieces.prefix(maxLength - 2) + [separatorID]
    }

    /// Encodes `texts` and pads with [PAD] to a common length (the longest, or `maxLength`
    /// when `padToMaxLength`); the mask is 1 on real tokens, 0 on padding.
    public func batch(_ texts: [String], maxLength: Int = defaultMaxLength, padToMaxLength: Bool = false)
        throws(ZOError) -> TokenBatch
    {
        var rows: [[Int]] = []
        rows.reserveCapacity(texts.count)
        for text in texts { rows.append(try encode(text, maxLength: maxLength)) }
        let length = padToMaxLength ? maxLength : (rows.map(\.count).max() ?? 0)
        let ids = rows.map { $0 + [Int](repeating: paddingID, count: length - $0.count) }
        let mask = rows.map { [Int](repeating: 1, count: $0.count) + [Int](repeating: 0, count: length - $0.count) }
        return TokenBatch(ids: ids, mask: mask)
    }

    /// One JSON line for `zocheck model tokenize`: `[101,…,102]`, or with `includeTokens`
    /// `{"ids":[…],"tokens":["[CLS]",…]}` (tokens JSON-escaped).
    public func jsonLine(_ text: String, maxLength: Int = defaultMaxLength, includeTokens: Bool = false) throws(ZOError)
        -> String
    {
        let ids = try encode(text, maxLength: maxLength)
        let idList = "[" + ids.map(String.init).joined(separator: ",") + "]"
        guard includeTokens else { return idList }
        let names = ids.map { SafeTensorWriter.jsonString(tokens[$0]) }.joined(separator: ",")
        return "{\"ids\":\(idList),\"tokens\":[\(names)]}"
    }

    // MARK: pieces

    private enum Segment {
        case special(Int)
        case text(ArraySlice<Unicode.Scalar>)
    }

    /// Leftmost-longest match of the special tokens in the raw scalars.
    private func splitOnSpecialTokens(_ s: [Unicode.Scalar]) -> [Segment] {
        var out: [Segment] = []
        var start = 0
        var i = 0
        while i < s.count {
            guard s[i] == "[",
                let match = specialTokens.first(where: { t in
                    i + t.count <= s.count && s[i..<(i + t.count)].elementsEqual(t)
                })
            else {
                i += 1
                continue
            }
            if start < i { out.append(.text(s[start..<i])) }
            out.append(.special(id(of: String(String.UnicodeScalarView(match))) ?? unknownID))
            i += match.count
            start = i
        }
        if start < s.count { out.append(.text(s[start..<s.count])) }
        return out
    }

    /// Greedy longest-match-first WordPiece (HF `WordPiece.tokenize`). Candidates shrink one
    /// scalar at a time (Rust steps back by `char`), on the word's UTF-8 bytes cut at scalar boundaries.
    private func appendWordPieces(_ word: [Unicode.Scalar], to ids: inout [Int]) {
        guard word.count <= Self.maxInputScalarsPerWord else {
            ids.append(unknownID)
            return
        }
        var bytes: [UInt8] = []
        var boundary = [0]  // boundary[k] = byte offset of scalar k
        for scalar in word {
            bytes += String(scalar).utf8
            boundary.append(bytes.count)
        }
        var pieces: [Int] = []
        var start = 0
        while start < word.count {
            var end = word.count
            var found: Int?
            while start < end {
                let body = bytes[boundary[start]..<boundary[end]]
                if let id = index[start > 0 ? [0x23, 0x23] + body : Array(body)] {
                    found = id
                    break
                }  // 0x23 = "#"
                end -= 1
            }
            guard let id = found else {
                ids.append(unknownID)
                return
            }
            pieces.append(id)
            start = end
        }
        ids += pieces
    }
}

/// Token ids of a batch, padded to one length T. Row-major flat views are what a B×T model buffer wants.
public struct TokenBatch: Sendable, Equatable {
    /// B rows of T ids.
    public let ids: [[Int]]
    /// B rows of T flags: 1 for a real token (including [CLS]/[SEP]), 0 for [PAD].
    public let mask: [[Int]]

    public var batchSize: Int { ids.count }
    public var sequenceLength: Int { ids.first?.count ?? 0 }
    /// ids as one (B, T) row-major array.
    public var flatIDs: [Int] { ids.flatMap { $0 } }
    /// mask as one (B, T) row-major array.
    public var flatMask: [Int] { mask.flatMap { $0 } }
}
