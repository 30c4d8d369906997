import ArgumentParser
import Foundation
import ZOCheck

extension ZOCheckCommand.Model {
    struct Tokenize: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sentences in (one per line), JSON lines of token ids out, [CLS] … [SEP] included.",
            discussion: """
                The tokenizer reproduces the model's own tokenizer.json (BERT uncased WordPiece) id for
                id; the tests check all 10,605 VADER movie sentences. Each input line gives one output
                line; an empty line gives [101,102]. Sequences longer than --max-length lose word pieces
                from the end, keeping [SEP].
                """
        )

        @Argument(help: "A UTF-8 text file, one sentence per line (default: standard input).")
        var file: String?

        @Option(help: "Longest output, [CLS] and [SEP] included (the model accepts up to 512).")
        var maxLength: Int = WordPieceTokenizer.defaultMaxLength

        @Flag(help: "Print {\"ids\": […], \"tokens\": […]} objects instead of id arrays.")
        var tokens = false

        @OptionGroup var assets: AssetOptions

        func validate() throws {
            try Bounds.check(maxLength, 2...65_536, "--max-length", fix: "[CLS] and [SEP] need 2")
        }

        func run() throws {
            let tokenizer = try WordPieceTokenizer(cache: assets.assetCache)
            let emit = { (line: String) throws in
                print(try tokenizer.jsonLine(line, maxLength: maxLength, includeTokens: tokens))
            }
            try TextInput.forEachLine(file, emit)
        }
    }
}
