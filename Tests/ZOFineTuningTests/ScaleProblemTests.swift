import Foundation
import Testing
import ZOCore
import ZOFineTuning
import ZOModel
import ZOTestSupport

/// ScaleProblem (Sources/ZOFineTuning/Scale/ScaleProblem.swift): the fixed problem of the scale measurements.
@Suite struct ScaleProblemTests {
    @Test func badSetupsThrow() {
        expectZOError("layers = 7") { try ScaleSetup(layers: 7).validate() }
        expectZOError("batch = 0") { try ScaleSetup(batch: 0).validate() }
        expectZOError("maxLength = 1") { try ScaleSetup(maxLength: 1).validate() }
        #expect(ScaleSetup.ci(seed: 5) == ScaleSetup(layers: 1, batch: 16, maxLength: 32, seed: 5))
    }

    /// Without assets the load fails with a ZOError whose fix is `make assets`.
    @Test func missingAssetsSayMakeAssets() throws {
        let empty = AssetCache(directory: try scratchDirectory("scale-problem-empty"))
        do {
            _ = try ScaleProblem.load(.ci(seed: 1), cache: empty)
            Issue.record("expected a ZOError")
        } catch {
            #expect(error.fix.contains("make assets"), "\(error)")
        }
    }

    /// The minibatch and head are pure functions of the seed; sizes and labels are as set up; the fresh
    /// head gives a loss near ln 2.
    @Test(.enabled(if: Assets.modelPresent && Assets.vaderPresent, Assets.skipMessage))
    func loadIsDeterministic() throws {
        let setup = ScaleSetup(layers: 1, batch: 8, maxLength: 24, seed: 11)
        let a = try ScaleProblem.load(setup)
        let b = try ScaleProblem.load(setup)
        #expect(a.sentenceIDs == b.sentenceIDs && a.parameters == b.parameters, "seed 11")
        #expect(a.sentenceIDs.count == 8 && Set(a.sentenceIDs).count == 8)
        #expect(a.labels.allSatisfy { $0 == 0 || $0 == 1 })
        #expect(a.tokenCounts.allSatisfy { $0 >= 2 && $0 <= 24 })
        let c = try ScaleProblem.load(ScaleSetup(layers: 1, batch: 8, maxLength: 24, seed: 12))
        #expect(c.sentenceIDs != a.sentenceIDs, "seeds 11 and 12 drew the same sentences")
        // d: the embeddings, one layer, a 2-class head.
        #expect(
            a.layout.count == 30522 * 384 + 512 * 384 + 2 * 384 + 2 * 384
                + (4 * (384 * 384 + 384) + 4 * 384 + 2 * 1536 * 384 + 1536 + 384) + 2 * 384 + 2)
        let loss = try a.loss()
        #expect(abs(loss - log(2.0)) < 0.1, "loss \(loss), seed 11")
        #expect(a.summary.parameterCount == a.layout.count)
    }
}
