import ArgumentParser
import Foundation
import ZOCheck

extension ZOCheckCommand {
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Micro-benchmarks, printed as JSON.",
            subcommands: [Gaussian.self, Encoder.self, Steps.self]
        )
    }
}

extension ZOCheckCommand.Bench {
    struct Gaussian: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Gaussian fill throughput (samples per second, one thread, best of N).",
            discussion:
                """
                Target on this machine kind: ≥ 400 M samples/s per core in Float (MeZO regenerates d Gaussians \
                3-4× per step).
                """
        )

        @Option(help: "Elements per fill.") var count: Int = 1 << 22
        @Option(help: "Timed repetitions.") var repetitions: Int = 20
        @Option(help: "Root seed.") var seed: UInt64 = 1

        func validate() throws {
            try Bounds.check(count, 1...(1 << 28), "--count", fix: "2²⁸ Doubles are 2 GiB; pass a smaller --count")
            try Bounds.check(repetitions, 1...10_000, "--repetitions")
        }

        func run() throws {
            let key = PRNGKey(seed: seed)
            let results = [
                try Benchmarks.gaussianFill(Float.self, count: count, repetitions: repetitions, key: key),
                try Benchmarks.gaussianFill(Double.self, count: count, repetitions: repetitions, key: key),
            ]
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(results), as: UTF8.self))
        }
    }
}
