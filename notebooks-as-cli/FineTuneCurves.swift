import ArgumentParser
import Foundation
import ZOCheck

extension ZOCheckCommand.FineTune {
    struct Curves: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Loss versus forward passes for methods × seeds, mean and 95 % t-band: loss_curves.{json,csv}.",
            discussion: """
                Every method runs --budget forward-pass equivalents (ZO 2 per step, FO 3: forward + backward) \
                from the same start for each seed. Every --spacing passes (a multiple of 6, so every method is at \
                a step boundary) the dev loss on the first --dev-limit dev examples is evaluated and the training \
                loss is averaged over the steps since the previous grid point. Across seeds: mean, sd and \
                mean ± t(0.975, n−1)·sd/√n. Schema: LossCurves in Sources/ZOFineTuning/Training/FineTuningCurves.swift. \
                Defaults are CI-sized: 2 layers, 3 seeds, 240 passes.
                """
        )

        @Option(help: "Methods, comma-separated (default: all seven).") var methods: String?
        @Option(help: "Number of seeds n (seeds are --seed, --seed+1, …).") var seeds: Int = 3
        @Option(help: "Forward-pass equivalents per run.") var budget: Int = 240
        @Option(help: "Grid spacing Δ in forward-pass equivalents (a multiple of 6).") var spacing: Int = 24
        @Option(help: "Dev examples evaluated at each grid point.") var devLimit: Int = 256
        @Option(help: "Output directory for loss_curves.json and loss_curves.csv.") var outputDir: String =
            "reports/loss-curves"
        @OptionGroup var options: FineTuneOptions
        @OptionGroup var assets: AssetOptions

        var methodList: [FineTuneMethod] {
            get throws {
                guard let methods else { return FineTuneMethod.allCases }
                return try methods.split(separator: ",").map { name in
                    guard let m = FineTuneMethod(rawValue: String(name)) else {
                        throw ValidationError("unknown method '\(name)' in --methods")
                    }
                    return m
                }
            }
        }

        func spec() throws -> LossCurves.Spec {
            var base = options.config(.mezo)
            if options.layers == nil { base.layers = 2 }
            let first = base.seed
            var rates: [String: Double] = [:]
            if let lr = options.learningRate { for m in try methodList { rates[m.rawValue] = lr } }
            return LossCurves.Spec(
                methods: try methodList, seeds: (0..<UInt64(max(seeds, 0))).map { first &+ $0 }, budget: budget,
                spacing: spacing, devLimit: devLimit, base: base, learningRates: rates)
        }

        func validate() throws {
            guard options.steps == nil, options.evalEvery == nil else {
                throw ValidationError("steps and evaluations follow from --budget and --spacing")
            }
            try Bounds.check(seeds, 2...1000, "--seeds", fix: "a band needs ≥ 2 seeds")
            try Bounds.check(budget, 6...(2 * FineTuneConfig.maxSteps), "--budget")
            try Bounds.check(spacing, 6...budget, "--spacing", fix: "a multiple of 6 dividing --budget")
            try Bounds.check(devLimit, 1...10_000_000, "--dev-limit")
            try OutputPath.checkDirectory(outputDir, "--output-dir")
            do {
                try spec().validate()
                try spec().base.validate()
            } catch let e as ZOError { throw ValidationError(e.description) }
        }

        func run() throws {
            let spec = try spec()
            let data = try FineTuneData.load(cache: assets.assetCache, maxLength: spec.base.maxLength)
            let result = try LossCurves.run(spec, data: data, cache: assets.assetCache) { line in
                FileHandle.standardError.write(Data("curves: \(line)\n".utf8))
            }
            let urls = try LossCurves.write(result, to: URL(fileURLWithPath: outputDir, isDirectory: true))
            let rows = result.points.filter { $0.forwardPasses == spec.budget }.map { p in
                [
                    p.method.rawValue, p.metric, "\(p.forwardPasses)", TextTable.fmt(p.mean, 4),
                    "[\(TextTable.fmt(p.lower95, 4)), \(TextTable.fmt(p.upper95, 4))]",
                ]
            }
            print("# \(CommandLine.arguments.joined(separator: " "))\n")
            print(TextTable.render(header: ["method", "metric", "passes", "mean", "95% t-band"], rows: rows))
            print("\nwrote \(urls.json.path) and \(urls.csv.path)")
        }
    }
}
