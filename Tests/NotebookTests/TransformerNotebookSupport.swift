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
    static let skipMessage: Comment = "assets missing: run `make assets` or set ZOCHECK_CACHE (transformer notebook test skipped)"

    struct Run {
        let report: Report
        let directory: URL
        let root: URL

        func dataset(_ name: String) throws -> ReportWriter.DatasetDocument {
            try JSONDecoder().decode(ReportWriter.DatasetDocument.self, from: Data(contentsOf: directory.appendingPathComponent("data/\(name).json")))
        }

        func document() throws -> ReportWriter.Document {
            try JSONDecoder().decode(ReportWriter.Document.self, from: Data(contentsOf: directory.appendingPathComponent("report.json")))
        }

        func exists(_ file: String) -> Bool { FileManager.default.fileExists(atPath: directory.appendingPathComponent(file).path) }
    }

    /// Runs notebook `N` at tiny size with `seed` into a fresh temporary directory (removed by the caller via `root`).
    static func run<N: Notebook>(_ notebook: N.Type, seed: UInt64) throws -> Run {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("zocheck-nb-\(N.name)-\(UUID().uuidString)", isDirectory: true)
        let options = try NotebookOptions.parse(["--size", "tiny", "--output-dir", root.path, "--quiet", "--seed", "\(seed)",
                                                 "--cache", cache.directory.path])
        let (report, written) = try options.execute(N.self, commandLine: ["test"])
        return Run(report: report, directory: written.directory, root: root)
    }

    /// The context the notebook ran with (for recomputing its numbers through the library).
    static func context(seed: UInt64) -> NotebookContext {
        NotebookContext(seed: seed, size: .tiny, threads: 2, cache: cache)
    }

    /// Column `name` of a dataset document.
    static func column(_ d: ReportWriter.DatasetDocument, _ name: String) -> [Cell] {
        guard let j = d.columns.firstIndex(where: { $0.name == name }) else { return [] }
        return d.rows.map { $0[j] }
    }

    static func close(_ a: Double, _ b: Double, relative: Double) -> Bool {
        abs(a - b) <= relative * max(abs(a), abs(b), 1e-300)
    }
}
