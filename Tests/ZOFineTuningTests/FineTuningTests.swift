import Foundation
import Testing
import ZOCore
import ZOFineTuning
import ZOModel
import ZOTestSupport

@Suite struct FineTuningTests {
    @Test func sessionCountsPassesAndRecordsSteps() throws {
        for method in FineTuneMethod.allCases {
            var s = try TinyFineTune.session(method, steps: 3)
            for _ in 0..<3 { try s.step() }
            #expect(s.completedSteps == 3 && s.history.map(\.step) == [0, 1, 2], "\(method)")
            let perStep = method.forwardEquivalentsPerStep
            #expect(s.history.map(\.forwardEquivalents) == [perStep, 2 * perStep, 3 * perStep], "\(method)")
            #expect(
                s.forwardPasses == (method.isZerothOrder ? 6 : 3) && s.backwardPasses == (method.isZerothOrder ? 0 : 3))
        }
    }

    @Test func evaluationRecordsDevAndTestAtTheCurrentStep() throws {
        var s = try TinyFineTune.session(.foSGD, steps: 2)
        let before = try s.recordEvaluation()
        try s.step()
        let after = try s.recordEvaluation()
        #expect(before.completedSteps == 0 && after.completedSteps == 1 && after.forwardPasses == 1)
        #expect(
            before.dev.examples == 16 && before.test.examples == 16 && before.dev.split == .dev
                && before.test.split == .test)
        #expect(s.evaluations == [before, after])
    }

    @Test func badSessionsAreZOErrors() throws {
        var c = TinyFineTune.config(.mezo)
        c.batchSize = 49
        expectZOError("exceeds the 48 training examples") {
            _ = try FineTuneSession(config: c, data: try TinyFineTune.data(), start: try TinyFineTune.start())
        }
        c = TinyFineTune.config(.mezo)
        c.layers = 3
        expectZOError("the config asks for 3") {
            _ = try FineTuneSession(config: c, data: try TinyFineTune.data(), start: try TinyFineTune.start())
        }
        c.layers = 9
        expectZOError("layers = 9") {
            _ = try FineTuneSession(config: c, data: try TinyFineTune.data(), start: try TinyFineTune.start())
        }
    }

    /// A random start is BERT's init with the same head as the pretrained start (same head key).
    @Test func randomStartIsKeyedBertInit() throws {
        var c = FineTuneConfig.defaults(for: .mezo)
        c.layers = 1
        c.initialization = .random
        let a = try FineTuneStart.make(c)
        let b = try FineTuneStart.make(c)
        #expect(a.parameters == b.parameters)
        let layout = a.encoder.layout
        let head = try #require(layout.classifierWeight)
        let gains = a.parameters.tensor(layout.embeddingNormWeight.index)
        #expect(gains.allSatisfy { $0 == 1 })
        c.seed += 1
        let other = try FineTuneStart.make(c)
        #expect(other.parameters.tensor(head.index) != a.parameters.tensor(head.index))
    }
}

extension BLASThreadTests {
    /// Two runs with the same seed and thread count give the same bits: parameters, losses,
    /// passes, optimizer state, evaluations — for every method.
    @Test func fineTuningIsBitReproducible() throws {
        try BLASThreads.set(1)
        for method in FineTuneMethod.allCases {
            var a = try TinyFineTune.session(method, steps: 4)
            var b = try TinyFineTune.session(method, steps: 4)
            for _ in 0..<4 {
                try a.step()
                try b.step()
            }
            try a.recordEvaluation()
            try b.recordEvaluation()
            #expect(Trajectory(a).bitIdentical(to: Trajectory(b)), "\(method)")
            var c = try TinyFineTune.session(method, steps: 4, seed: 12)
            for _ in 0..<4 { try c.step() }
            #expect(c.parameters != a.parameters, "\(method): another seed must give another run")
        }
    }
}
