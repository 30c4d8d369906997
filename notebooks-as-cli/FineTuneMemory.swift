import ArgumentParser
import Foundation
import ZOCheck

extension ZOCheckCommand.FineTune {
    struct Memory: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Peak resident memory (VmHWM) of inference and of each method, each in its own process.",
            discussion: """
                Without --mode, runs `zocheck finetune memory --mode M` as a child process for every mode \
                (inference, mezo, lozo, lozo-m, subzero, sparse-mezo, fo-sgd, fo-adam) and prints them side by side. \
                In each child: load the model and the data, record VmRSS, reset VmHWM to it (/proc/self/clear_refs), \
                build the method's state and run --steps steps (inference: --steps minibatch forward passes); \
                'peak' is VmHWM then, 'added' = peak − RSS after load. Optimizer state is Double in ZOCore \
                (SGD velocity, Adam moments: 8 bytes per parameter each).
                """
        )

        @Option(help: "Measure only this mode, in this process, and print one JSON line.") var mode: MemoryMode?
        @Option(name: .customLong("measure-steps"), help: "Steps (or forward passes) per mode.") var measureSteps: Int =
            2
        @Option(help: "Write all measurements as JSON here (atomic write).") var output: String?
        @OptionGroup var options: FineTuneOptions
        @OptionGroup var assets: AssetOptions

        func validate() throws {
            try Bounds.check(measureSteps, 1...1000, "--measure-steps")
            try options.validate(.mezo)
            try OutputPath.checkFile(output, "--output")
        }

        func run() throws {
            let config = options.config(.mezo)
            if let mode {
                let m = try FineTuneMemory.measure(mode, config: config, steps: measureSteps, cache: assets.assetCache)
                if let output { try RunFiles.writeJSON([m], to: URL(fileURLWithPath: output)) }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(m), as: UTF8.self))
                return
            }
            let forwarded = Array(CommandLine.arguments.dropFirst().filter { $0 != "memory" && $0 != "finetune" })
            let results = try FineTuneMemory.measureInChildProcesses(
                MemoryMode.allCases,
                arguments: { mode in
                    ["finetune", "memory", "--mode", mode.rawValue] + Self.withoutOutput(forwarded)
                }, progress: { FileHandle.standardError.write(Data("memory: \($0.rawValue)…\n".utf8)) })
            if let output { try RunFiles.writeJSON(results, to: URL(fileURLWithPath: output)) }
            print("# \(CommandLine.arguments.joined(separator: " "))")
            print(
                """
                # K = \(config.layers) layers, batch \(config.batchSize), max length \(config.maxLength), \
                \(measureSteps) steps per mode\n
                """
            )
            let mib = { (b: Int) in TextTable.fmt(Double(b) / 1_048_576, 1) }
            print(
                TextTable.render(
                    header: ["mode", "RSS after load (MiB)", "peak (MiB)", "added (MiB)", "load peak (MiB)", "reset"],
                    rows: results.map {
                        [
                            $0.mode.rawValue, mib($0.residentAfterLoadBytes), mib($0.peakBytes),
                            mib($0.peakIncrementBytes), mib($0.loadPeakBytes), $0.peakWasReset ? "yes" : "no",
                        ]
                    }))
        }

        /// The parent's arguments without --output FILE (children print, they do not write).
        static func withoutOutput(_ args: [String]) -> [String] {
            var out: [String] = []
            var skip = false
            for a in args {
                if skip {
                    skip = false
                    continue
                }
                if a == "--output" {
                    skip = true
                    continue
                }
                if a.hasPrefix("--output=") { continue }
                out.append(a)
            }
            return out
        }
    }
}
