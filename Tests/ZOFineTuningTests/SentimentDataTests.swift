import Foundation
import Testing
import ZOCore
import ZOFineTuning
import ZOModel
import ZOTestSupport

@Suite struct SentimentDataTests {
    @Test func parsesCRLFAndLF() throws {
        let data = Data("1\t2.5\tGood film.\r\n2\t-0.6\tBad, ''really''\r\n3\t0.0\tMeh\n4\t1e-3\tOK".utf8)
        let s = try SentimentDataset.parse(data)
        #expect(s.map(\.id) == [1, 2, 3, 4])
        #expect(s[1] == VaderSentence(id: 2, meanScore: -0.6, text: "Bad, ''really''"))
        let d = SentimentDataset(sentences: s)
        #expect(d.droppedZeroCount == 1)
        #expect(d.examples.map(\.label) == [1, 0, 1])
    }

    @Test func rejectsMalformedLines() {
        expectZOError("expected 3 tab-separated fields, found 2") {
            _ = try SentimentDataset.parse(Data("1\t2.0\n".utf8))
        }
        expectZOError("line 2") { _ = try SentimentDataset.parse(Data("1\t2\tok\nx\t2\tbad".utf8)) }
        expectZOError("is not an integer") { _ = try SentimentDataset.parse(Data("x\t2\tbad".utf8)) }
        expectZOError("not a finite number") { _ = try SentimentDataset.parse(Data("1\tnan\tbad".utf8)) }
        expectZOError("not valid UTF-8") { _ = try SentimentDataset.parse(Data([0x31, 0x09, 0x31, 0x09, 0xFF])) }
    }

    @Test func normalizeLowercasesAndCollapsesWhitespace() {
        #expect(SentimentDataset.normalize("  A  b\tC\r\n d\u{A0}É ") == "a b c d é")
        #expect(SentimentDataset.normalize("") == "")
        #expect(Array(SentimentDataset.normalize("Cafe\u{301}").utf8) == Array("café".utf8))  // NFC
    }

    /// The split is a pure function of the normalised text: equal texts share a split.
    @Test func splitIsAFunctionOfNormalisedText() {
        let a = VaderSentence(id: 1, meanScore: 1, text: "The  Film")
        let b = VaderSentence(id: 2, meanScore: -1, text: "the film")
        let d = SentimentDataset(sentences: [a, b])
        #expect(d.examples[0].split == d.examples[1].split)
        // Proportions over many synthetic texts: 80/10/10 within binomial noise (n = 20,000;
        // 5σ bounds, so a correct rule fails with probability < 1e-6).
        var counts: [DataSplit: Int] = [:]
        for k in 0..<20_000 { counts[SentimentDataset.split(normalized: "sentence number \(k)"), default: 0] += 1 }
        let n = 20_000.0
        for (split, p) in [(DataSplit.train, 0.8), (.dev, 0.1), (.test, 0.1)] {
            let sigma = (n * p * (1 - p)).squareRoot()
            #expect(abs(Double(counts[split] ?? 0) - n * p) < 5 * sigma, "\(split): \(counts[split] ?? 0)")
        }
    }

    @Test(.enabled(if: Assets.vaderPresent, Assets.skipMessage))
    func vaderCountsLabelsAndSplits() throws {
        let d = try SentimentDataset.load(cache: Assets.cache)
        #expect(d.sentences.count == 10_605)
        #expect(d.sentences.first?.id == 1 && d.sentences.last?.id == 10_605)
        #expect(d.droppedZeroCount == 37)
        #expect(d.examples.count == 10_568)
        #expect(d.examples.allSatisfy { ($0.label == 1) == ($0.meanScore > 0) })
        let balance = d.classBalance()
        #expect(balance.positive == 5_242 && balance.negative == 5_326)
        // Measured once and pinned: any change to the split rule or key shows up here.
        #expect(d.splitSizes == [.train: 8_457, .dev: 1_095, .test: 1_016])
        // No text in two splits.
        var splitOf: [String: DataSplit] = [:]
        var conflicts = 0
        for e in d.examples {
            let key = SentimentDataset.normalize(e.text)
            if let s = splitOf[key], s != e.split { conflicts += 1 }
            splitOf[key] = e.split
        }
        #expect(conflicts == 0)
        #expect(Set(d.examples.map(\.id)).count == d.examples.count)
        // Deterministic across loads (and across runs: the rule has no state).
        #expect(try SentimentDataset.load(cache: Assets.cache).examples == d.examples)
    }
}
