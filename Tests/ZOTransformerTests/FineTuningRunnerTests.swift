import CNumerics
import Foundation
import Testing
import ZOCore
import ZOTransformer

/// One-sided paired t-test of H₀: E[after_i − before_i] ≥ 0: over held-out examples i (θ_T was
/// trained without them, so given θ_T the differences are i.i.d. over the split's sampling), or
/// over steps t (independent minibatch and perturbation keys).
func pairedDecrease(before: [Double], after: [Double]) -> (mean: Double, sd: Double, t: Double, p: Double) {
    let d = zip(after, before).map { $0 - $1 }
    let n = Double(d.count)
    let mean = d.reduce(0, +) / n
    let sd = (d.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
    let t = mean / (sd / n.squareRoot())
    zo_gsl_disable_abort()
    return (mean, sd, t, gsl_cdf_tdist_P(t, n - 1))
}

/// The CI-sized escalation on the real model (2 layers, batch 16, the default learning rates).
///
/// Why two kinds of loss assertion: at CI sizes a ZO method moves the held-out loss by less than the
/// per-example noise (measured at 40 steps: changes of −0.001…−0.003 against detectable decreases of
/// 0.003…0.013 at n = 256, α = 1e-3 — ZO needs thousands of steps on 15M parameters). So ZO methods
/// are checked step by step: each step must lower the loss of the minibatch it was measured on
/// (first order: Δ ≈ −η c² ≤ 0; a sign, scale or regeneration bug makes it ≥ 0), paired over 30
/// steps. FO methods move the held-out loss within 40 steps and are checked on the whole dev split.
@Suite struct FineTuningRunnerTests {
    /// α per assertion: 5 ZO + 2 held-out + 2 accuracy + 1 comparison; family-wise ≤ 0.01 (Bonferroni).
    static let alpha = 1e-3

    static func config(_ method: FineTuneMethod, initialization: ModelInitialization = .pretrained) -> FineTuneConfig {
        var c = FineTuneConfig.defaults(for: method)
        c.layers = 2
        c.steps = method.isZerothOrder ? 30 : 40
        c.initialization = initialization
        return c
    }

    static func train(_ config: FineTuneConfig, start: FineTuneStart, data: FineTuneData) throws -> FineTuneSession {
        var s = try FineTuneSession(config: config, data: data, start: start)
        for _ in 0..<config.steps { try s.step() }
        return s
    }

    /// Δ_t = f_{B_t}(θ_{t+1}) − f_{B_t}(θ_t), exact forward passes at both ends (not (f₊ + f₋)/2,
    /// which is off by (ε²/2)·zᵀHz, the size of the effect). Two one-sided tests at α/2 each
    /// (Bonferroni), passing if either rejects: a sign test (H₀: P(Δ_t < 0) ≤ ½; distribution-free —
    /// Δ_t ≈ −η c² is χ²₁-tailed, which costs the t-test power: measured 30/30 descending steps with
    /// t = −1.7 for MeZO) and a t-test of E Δ_t ≥ 0 (LOZO-M's step follows its momentum, not this
    /// step's c·Z, so its per-step signs are weaker evidence: 24/30 with t = −4.4). At n = 30 the sign
    /// test needs ≥ 25 descending steps.
    @Test(.enabled(if: RealFineTune.available, Assets.skipMessage))
    func everyZOMethodDescendsOnItsMinibatches() throws {
        let data = try RealFineTune.data.get()
        let start = try FineTuneStart.make(Self.config(.mezo), cache: Assets.cache)
        for method in FineTuneMethod.allCases where method.isZerothOrder {
            let c = Self.config(method)
            var s = try FineTuneSession(config: c, data: data, start: start)
            var before: [Double] = [], after: [Double] = []
            for t in 0..<c.steps {
                before.append(try s.objective.loss(s.parameters, batch: s.batch(step: t)))
                try s.step()
                after.append(try s.objective.loss(s.parameters, batch: s.batch(step: t)))
            }
            let r = pairedDecrease(before: before, after: after)
            let descending = zip(after, before).filter { $0 < $1 }.count
            // P(X ≥ k) for X ~ Binomial(n, ½): the sign test's p-value.
            let signP = descending == 0 ? 1 : gsl_cdf_binomial_Q(UInt32(descending - 1), 0.5, UInt32(c.steps))
            #expect(min(signP, r.p) < Self.alpha / 2, """
                \(method.rawValue) (seed \(c.seed), lr \(c.learningRate), \(c.steps) steps): \(descending) descending steps \
                (sign test p = \(signP)), mean one-step change \(r.mean), t = \(r.t), p = \(r.p)
                """)
        }
    }

    /// Held-out: the whole dev split (1,095 examples; α = 1e-3 detects a mean decrease ≥ 3.1·sd/√n).
    /// Chance: one-sided binomial test of test accuracy against the majority-class rate (normal approximation).
    @Test(.enabled(if: RealFineTune.available, Assets.skipMessage))
    func firstOrderMethodsLowerTheHeldOutLossAndBeatChance() throws {
        let data = try RealFineTune.data.get()
        let start = try FineTuneStart.make(Self.config(.foAdam), cache: Assets.cache)
        let before = try FineTuneEvaluation.evaluate(start.encoder, start.parameters, on: data.dev, split: .dev).1.losses
        for method in FineTuneMethod.allCases where !method.isZerothOrder {
            let c = Self.config(method)
            let s = try Self.train(c, start: start, data: data)
            let after = try FineTuneEvaluation.evaluate(s.encoder, s.parameters, on: data.dev, split: .dev).1.losses
            let r = pairedDecrease(before: before, after: after)
            #expect(r.p < Self.alpha, "\(method.rawValue) (seed \(c.seed), lr \(c.learningRate), \(c.steps) steps): dev loss change \(r.mean), t = \(r.t), p = \(r.p)")
            let acc = try FineTuneEvaluation.evaluate(s.encoder, s.parameters, on: data.test, split: .test).0
            let z = (acc.accuracy - acc.majorityRate) / (acc.majorityRate * (1 - acc.majorityRate) / Double(acc.examples)).squareRoot()
            #expect(gsl_cdf_ugaussian_Q(z) < Self.alpha, "\(method.rawValue) (seed \(c.seed)): test accuracy \(acc.accuracy) vs chance \(acc.majorityRate), z = \(z)")
        }
    }

    /// The same short FO-Adam fine-tune (40 steps) from the pretrained encoder and from BERT's random
    /// init (same head): McNemar's one-sided test on the full test split, α = 1e-3. A loader that
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
