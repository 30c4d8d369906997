import CNumerics
import Foundation
import Testing
import ZOCore
import ZOTransformer

/// One-sided paired t-test of H₀: E[ℓ_i(θ_T) − ℓ_i(θ₀)] ≥ 0 over held-out examples i (θ_T was
/// trained without them, so given θ_T the differences are i.i.d. over the split's sampling).
func pairedDecrease(before: [Double], after: [Double]) -> (mean: Double, sd: Double, t: Double, p: Double) {
    let d = zip(after, before).map { $0 - $1 }
    let n = Double(d.count)
    let mean = d.reduce(0, +) / n
    let sd = (d.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
    let t = mean / (sd / n.squareRoot())
    zo_gsl_disable_abort()
    return (mean, sd, t, gsl_cdf_tdist_P(t, n - 1))
}

/// The CI-sized escalation on the real model (2 layers): every method lowers the held-out loss,
/// FO methods beat chance on test, and the pretrained encoder beats a random one. Sizes: 40 ZO
/// steps and 30 FO steps per method at batch 16 (≈ 260 steps, about a minute in release on 2 cores).
@Suite struct FineTuningRunnerTests {
    /// α per assertion; 7 loss assertions + 2 accuracy assertions + 1 comparison: family-wise ≤ 0.01 (Bonferroni).
    static let alpha = 1e-3
    static let heldOut = 256

    static func config(_ method: FineTuneMethod, initialization: ModelInitialization = .pretrained) -> FineTuneConfig {
        var c = FineTuneConfig.defaults(for: method)
        c.layers = 2
        c.steps = method.isZerothOrder ? 40 : 30
        c.initialization = initialization
        return c
    }

    static func train(_ config: FineTuneConfig, start: FineTuneStart, data: FineTuneData) throws -> FineTuneSession {
        var s = try FineTuneSession(config: config, data: data, start: start)
        for _ in 0..<config.steps { try s.step() }
        return s
    }

    /// Design: at n = 256 and α = 1e-3 the test detects a mean decrease ≥ t_{0.999,255}·sd/√n ≈ 0.19·sd
    /// (printed on failure with the seed).
    @Test(.enabled(if: RealFineTune.available, Assets.skipMessage))
    func everyMethodLowersTheHeldOutLossAndFOBeatsChance() throws {
        let data = try RealFineTune.data.get()
        let start = try FineTuneStart.make(Self.config(.mezo), cache: Assets.cache)
        let dev = try data.batch(.dev, limit: Self.heldOut), test = try data.batch(.test, limit: 512)
        let before = try FineTuneEvaluation.evaluate(start.encoder, start.parameters, on: dev, split: .dev).1.losses
        for method in FineTuneMethod.allCases {
            let c = Self.config(method)
            let s = try Self.train(c, start: start, data: data)
            let after = try FineTuneEvaluation.evaluate(s.encoder, s.parameters, on: dev, split: .dev).1.losses
            let r = pairedDecrease(before: before, after: after)
            let detectable = gsl_cdf_tdist_Qinv(Self.alpha, Double(Self.heldOut - 1)) * r.sd / Double(Self.heldOut).squareRoot()
            #expect(r.p < Self.alpha, """
                \(method.rawValue) (seed \(c.seed), lr \(c.learningRate), \(c.steps) steps): held-out loss change \(r.mean), \
                t = \(r.t), p = \(r.p), detectable decrease \(detectable)
                """)
            guard !method.isZerothOrder else { continue }
            let acc = try FineTuneEvaluation.evaluate(s.encoder, s.parameters, on: test, split: .test).0
            // One-sided binomial test against the majority-class rate (normal approximation, n = 512).
            let z = (acc.accuracy - acc.majorityRate) / (acc.majorityRate * (1 - acc.majorityRate) / Double(acc.examples)).squareRoot()
            #expect(gsl_cdf_ugaussian_Q(z) < Self.alpha, "\(method.rawValue) (seed \(c.seed)): test accuracy \(acc.accuracy) vs chance \(acc.majorityRate), z = \(z)")
        }
    }

    /// The same short FO-Adam fine-tune from the pretrained encoder and from BERT's random init
    /// (same head): McNemar's one-sided test on the full test split, α = 1e-3. A loader that
    /// silently left the encoder random would fail it.
    @Test(.enabled(if: RealFineTune.available, Assets.skipMessage))
    func pretrainedEncoderBeatsRandomInitialisation() throws {
        let data = try RealFineTune.data.get()
        var results: [ModelInitialization: (before: SplitEvaluation, after: SplitEvaluation, correct: [Bool])] = [:]
        for initialization in ModelInitialization.allCases {
            let c = Self.config(.foAdam, initialization: initialization)
            let start = try FineTuneStart.make(c, cache: Assets.cache)
            let before = try FineTuneEvaluation.evaluate(start.encoder, start.parameters, on: data.test, split: .test).0
            let s = try Self.train(c, start: start, data: data)
            let (after, examples) = try FineTuneEvaluation.evaluate(s.encoder, s.parameters, on: data.test, split: .test)
            results[initialization] = (before, after, examples.correct)
        }
        let pre = try #require(results[.pretrained]), rand = try #require(results[.random])
        let b = zip(pre.correct, rand.correct).filter { $0 && !$1 }.count, c = zip(pre.correct, rand.correct).filter { !$0 && $1 }.count
        let z = (Double(b - c) - 1) / Double(b + c).squareRoot()
        #expect(gsl_cdf_ugaussian_Q(z) < Self.alpha, """
            test accuracy before → after: pretrained \(pre.before.accuracy) → \(pre.after.accuracy), \
            random \(rand.before.accuracy) → \(rand.after.accuracy); McNemar b = \(b), c = \(c), z = \(z) (seed \(Self.config(.foAdam).seed))
            """)
    }

    @Test func resumingWithoutACheckpointIsAZOError() throws {
        let dir = try scratchDirectory("ft-resume-bad")
        expectZOError("no complete checkpoint") { _ = try FineTuneRunner.resumeSession(from: dir) }
        var s = try TinyFineTune.session(.mezo, steps: 4)
        for _ in 0..<2 { try s.step() }
        try FineTuneCheckpoint.write(s, to: dir)
        expectZOError("below the checkpoint's 2 completed steps") { _ = try FineTuneRunner.resumeSession(from: dir, steps: 1) }
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
            c.layers = 1; c.steps = 4; c.evalEvery = 2; c.evalLimit = 16; c.checkpointEvery = 2
            var options = FineTuneRunOptions()
            options.cache = Assets.cache
            options.progress = false
            let wholeDir = try scratchDirectory("ft-runner-whole-\(method.rawValue)"), splitDir = try scratchDirectory("ft-runner-split-\(method.rawValue)")
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
            #expect(resumed.evaluations.map(\.dev) == whole.evaluations.map(\.dev) && resumed.evaluations.map(\.test) == whole.evaluations.map(\.test))
            for file in ["parameters.safetensors", "optimizer.safetensors"] {
                let a = try Data(contentsOf: wholeDir.appendingPathComponent("step-00000004/\(file)"))
                let b = try Data(contentsOf: splitDir.appendingPathComponent("step-00000004/\(file)"))
                #expect(a == b, "\(method): \(file) differs after resume")
            }
        }
    }
}
