import ArgumentParser
import Foundation
import ZOCheck

extension ZOCheckCommand.Bench {
    struct Encoder: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "BERT encoder forward (and backward) time, with a per-kernel breakdown, printed as JSON.",
            discussion: """
                all-MiniLM-L6-v2's shape with BERT-init random weights (no assets needed). At 16 × 64 tokens and 6
                layers a forward pass is ≈ 22 GFLOP, nearly all of it sgemm: the forward should run close to
                OpenBLAS's sgemm rate, with GELU, softmax and LayerNorm a small share ("parts").
                """
        )

        @Option(help: "Sequences per batch.") var batch: Int = 16
        @Option(help: "Tokens per sequence.") var length: Int = 64
        @Option(help: "Encoder layers (0…6).") var layers: Int = 6
        @Option(help: "Timed repetitions (best is reported).") var repetitions: Int = 5
        @Option(help: "OpenBLAS threads (default: OPENBLAS_NUM_THREADS, else OpenBLAS's own choice).") var threads: Int?
        @Flag(help: "Also time the backward pass.") var backward = false
        @Option(help: "Root seed.") var seed: UInt64 = 1

        func validate() throws {
            try Bounds.check(batch, 1...1024, "--batch")
            try Bounds.check(length, 1...512, "--length", fix: "the model has 512 positions")
            try Bounds.check(layers, 0...6, "--layers")
            try Bounds.check(repetitions, 1...1000, "--repetitions")
            try Bounds.check(threads, 1...1024, "--threads")
        }

        func run() throws {
            if let threads { try BLASThreads.set(threads) }
            let result = try EncoderBenchmark.run(
                config: .miniLML6.with(layers: layers), batch: batch, length: length,
                repetitions: repetitions, backward: backward, key: PRNGKey(seed: seed))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        }
    }
}
