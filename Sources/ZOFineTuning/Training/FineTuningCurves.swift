import Foundation
import ZOCore
import ZOModel
import ZOStats

// Loss versus forward passes for methods × seeds, with 95 % t-bands across seeds.
//
// Cost axis: forward-pass equivalents (ZO: 2 per step; FO: forward + backward = 3 per step,
// `FineTuneMethod.forwardEquivalentsPerStep`). Grid: g_k = k·Δ for k = 0…budget/Δ, with Δ a
// multiple of 6 so that every method has a step boundary exactly at every grid point (ZO every
// Δ/2 steps, FO every Δ/3). At g_k, per run:
//   dev_loss    mean cross-entropy on the dev examples (the first `devLimit`) at θ after g_k passes;
//   train_loss  mean of the minibatch losses of the steps in (g_{k−1}, g_k] (k ≥ 1): a windowed
//               training loss (ZO: (f₊ + f₋)/2 of each step).
//   dev_accuracy accuracy on the same dev examples at the same θ (from the same evaluation: free).
// Across the n seeds: mean, sample sd, and the t-interval mean ± t_{0.975, n−1}·sd/√n.
//
// Schema (JSON, `LossCurves.Result`): format "zocheck-loss-curves/1", spec {methods, seeds, budget,
// spacing, devLimit, base config}, points [{method, metric, forwardPasses, n, mean, sd, lower95,
// upper95, values (per seed, in seed order)}], runs [{method, seed, steps, seconds, learningRate}].
// CSV: the header `method,metric,forward_passes,n,mean,sd,lower95,upper95` and one row per point.

public enum LossCurves {
    public struct Spec: Codable, Sendable, Equatable {
        public var methods: [FineTuneMethod]
        public var seeds: [UInt64]
        /// Forward-pass equivalents per run (a multiple of `spacing`).
        public var budget: Int
        /// Δ, a multiple of 6.
        public var spacing: Int
        /// Dev examples evaluated at each grid point.
        public var devLimit: Int
        /// Sizes and hyper-parameters shared by every run; method, seed, learning rate (the method's
        /// default unless `learningRates` has one), steps and evalLimit are set per run.
        public var base: FineTuneConfig
        public var learningRates: [String: Double]

        public init(
            methods: [FineTuneMethod], seeds: [UInt64], budget: Int, spacing: Int, devLimit: Int,
            base: FineTuneConfig, learningRates: [String: Double] = [:]
        ) {
            self.methods = methods
            self.seeds = seeds
            self.budget = budget
            self.spacing = spacing
            self.devLimit = devLimit
            self.base = base
            self.learningRates = learningRates
        }

        public func validate() throws(ZOError) {
            let at = "LossCurves.Spec"
            guard !methods.isEmpty, seeds.count >= 2 else {
                throw ZOError(
                    "need ≥ 1 method and ≥ 2 seeds (got \(methods.count), \(seeds.count))", at: at,
                    fix: "pass --seeds 3 or more for a band")
            }
            guard spacing >= 6, spacing % 6 == 0, budget >= spacing, budget % spacing == 0 else {
                throw ZOError(
                    "spacing \(spacing) must be a positive multiple of 6 dividing the budget \(budget)", at: at,
                    fix: "e.g. --budget 240 --spacing 24")
            }
            try Check.positive(devLimit, "devLimit", at: at)
        }

        /// The config of one run.
        public func config(_ method: FineTuneMethod, seed: UInt64) -> FineTuneConfig {
            var c = base
            c.method = method
            c.seed = seed
            c.learningRate = learningRates[method.rawValue] ?? FineTuneConfig.defaultLearningRate(method)
            c.steps = budget / method.forwardEquivalentsPerStep
            c.evalEvery = 0
            c.checkpointEvery = 0
            c.evalLimit = devLimit
            return c
        }
    }

    public struct Point: Codable, Sendable, Equatable {
        public var method: FineTuneMethod
        public var metric: String
        public var forwardPasses: Int
        public var n: Int
        public var mean: Double
        public var sd: Double
        public var lower95: Double
        public var upper95: Double
        public var values: [Double]
    }

    public struct RunInfo: Codable, Sendable, Equatable {
        public var method: FineTuneMethod
        public var seed: UInt64
        public var steps: Int
        public var learningRate: Double
        public var seconds: Double
    }

    public struct Result: Codable, Sendable {
        public var format = "zocheck-loss-curves/1"
        public var spec: Spec
        public var points: [Point]
        public var runs: [RunInfo]

        public init(spec: Spec, points: [Point], runs: [RunInfo]) {
            self.spec = spec
            self.points = points
            self.runs = runs
        }
    }

    /// Runs every method × seed from the same start (the pretrained or random model of each seed)
    /// and aggregates. `progress` receives "method seed i/n" before each run.
    public static func run(
        _ spec: Spec, data: FineTuneData, cache: AssetCache = .standard,
        progress: (String) -> Void = { _ in }
    ) throws -> Result {
        try spec.validate()
        try BLASThreads.set(spec.base.threads)
        let grid = Array(stride(from: 0, through: spec.budget, by: spec.spacing))
        var points: [Point] = []
        var runs: [RunInfo] = []
        for method in spec.methods {
            var train: [[Double]] = []
            var dev: [[Double]] = []
            var accuracy: [[Double]] = []
            for (i, seed) in spec.seeds.enumerated() {
                progress("\(method.rawValue) seed \(seed) (\(i + 1)/\(spec.seeds.count))")
                let config = spec.config(method, seed: seed)
                let began = DispatchTime.now().uptimeNanoseconds
                let (t, d, a) = try curve(config, data: data, cache: cache, grid: grid)
                train.append(t)
                dev.append(d)
                accuracy.append(a)
                runs.append(
                    RunInfo(
                        method: method, seed: seed, steps: config.steps, learningRate: config.learningRate,
                        seconds: Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9))
            }
            points += aggregate(method, metric: "dev_loss", grid: grid, valuesPerSeed: dev)
            points += aggregate(method, metric: "train_loss", grid: Array(grid.dropFirst()), valuesPerSeed: train)
            points += aggregate(method, metric: "dev_accuracy", grid: grid, valuesPerSeed: accuracy)
        }
        return Result(spec: spec, points: points, runs: runs)
    }

    /// One run's windowed training loss at grid[1...], dev loss and dev accuracy at every grid point.
    static func curve(_ config: FineTuneConfig, data: FineTuneData, cache: AssetCache, grid: [Int])
        throws -> (train: [Double], dev: [Double], accuracy: [Double])
    {
        var session = try FineTuneSession(
            config: config, data: data, start: try FineTuneStart.make(config, cache: cache))
        let perStep = config.method.forwardEquivalentsPerStep
        let first = try session.evaluate(.dev).0
        var dev = [first.loss]
        var accuracy = [first.accuracy]
        var train: [Double] = []
        for g in grid.dropFirst() {
            var window: [Double] = []
            while session.completedSteps * perStep < g { window.append(try session.step().loss) }
            train.append(window.reduce(0, +) / Double(max(window.count, 1)))
            let e = try session.evaluate(.dev).0
            dev.append(e.loss)
            accuracy.append(e.accuracy)
        }
        return (train, dev, accuracy)
    }

    /// Mean and t-band across seeds at each grid point; `valuesPerSeed[s][k]` is seed s at grid[k].
    public static func aggregate(_ method: FineTuneMethod, metric: String, grid: [Int], valuesPerSeed: [[Double]])
        -> [Point]
    {
        grid.indices.map { k in
            let v = valuesPerSeed.map { $0[k] }
            let (mean, sd, half) = ConfidenceInterval.t(v)
            return Point(
                method: method, metric: metric, forwardPasses: grid[k], n: v.count, mean: mean, sd: sd,
                lower95: mean - half, upper95: mean + half, values: v)
        }
    }

    public static func csv(_ result: Result) -> String {
        var lines = ["method,metric,forward_passes,n,mean,sd,lower95,upper95"]
        for p in result.points {
            lines.append(
                [
                    p.method.rawValue, p.metric, "\(p.forwardPasses)", "\(p.n)", "\(p.mean)", "\(p.sd)", "\(p.lower95)",
                    "\(p.upper95)",
                ]
                .joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `<directory>/loss_curves.json` and `loss_curves.csv` atomically; returns both URLs.
    @discardableResult
    public static func write(_ result: Result, to directory: URL) throws(ZOError) -> (json: URL, csv: URL) {
        let json = directory.appendingPathComponent("loss_curves.json")
        let csvURL = directory.appendingPathComponent("loss_curves.csv")
        try RunFiles.writeJSON(result, to: json)
        do { try Data(csv(result).utf8).write(to: csvURL, options: .atomic) } catch {
            throw ZOError(
                "cannot write \(csvURL.path)", at: "LossCurves.write", fix: "pass a writable output directory")
        }
        return (json, csvURL)
    }
}
