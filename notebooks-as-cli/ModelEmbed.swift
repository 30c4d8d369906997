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
            guard (0...6).contains(layers) else { throw ValidationError("--layers must be 0…6") }
            guard (2...512).contains(maxLength) else { throw ValidationError("--max-length must be 2…512") }
            guard batchSize >= 1 else { throw ValidationError("--batch-size must be ≥ 1") }
            if let threads, threads < 1 { throw ValidationError("--threads must be ≥ 1") }
        }

        func run() throws {
            if let threads { try BLASThreads.set(threads) }
            let sentences: [String]
            if let file {
                sentences = try TextLines.split(Data(contentsOf: URL(fileURLWithPath: file)), source: file)
            } else {
                var lines: [String] = []
                while let line = readLine(strippingNewline: true) { lines.append(line) }
                sentences = lines
            }
            let embedder = try SentenceEmbedder(
                cache: assets.assetCache, layers: layers, maxLength: maxLength, batchSize: batchSize)
            let vectors = try embedder.embed(sentences, normalize: normalize)
            print(String(decoding: try JSONEncoder().encode(vectors), as: UTF8.self))
        }
    }
}
