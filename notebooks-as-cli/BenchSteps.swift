import ArgumentParser
import Foundation
import ZOCheck

extension ZOCheckCommand.Bench {
    struct Steps: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time per step of every method, the forward pass beside sgemm, Gaussian fill, peak RSS; JSON.",
            discussion: """
                The real all-MiniLM-L6-v2 weights (assets) with a 2-way head, on a fixed synthetic batch (every token \
                valid; scripts/peer_torch.py builds the same one). Each workload: one warm-up, then --repetitions timed \
                runs (median and min). With --rss every mode (inference and each method) runs in its own child process \
                (`--rss-mode M`), VmHWM reset after loading: peak RSS of the mode. \
                `python3 scripts/bench_compare.py` runs this and the PyTorch peer side by side and prints the ratios.
                """
        )

        @Option(help: "Encoder layers (1…6).") var layers: Int = 6
        @Option(help: "Sequences per batch.") var batch: Int = 16
        @Option(help: "Tokens per sequence.") var length: Int = 64
        @Option(help: "OpenBLAS threads.") var threads: Int = 2
        @Option(help: "Timed repetitions per workload.") var repetitions: Int = 5
        @Option(help: "Methods to time, comma-separated (default: mezo,lozo,lozo-m,subzero,sparse-mezo,fo-sgd).")
        var methods: String?
        @Flag(help: "Also measure peak RSS of every mode, one child process each.") var rss = false
        @Option(help: "Measure only this mode's peak RSS, in this process, and print one JSON line.") var rssMode:
            MemoryMode?
        @Option(help: "Steps (forward passes for inference) per RSS measurement.") var rssSteps: Int = 2
        @OptionGroup var assets: AssetOptions

        var config: FineTuneConfig {
            var c = FineTuneConfig.defaults(for: .mezo)
            c.layers = layers
            c.batchSize = batch
            c.maxLength = length
            c.threads = threads
            return c
        }

        var chosen: [FineTuneMethod]? {
            guard let methods else { return StepBenchmark.methods }
            let list = methods.split(separator: ",").map { FineTuneMethod(rawValue: String($0)) }
            return list.contains(nil) || list.isEmpty ? nil : list.compactMap { $0 }
        }

        func validate() throws {
            // Bounds under this command's own option names (the config's messages name `finetune`'s).
            try Bounds.check(layers, 1...6, "--layers")
            try Bounds.check(batch, 1...1024, "--batch")
            try Bounds.check(length, 2...512, "--length", fix: "[CLS] and [SEP] need 2; the model has 512 positions")
            try Bounds.check(threads, 1...1024, "--threads")
            try Bounds.check(repetitions, 1...1000, "--repetitions")
            try Bounds.check(rssSteps, 1...1000, "--rss-steps")
            do { try config.validate() } catch { throw ValidationError(error.description) }
            guard chosen != nil else {
                throw ValidationError(
                    "--methods: a comma-separated list of mezo, lozo, lozo-m, subzero, sparse-mezo, fo-sgd, fo-adam")
            }
            if rssMode == .foAdam {
                throw ValidationError("--rss-mode fo-adam is not benchmarked; use zocheck finetune memory")
            }
        }

        func run() throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            if let rssMode {
                let peak = try StepBenchmark.peakRSS(rssMode, config: config, steps: rssSteps, cache: assets.assetCache)
                print("{\"mode\": \"\(rssMode.rawValue)\", \"peakBytes\": \(peak)}")
                return
            }
            var result = try StepBenchmark.run(
                config, repetitions: repetitions, methods: chosen ?? StepBenchmark.methods,
                cache: assets.assetCache)
            if rss {
                var peaks: [String: Int] = [:]
                let modes: [MemoryMode] =
                    [.inference] + StepBenchmark.methods.compactMap { MemoryMode(rawValue: $0.rawValue) }
                for mode in modes {
                    var args = [
                        "bench", "steps", "--rss-mode", mode.rawValue, "--layers", "\(layers)", "--batch", "\(batch)",
                        "--length", "\(length)", "--threads", "\(threads)", "--rss-steps", "\(rssSteps)",
                    ]
                    if let cache = assets.cache { args += ["--cache", cache] }
                    let text = try FineTuneMemory.runChild(FineTuneMemory.currentExecutable, args)
                    guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
                        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                        let peak = object["peakBytes"] as? Int
                    else {
                        throw ValidationError(
                            "the child `zocheck \(args.joined(separator: " "))` printed no measurement; run it by hand")
                    }
                    peaks[mode.rawValue] = peak
                }
                result.peakRSSBytes = peaks
            }
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        }
    }
}
