import Foundation
import Testing
import ZOCore
import ZOModel
import ZOTestSupport

/// Agreement with the model's own tokenizer (HF `tokenizers` 0.23.3 on tokenizer.json), from
/// fixtures made by Fixtures/make_tokenizer_fixture.py. Exact: every id of every text.
@Suite struct WordPieceTokenizerTests {
    struct Case: Decodable {
        let text: String
        let ids: [Int]
    }

    static func cases(_ name: String) throws -> [Case] {
        let data = try Data(contentsOf: try fixtureURL(name))
        let decoder = JSONDecoder()
        return try data.split(separator: 0x0A).map { try decoder.decode(Case.self, from: Data($0)) }
    }

    /// Encodes every case without truncation and returns the disagreements (with the first few for the message).
    static func disagreements(_ tokenizer: WordPieceTokenizer, _ cases: [Case]) throws -> (
        count: Int, examples: [String]
    ) {
        var count = 0
        var examples: [String] = []
        for c in cases {
            let ids = try tokenizer.encode(c.text, maxLength: 1_000_000)
            if ids != c.ids {
                count += 1
                if examples.count < 5 { examples.append("\(c.text.debugDescription): got \(ids), want \(c.ids)") }
            }
        }
        return (count, examples)
    }

    static func tiny() throws -> WordPieceTokenizer { try WordPieceTokenizer(vocabulary: fixtureURL("tiny_vocab.txt")) }

    @Test func tinyVocabularyHardCasesAgreeExactly() throws {
        let cases = try Self.cases("tokenizer_hard_cases_tiny.jsonl")
        #expect(cases.count > 3000)
        let (count, examples) = try Self.disagreements(Self.tiny(), cases)
        #expect(count == 0, "\(count) of \(cases.count) disagree, e.g. \(examples.joined(separator: "\n"))")
    }

    @Test(.enabled(if: Assets.vocabularyPresent, Assets.skipMessage))
    func modelVocabularyHardCasesAgreeExactly() throws {
        let tokenizer = try WordPieceTokenizer(vocabulary: Assets.cache.url(for: .vocabulary))
        let cases = try Self.cases("tokenizer_hard_cases.jsonl")
        let (count, examples) = try Self.disagreements(tokenizer, cases)
        #expect(count == 0, "\(count) of \(cases.count) disagree, e.g. \(examples.joined(separator: "\n"))")
    }

    /// All 10,605 VADER movie sentences, id for id.
    @Test(.enabled(if: Assets.vocabularyPresent && Assets.vaderPresent, Assets.skipMessage))
    func everyVaderSentenceAgreesExactly() throws {
        let tokenizer = try WordPieceTokenizer(vocabulary: Assets.cache.url(for: .vocabulary))
        let data = try Data(contentsOf: Assets.cache.url(for: .vaderMovieReviews))
        // id<TAB>score<TAB>text per line (the fine-tuning module's SentimentDataset parses it fully).
        let sentences = try TextLines.split(data).filter { !$0.isEmpty }
            .map { String($0.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false).last ?? "") }
        let expected = try String(contentsOf: fixtureURL("vader_movie_token_ids.txt"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: " ").compactMap { Int($0) } }
        try #require(sentences.count == 10_605 && expected.count == 10_605)
        let cases = zip(sentences, expected).map { Case(text: $0, ids: $1) }
        let (count, examples) = try Self.disagreements(tokenizer, cases)
        #expect(count == 0, "\(count) of 10605 disagree, e.g. \(examples.joined(separator: "\n"))")
    }

    @Test func wordPieceGreedyLongestMatch() throws {
        let t = try Self.tiny()
        #expect(t.tokenize("unaffable") == ["un", "##aff", "##able"])
        #expect(t.tokenize("Hello, WORLD!") == ["hello", ",", "world", "!"])
        #expect(t.tokenize("café naïve") == ["cafe", "naive"])
        #expect(t.tokenize(String(repeating: "a", count: 100)) == [String(repeating: "a", count: 100)])
        #expect(t.tokenize(String(repeating: "a", count: 101)) == ["[UNK]"])
        // Lookups are byte for byte: precomposed "한" is in the vocabulary, but NFD turns the
        // input into jamo ᄒ ᅡ ᆫ, which are not (a String-keyed dictionary would match them).
        #expect(t.tokenize("한") == ["[UNK]"])
        #expect(t.id(of: "한") != nil && t.id(of: "\u{1112}\u{1161}\u{11AB}") == nil)
        #expect(t.tokenize("x[MASK]y") == ["x", "[MASK]", "y"])
        #expect(t.tokenize("[mask]") == ["[", "mask", "]"])
        #expect(t.tokenize("") == [])
    }

    @Test func encodeTruncatesAndKeepsSeparator() throws {
        let t = try Self.tiny()
        let full = try t.encode("hello world the film", maxLength: 512)
        #expect(full == [t.classID] + t.tokenIDs("hello world the film") + [t.separatorID])
        #expect(try t.encode("hello world the film", maxLength: 4) == [t.classID] + full[1..<3] + [t.separatorID])
        #expect(try t.encode("hello world", maxLength: 2) == [t.classID, t.separatorID])
        expectZOError("maxLength must be ≥ 2") { _ = try t.encode("x", maxLength: 1) }
    }

    @Test func batchPadsWithMask() throws {
        let t = try Self.tiny()
        let b = try t.batch(["hello world", "the", ""], maxLength: 16)
        #expect(b.batchSize == 3 && b.sequenceLength == 4)
        #expect(b.ids[1] == [t.classID, try #require(t.id(of: "the")), t.separatorID, t.paddingID])
        #expect(b.mask == [[1, 1, 1, 1], [1, 1, 1, 0], [1, 1, 0, 0]])
        #expect(b.flatIDs.count == 12 && b.flatMask.reduce(0, +) == 9)
        let fixed = try t.batch(["hello"], maxLength: 8, padToMaxLength: true)
        #expect(fixed.sequenceLength == 8 && fixed.mask[0] == [1, 1, 1, 0, 0, 0, 0, 0])
        #expect(try t.batch([], maxLength: 8).batchSize == 0)
    }

    @Test func jsonLinesForTheCLI() throws {
        let t = try Self.tiny()
        let hello = try #require(t.id(of: "hello"))
        #expect(try t.jsonLine("Hello", maxLength: 8) == "[\(t.classID),\(hello),\(t.separatorID)]")
        #expect(
            try t.jsonLine("\"", includeTokens: true)
                == "{\"ids\":[\(t.classID),\(try #require(t.id(of: "\""))),"
                + "\(t.separatorID)],\"tokens\":[\"[CLS]\",\"\\\"\",\"[SEP]\"]}")
    }

    @Test func vocabularyFileWithCRLF() throws {
        let url = try scratchDirectory("crlf").appendingPathComponent("vocab.txt")
        try Data("[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\nhi\r\n".utf8).write(to: url)
        let t = try WordPieceTokenizer(vocabulary: url)
        #expect(t.vocabularySize == 5 && t.tokenIDs("hi") == [4])
    }

    @Test func vocabularyErrors() throws {
        expectZOError("has no [UNK] token") { _ = try WordPieceTokenizer(tokens: ["[PAD]", "[CLS]", "[SEP]", "a"]) }
        expectZOError("run `make assets`") {
            _ = try WordPieceTokenizer(vocabulary: URL(fileURLWithPath: "/nonexistent/vocab.txt"))
        }
        // A duplicated token keeps its last id, as HF's load_vocab does.
        let t = try WordPieceTokenizer(tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "a", "a"])
        #expect(t.tokenIDs("a") == [5])
    }
}
