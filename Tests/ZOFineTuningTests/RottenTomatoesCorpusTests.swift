import Foundation
import Testing
import ZOCore
import ZOFineTuning
import ZOModel
import ZOTestSupport

@Suite struct RottenTomatoesCorpusTests {
    @Test func parsesQuotedMultilineCSV() throws {
        let csv = "category,text,movie_name\r\nfresh,\"A \"\"great\"\",\nfilm\",x\nrotten,Plain  TEXT,y\n"
        let corpus = try RottenTomatoesCorpus.parse(Data(csv.utf8))
        #expect(corpus.rowCount == 2)
        #expect(corpus.normalizedTexts == ["a \"great\", film", "plain text"])
    }

    @Test func rejectsMalformedCSV() {
        expectZOError("unterminated quoted field") { _ = try RottenTomatoesCorpus.parse(Data("text\n\"open".utf8)) }
        expectZOError("no header row with a 'text' column") {
            _ = try RottenTomatoesCorpus.parse(Data("a,b\n1,2\n".utf8))
        }
        expectZOError("row 3 has 1 fields") { _ = try RottenTomatoesCorpus.parse(Data("text,b\n1,2\n3\n".utf8)) }
    }

    @Test func deduplicationDropsOverlaps() {
        let corpus = RottenTomatoesCorpus(texts: ["A  great film."])
        let d = SentimentDataset(
            sentences: [
                VaderSentence(id: 1, meanScore: 2, text: "a great FILM."),
                VaderSentence(id: 2, meanScore: -2, text: "A dull film."),
            ],
            deduplicatingAgainst: corpus)
        #expect(d.droppedOverlapCount == 1 && d.examples.map(\.id) == [2])
    }

    /// Measured: 6,226 of the 10,605 VADER lines (6,207 of the 10,568 labelled) have their
    /// normalised text in the 13,905-row corpus.
    @Test(.enabled(if: Assets.vaderPresent && Assets.rottenTomatoesPresent, Assets.skipMessage))
    func vaderOverlapCount() throws {
        let corpus = try RottenTomatoesCorpus.load(cache: Assets.cache)
        #expect(corpus.rowCount == 13_905)
        let full = try SentimentDataset.load(cache: Assets.cache)
        let overlapLines = full.sentences.filter { corpus.contains(normalized: SentimentDataset.normalize($0.text)) }
            .count
        #expect(overlapLines == 6_226)
        let d = try SentimentDataset.load(cache: Assets.cache, deduplicatingAgainst: corpus)
        #expect(d.droppedZeroCount == 37)
        #expect(d.droppedOverlapCount == 6_207)
        #expect(d.examples.count == 10_568 - 6_207)
        // De-duplication only removes: every kept sentence keeps the split it had.
        let before = Dictionary(uniqueKeysWithValues: full.examples.map { ($0.id, $0.split) })
        #expect(d.examples.allSatisfy { before[$0.id] == $0.split })
    }
}
