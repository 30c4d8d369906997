import Foundation
import Testing
import ZOCheck
import ZONotebooks
import ZOReports

/// Shared by the transformer notebooks' tests: the asset gate, a tiny run into a temporary directory,
/// and reading back what it wrote.
enum TransformerNotebook {
    /// The asset cache the tests use ($ZOCHECK_CACHE, else the repository's .cache/assets).
    static let cache = AssetCache.standard
    static var available: Bool { cache.hasRequiredAssets }
    static let skipMessage: Comment =
        "assets missing: run `make assets` or set ZOCHECK_CACHE (transformer notebook test skipped)"

    typealias Run = NotebookRun

    /// Runs notebook `N` at tiny size with `seed` into a fresh temporary directory (removed by the caller via `root`).
    static func run<N: Notebook>(_ notebook: N.Type, seed: UInt64) throws -> NotebookRun {
        try NotebookRun(N.self, seed: seed, cache: cache)
    }

    /// The context the notebook ran with (for recomputing its numbers through the library).
    static func context(seed: UInt64) -> NotebookContext {
        NotebookContext(seed: seed, size: .tiny, threads: 2, cache: cache)
    }

    /// Column `name` of a dataset document.
    static func column(_ d: Dataset, _ name: String) -> [Cell] { NotebookRun.cells(d, name) }

    static func close(_ a: Double, _ b: Double, relative: Double) -> Bool {
        abs(a - b) <= relative * max(abs(a), abs(b), 1e-300)
    }
}
