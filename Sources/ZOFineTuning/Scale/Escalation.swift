import Foundation
import ZOCore
import ZOModel
import ZOStats

// The CI-sized escalation on the real model (2 layers, batch 16, the default learning rates): the
// checks `zocheck verify` runs and the test suite asserts (Tests/ZOFineTuningTests/
// FineTuningRunnerTests.swift). Derivations: Proofs/scale.md#ci-escalation.
//
// Why two kinds of loss check: at CI sizes a ZO method moves the held-out loss by less than the
// per-example noise (measured at 40 steps: changes of −0.001…−0.003 against detectable decreases of
// 0.003…0.013 at n = 256, α = 1e-3 — ZO needs thousands of steps on 15M parameters). So ZO methods
// are checked step by step: each step must lower the loss of the minibatch it was measured on
// (first order: Δ ≈ −η c² ≤ 0; a sign, scale or regeneration bug makes it ≥ 0). FO methods move the
// held-out loss within 40 steps and are checked on the whole dev split and against chance on test.

public enum Escalation {
    /// α per check: 5 ZO + 2 held-out + 2 accuracy + 1 comparison; family-wise ≤ 0.01 (Bonferroni).
    public static let alpha = 1e-3
    /// The level of each of the two one-sided tests of a ZO descent check (sign and t): α/2 (Bonferroni), so
    /// a method that does not descend (H₀ of both) passes the check with probability ≤ α.
    public static func descentLevel(_ alpha: Double = alpha) -> Double { Multiplicity.bonferroni(alpha, tests: 2) }

    /// The CI-sized config of a method: 2 layers, 30 ZO or 40 FO steps, the method's defaults.
    public static func config(_ method: FineTuneMethod, initialization: ModelInitialization = .pretrained)
        -> FineTuneConfig
    {
        var c = FineTuneConfig.defaults(for: method)
        c.layers = 2
        c.steps = method.isZerothOrder ? 30 : 40
        c.initialization = initialization
        return c
    }

    /// A ZO method's one-step descent on its own minibatches.
    public struct Descent: Codable, Sendable {
        public var method: FineTuneMethod
        public var seed: UInt64
        public var learningRate: Double
        public var steps: Int
        /// f_{B_t}(θ_t) and f_{B_t}(θ_{t+1}), exact forward passes.
        public var before: [Double]
        public var after: [Double]
        public var descending: Int
        /// P(X ≥ descending), X ~ Binomial(steps, ½).
        public var signP: Double
        public var meanChange: Double
        public var t: Double
        public var tP: Double
        /// Passes when min(signP, tP) < `descentLevel(α)` = α/2 (two one-sided tests, Bonferroni).
        public var passes: Bool
    }

    /// Δ_t = f_{B_t}(θ_{t+1}) − f_{B_t}(θ_t). Two one-sided tests at α/2 each, passing if either
    /// rejects: a sign test (H₀: P(Δ_t < 0) ≤ ½; distribution-free — Δ_t ≈ −η c² is χ²₁-tailed,
    /// which costs the t-test power) and a t-test of E Δ_t ≥ 0 (LOZO-M's step follows its momentum,
    /// so its per-step signs are weaker evidence). At n = 30 the sign test needs ≥ 25 descending steps.
    public static func descent(
        _ method: FineTuneMethod, start: FineTuneStart, data: FineTuneData, alpha: Double = alpha,
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> Descent {
        let c = config(method)
        var s = try FineTuneSession(config: c, data: data, start: start)
        var before: [Double] = []
        var after: [Double] = []
        for t in 0..<c.steps {
            before.append(try s.objective.loss(s.parameters, batch: s.batch(step: t)))
            try s.step()
            after.append(try s.objective.loss(s.parameters, batch: s.batch(step: t)))
            progress(t + 1, c.steps)
        }
        let r = MeanChecks.pairedDecrease(before: before, after: after)
        let descending = zip(after, before).filter { $0 < $1 }.count
        let signP = ProportionChecks.signTest(successes: descending, trials: c.steps)
        return Descent(
            method: method, seed: c.seed, learningRate: c.learningRate, steps: c.steps, before: before, after: after,
            descending: descending, signP: signP, meanChange: r.mean, t: r.t, tP: r.pValue,
            passes: min(signP, r.pValue) < descentLevel(alpha))
    }

    /// An FO method's held-out loss change on the whole dev split and test accuracy against chance.
    public struct HeldOut: Codable, Sendable {
        public var method: FineTuneMethod
        public var seed: UInt64
        public var learningRate: Double
        public var steps: Int
        public var trainLosses: [Double]
        public var devLossBefore: Double
        public var devLossChange: Double
        public var t: Double
        public var p: Double
        public var test: SplitEvaluation
        /// One-sided z of test accuracy against the majority rate, and its p-value.
        public var chanceZ: Double
        public var chanceP: Double
        public var passes: Bool
    }

    public static func heldOut(
        _ method: FineTuneMethod, start: FineTuneStart, data: FineTuneData, alpha: Double = alpha,
        devBefore: ExampleResults? = nil, progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> HeldOut {
        let c = config(method)
        let before =
            try devBefore ?? FineTuneEvaluation.evaluate(start.encoder, start.parameters, on: data.dev, split: .dev).1
        var s = try FineTuneSession(config: c, data: data, start: start)
        var losses: [Double] = []
        for t in 0..<c.steps {
            losses.append(try s.step().loss)
            progress(t + 1, c.steps)
        }
        let after = try FineTuneEvaluation.evaluate(s.encoder, s.parameters, on: data.dev, split: .dev).1
        let r = MeanChecks.pairedDecrease(before: before.losses, after: after.losses)
        let acc = try FineTuneEvaluation.evaluate(s.encoder, s.parameters, on: data.test, split: .test).0
        let chance = ProportionChecks.zTest(
            rate: acc.accuracy, trials: acc.examples, null: acc.majorityRate, alpha: alpha, sides: .one,
            name: "test accuracy > majority rate")
        return HeldOut(
            method: method, seed: c.seed, learningRate: c.learningRate, steps: c.steps, trainLosses: losses,
            devLossBefore: before.losses.reduce(0, +) / Double(max(before.losses.count, 1)), devLossChange: r.mean,
            t: r.t, p: r.pValue, test: acc, chanceZ: chance.statistic, chanceP: chance.pValue,
            passes: r.pValue < alpha && chance.pValue < alpha)
    }

    /// The same short FO-Adam fine-tune from the pretrained encoder and from BERT's random init (same
    /// head): McNemar's one-sided test (continuity-corrected) on the full test split. A loader that
    /// silently left the encoder random fails it.
    public struct PretrainedVersusRandom: Codable, Sendable {
        public var steps: Int
        public var pretrainedBefore: SplitEvaluation
        public var pretrainedAfter: SplitEvaluation
        public var randomBefore: SplitEvaluation
        public var randomAfter: SplitEvaluation
        /// Test examples only the pretrained run gets right (b) and only the random one (c).
        public var b: Int
        public var c: Int
        public var z: Double
        public var p: Double
        public var passes: Bool
    }

    public static func pretrainedVersusRandom(
        data: FineTuneData, cache: AssetCache, alpha: Double = alpha,
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> PretrainedVersusRandom {
        var results: [(before: SplitEvaluation, after: SplitEvaluation, correct: [Bool])] = []
        for (i, initialization) in [ModelInitialization.pretrained, .random].enumerated() {
            let c = config(.foAdam, initialization: initialization)
            let start = try FineTuneStart.make(c, cache: cache)
            let before = try FineTuneEvaluation.evaluate(start.encoder, start.parameters, on: data.test, split: .test).0
            var s = try FineTuneSession(config: c, data: data, start: start)
            for t in 0..<c.steps {
                try s.step()
                progress(i * c.steps + t + 1, 2 * c.steps)
            }
            let (after, examples) = try FineTuneEvaluation.evaluate(
                s.encoder, s.parameters, on: data.test, split: .test)
            results.append((before, after, examples.correct))
        }
        let pre = results[0]
        let rand = results[1]
        let b = zip(pre.correct, rand.correct).filter { $0 && !$1 }.count
        let c = zip(pre.correct, rand.correct).filter { !$0 && $1 }.count
        let mcNemar = ProportionChecks.mcNemar(b: b, c: c, alpha: alpha)
        return PretrainedVersusRandom(
            steps: config(.foAdam).steps, pretrainedBefore: pre.before, pretrainedAfter: pre.after,
            randomBefore: rand.before, randomAfter: rand.after, b: b, c: c, z: mcNemar.statistic,
            p: mcNemar.pValue, passes: mcNemar.pValue < alpha)
    }
}
