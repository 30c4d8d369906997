import ArgumentParser
import Foundation
import ZOCheck

extension ZOCheckCommand.Model {
    struct Embed: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sentences in (one per line), a JSON array of mean-pooled embeddings out (384 numbers each).",
            discussion: """
                Each sentence is tokenized (BERT uncased WordPiece, [CLS] … [SEP], at most --max-length
                tokens), run through the first --layers layers of all-MiniLM-L6-v2, and mean-pooled over its
                real tokens: sentence-transformers' embedding before its final normalisation (add
                --normalize for that). The 6-layer output matches Hugging Face's BertModel to 1e-4 (tests:
                EncoderCheckpointTests). Results are deterministic for a fixed thread count; OpenBLAS reads
                OPENBLAS_NUM_THREADS, and --threads overrides it.
                """
        )

        @Argument(help: "A UTF-8 text file, one sentence per line (default: standard input).")
        var file: String?

        @Option(help: "Encoder layers to run (0 = the embedding layer only, 6 = the whole model).")
        var layers: Int = 6

        @Option(help: "Longest token sequence, [CLS] and [SEP] included (sentence-transformers uses 256).")
        var maxLength: Int = 256

        @Option(help: "Sentences per forward pass.")
        var batchSize: Int = 32

        @Option(help: "OpenBLAS threads (default: OPENBLAS_NUM_THREADS, else OpenBLAS's choice).")
        var threads: Int?

        @Flag(help: "L2-normalise each embedding (sentence-transformers' final step).")
        var normalize = false

        @OptionGroup var assets: AssetOptions

        func validate() throws {
            try Bounds.check(layers, 0...6, "--layers")
            try Bounds.check(
                maxLength, 2...512, "--max-length", fix: "[CLS] and [SEP] need 2; the model has 512 positions")
            try Bounds.check(batchSize, 1...1024, "--batch-size")
            try Bounds.check(threads, 1...1024, "--threads")
        }

        func run() throws {
            if let threads { try BLASThreads.set(threads) }
            let embedder = try SentenceEmbedder(
                cache: assets.assetCache, layers: layers, maxLength: maxLength, batchSize: batchSize)
            var sentences: [String] = []
            try TextInput.forEachLine(file, maxLines: 1_000_000) { sentences.append($0) }
            let vectors = try embedder.embed(sentences, normalize: normalize)
            if let k = vectors.firstIndex(where: { !$0.allSatisfy(\.isFinite) }) {
                throw ZOError(
                    "the embedding of line \(k + 1) has non-finite values", at: "zocheck model embed",
                    fix: "the model weights are damaged: delete the cache's .verified directory and run `make assets`")
            }
            print(String(decoding: try JSONEncoder().encode(vectors), as: UTF8.self))
        }
    }
}
