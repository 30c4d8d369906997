import Testing
import ZOCore
import ZOFineTuning
import ZOModel
import ZOTestSupport

@Suite struct FineTuningDataTests {
    /// The evaluation's mean loss is the objective's full-batch loss (same cross-entropy, other
    /// chunking and order), and accuracy/majority are counted from the per-example results.
    @Test func evaluationAgreesWithTheObjective() throws {
        let data = try TinyFineTune.data()
        let start = try TinyFineTune.start()
        let objective = try SentenceClassificationObjective(encoder: start.encoder, data: data.dev, chunkSize: 16)
        let (summary, examples) = try FineTuneEvaluation.evaluate(
            start.encoder, start.parameters, on: data.dev, split: .dev, chunkSize: 3)
        let reference = try objective.loss(start.parameters, batch: .full)
        #expect(abs(summary.loss - reference) <= 1e-5 * reference, "\(summary.loss) vs \(reference)")
        #expect(summary.examples == 16 && examples.losses.count == 16)
        #expect(summary.correct == examples.correct.filter { $0 }.count)
        #expect(summary.accuracy == Double(summary.correct) / 16)
        let labels = try #require(data.dev.labels)
        let positives = labels.filter { $0 == 1 }.count
        #expect(summary.majorityRate == Double(max(positives, 16 - positives)) / 16)
        // Per-example losses do not depend on the chunking.
        let (_, single) = try FineTuneEvaluation.evaluate(
            start.encoder, start.parameters, on: data.dev, split: .dev, chunkSize: 1)
        #expect(maxAbs(single.losses, examples.losses) <= 1e-5)
        #expect(single.correct == examples.correct)
    }

    /// A limit takes examples spread evenly over the split (⌊i·N/n⌋), not a prefix.
    @Test func limitedSplitsAreSpreadOverTheSplit() throws {
        let data = try TinyFineTune.data()
        let limited = try data.batch(.test, limit: 4)
        let expected = try data.test.select([0, 4, 8, 12])
        #expect(limited == expected)
        #expect(try data.batch(.test, limit: 100) == data.test)
        #expect(try data.batch(.test, limit: nil) == data.test)
    }

    @Test func unlabelledSplitsAreRejected() throws {
        let data = try TinyFineTune.data()
        let unlabelled = try EncoderBatch(sequences: [[1, 5, 2]])
        expectZOError("no labels") {
            _ = try FineTuneData(train: unlabelled, dev: data.dev, test: data.test, maxLength: 8)
        }
        expectZOError("needs labels") {
            _ = try FineTuneEvaluation.evaluate(
                try TinyFineTune.start().encoder, try TinyFineTune.start().parameters, on: unlabelled, split: .dev)
        }
    }

    /// The real splits: sizes near 80/10/10 of the 10,568 labelled sentences, sequences ≤ 64 tokens.
    @Test(.enabled(if: RealFineTune.available, Assets.skipMessage))
    func realSplitsAreTokenized() throws {
        let data = try RealFineTune.data.get()
        let total = data.train.batch + data.dev.batch + data.test.batch
        #expect(total == 10_605 - 37)
        #expect(abs(Double(data.train.batch) / Double(total) - 0.8) < 0.02)
        #expect(data.train.length <= 64 && data.dev.length <= 64 && data.test.length <= 64)
    }
}
