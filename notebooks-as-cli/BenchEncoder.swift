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
            guard batch > 0, length > 0, length <= 512 else {
                throw ValidationError("--batch ≥ 1 and 1 ≤ --length ≤ 512")
            }
            guard (0...6).contains(layers) else { throw ValidationError("--layers must be 0…6") }
            guard repetitions > 0 else { throw ValidationError("--repetitions must be ≥ 1") }
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
