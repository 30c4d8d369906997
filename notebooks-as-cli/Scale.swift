import ArgumentParser
import Foundation
import ZOCheck

extension ZOCheckCommand {
    /// Escalation item 7: gradient structure and estimator quality on the real pretrained transformer.
    struct Scale: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Measurements on all-MiniLM-L6-v2 and real sentences: gradient stable ranks, ZO estimator quality.",
            discussion: """
                The problem: the pretrained all-MiniLM-L6-v2 cut to its first --layers layers, a fresh 2-class head
                (BERT initialisation), and one fixed minibatch of --batch VADER movie-review sentences from the train
                split (at most --max-length tokens), drawn from --seed. Assets come from `make assets`.
                Claims: SCALE-GRADIENT-LOW-STABLE-RANK, SCALE-MEZO-MOMENTS, SCALE-LOZO-SECOND-MOMENT,
                SCALE-SUBZERO-SECOND-MOMENT, SCALE-SPARSE-MOMENTS (Proofs/scale.md); `zocheck claims --source scale`
                runs them at CI size (one layer).
                """,
            subcommands: [GradientRank.self, EstimatorQuality.self]
        )
    }
}

/// The problem options shared by the `scale` subcommands.
struct ScaleOptions: ParsableArguments {
    @Option(help: "Encoder layers run (0…6).") var layers: Int = 6
    @Option(help: "Sentences in the fixed minibatch.") var batch: Int = 16
    @Option(help: "Longest token sequence, [CLS] and [SEP] included.") var maxLength: Int = 32
    @Option(help: "Root seed (minibatch, head initialisation, perturbation keys).") var seed: UInt64 = ZODefaults.seed
    @Option(help: "OpenBLAS threads (default: OPENBLAS_NUM_THREADS, else OpenBLAS's choice).") var threads: Int?
    @Option(help: "Write the report as JSON here (atomic write).") var output: String?
    @OptionGroup var assets: AssetOptions

    var setup: ScaleSetup { ScaleSetup(layers: layers, batch: batch, maxLength: maxLength, seed: seed) }

    func validate() throws {
        do { try setup.validate() } catch { throw ValidationError("\(error)") }
        try Bounds.check(threads, 1...1024, "--threads")
        try OutputPath.checkFile(output, "--output")
    }

    /// Sets the thread count and loads the problem.
    func load() throws -> ScaleProblem {
        if let threads { try BLASThreads.set(threads) }
        return try ScaleProblem.load(setup, cache: assets.assetCache)
    }

    static func progress(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
