import CNumerics
import Foundation
import Testing
import ZOCore
import ZOFineTuning
import ZOModel
import ZOTestSupport

/// The CI-sized escalation on the real model (the checks live in `Escalation`, Sources/ZOFineTuning/
/// Scale/Escalation.swift, which `zocheck verify` also runs): ZO methods by one-step descent on their own
/// minibatches, FO methods by the held-out dev loss and test accuracy against chance, and the
/// pretrained encoder against BERT's random init. α = 1e-3 per check (family-wise ≤ 0.01).
@Suite struct FineTuningRunnerTests {
    static let alpha = Escalation.alpha

    static func config(_ method: FineTuneMethod, initialization: ModelInitialization = .pretrained) -> FineTuneConfig {
        Escalation.config(method, initialization: initialization)
    }

    @Test(.enabled(if: RealFineTune.available, Assets.skipMessage))
    func everyZOMethodDescendsOnItsMinibatches() throws {
        let data = try RealFineTune.data.get()
        let start = try FineTuneStart.make(Self.config(.mezo), cache: Assets.cache)
        for method in FineTuneMethod.allCases where method.isZerothOrder {
            let r = try Escalation.descent(method, start: start, data: data)
            #expect(r.before.count == r.steps && r.after.count == r.steps)
            #expect(
                min(r.signP, r.tP) < Escalation.descentLevel(Self.alpha),
                """
                \(method.rawValue) (seed \(r.seed), lr \(r.learningRate), \(r.steps) steps): \(r.descending) descending steps \
                (sign test p = \(r.signP)), mean one-step change \(r.meanChange), t = \(r.t), p = \(r.tP)
                """)
        }
    }

    /// Held-out: the whole dev split (1,095 examples; α = 1e-3 detects a mean decrease ≥ 3.1·sd/√n).
    /// Chance: one-sided binomial test of test accuracy against the majority-class rate (normal approximation).
    @Test(.enabled(if: RealFineTune.available, Assets.skipMessage))
    func firstOrderMethodsLowerTheHeldOutLossAndBeatChance() throws {
        let data = try RealFineTune.data.get()
        let start = try FineTuneStart.make(Self.config(.foAdam), cache: Assets.cache)
        let before = try FineTuneEvaluation.evaluate(start.encoder, start.parameters, on: data.dev, split: .dev).1
        for method in FineTuneMethod.allCases where !method.isZerothOrder {
            let r = try Escalation.heldOut(method, start: start, data: data, devBefore: before)
            #expect(
                r.p < Self.alpha,
                """
                \(method.rawValue) (seed \(r.seed), lr \(r.learningRate), \(r.steps) steps): dev loss change \
                \(r.devLossChange), t = \(r.t), p = \(r.p)
                """
            )
            #expect(
                r.chanceP < Self.alpha,
                """
                \(method.rawValue) (seed \(r.seed)): test accuracy \(r.test.accuracy) vs chance \
                \(r.test.majorityRate), z = \(r.chanceZ)
                """
            )
        }
    }

    /// McNemar's one-sided test on the full test split, α = 1e-3: pretrained beats random init.
    @Test(.enabled(if: RealFineTune.available, Assets.skipMessage))
    func pretrainedEncoderBeatsRandomInitialisation() throws {
        let data = try RealFineTune.data.get()
        let r = try Escalation.pretrainedVersusRandom(data: data, cache: Assets.cache)
        #expect(
            r.p < Self.alpha,
            """
            test accuracy before → after: pretrained \(r.pretrainedBefore.accuracy) → \(r.pretrainedAfter.accuracy), \
            random \(r.randomBefore.accuracy) → \(r.randomAfter.accuracy); McNemar b = \(r.b), c = \(r.c), z = \(r.z) (seed \(Self.config(.foAdam).seed))
            """)
    }

    @Test func resumingWithoutACheckpointIsAZOError() throws {
        let dir = try scratchDirectory("ft-resume-bad")
        expectZOError("no complete checkpoint") { _ = try FineTuneRunner.resumeSession(from: dir) }
        var s = try TinyFineTune.session(.mezo, steps: 4)
        for _ in 0..<2 { try s.step() }
        try FineTuneCheckpoint.write(s, to: dir)
        expectZOError("below the checkpoint's 2 completed steps") {
            _ = try FineTuneRunner.resumeSession(from: dir, steps: 1)
        }
    }
}

extension BLASThreadTests {
    /// Through the runner, as the CLI does it: a run stopped after 2 of 4 steps (checkpoint at 2) and
    /// resumed from its directory ends with the same bytes of parameters.safetensors and
    /// optimizer.safetensors, and the same losses and evaluations, as the uninterrupted run.
    @Test(.enabled(if: RealFineTune.available, Assets.skipMessage))
    func runnerResumeIsBitIdentical() throws {
        let data = try RealFineTune.data.get()
        for method in [FineTuneMethod.lozoM, .foAdam] {
            var c = FineTuneConfig.defaults(for: method)
            c.layers = 1
            c.steps = 4
            c.evalEvery = 2
            c.evalLimit = 16
            c.checkpointEvery = 2
            var options = FineTuneRunOptions()
            options.cache = Assets.cache
            options.progress = false
            let wholeDir = try scratchDirectory("ft-runner-whole-\(method.rawValue)")
            let splitDir = try scratchDirectory("ft-runner-split-\(method.rawValue)")
            options.checkpointDirectory = wholeDir
            let whole = try FineTuneRunner.run(c, options: options, data: data)
            options.checkpointDirectory = splitDir
            options.stopAfter = 2
            let first = try FineTuneRunner.run(c, options: options, data: data)
            #expect(first.steps.count == 2 && first.checkpoints.count == 1)
            options.stopAfter = nil
            let resumed = try FineTuneRunner.resume(from: splitDir, options: options, data: data)
            #expect(resumed.resumedFromStep == 2)
            #expect(resumed.steps.map(\.loss.bitPattern) == whole.steps.map(\.loss.bitPattern), "\(method)")
            #expect(
                resumed.evaluations.map(\.dev) == whole.evaluations.map(\.dev)
                    && resumed.evaluations.map(\.test) == whole.evaluations.map(\.test))
            for file in ["parameters.safetensors", "optimizer.safetensors"] {
                let a = try Data(contentsOf: wholeDir.appendingPathComponent("step-00000004/\(file)"))
                let b = try Data(contentsOf: splitDir.appendingPathComponent("step-00000004/\(file)"))
                #expect(a == b, "\(method): \(file) differs after resume")
            }
        }
    }
}
