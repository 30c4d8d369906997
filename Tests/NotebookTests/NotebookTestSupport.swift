import Foundation
import ZOCheck
import ZONotebooks
import ZOReports

/// A notebook run at tiny size, in-process, into a fresh temporary directory, and what it wrote.
/// Every notebook test uses it (directly or through the synthetic/transformer wrappers).
struct NotebookRun {
    let report: Report
    let directory: URL
    let root: URL

    init<N: Notebook>(_ notebook: N.Type, seed: UInt64, cache: AssetCache? = nil) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "zocheck-nb-\(N.name)-\(UUID().uuidString)", isDirectory: true)
        var arguments = ["--size", "tiny", "--output-dir", root.path, "--quiet", "--seed", "\(seed)"]
        if let cache { arguments += ["--cache", cache.directory.path] }
        let (report, written) = try NotebookOptions.parse(arguments).execute(N.self, commandLine: ["test"])
        self.report = report
        self.directory = written.directory
    }

    /// data/<name>.json, parsed.
    func dataset(_ name: String) throws -> Dataset {
        let d = try ReportWriter.decoder.decode(
            ReportWriter.DatasetDocument.self,
            from: Data(contentsOf: directory.appendingPathComponent("data/\(name).json")))
        return Dataset(name: d.name, description: d.description, columns: d.columns, rows: d.rows)
    }

    /// report.json, parsed.
    func document() throws -> ReportWriter.Document {
        try ReportWriter.decoder.decode(
            ReportWriter.Document.self, from: Data(contentsOf: directory.appendingPathComponent("report.json")))
    }

    func exists(_ file: String) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent(file).path)
    }
    func remove() { try? FileManager.default.removeItem(at: root) }
    func cleanUp() { remove() }

    /// Column `name` of a dataset (empty when there is none).
    static func cells(_ d: Dataset, _ name: String) -> [Cell] {
        guard let j = d.columns.firstIndex(where: { $0.name == name }) else { return [] }
        return d.rows.map { $0[j] }
    }

    /// Numeric column (NaN for text cells).
    func column(_ d: Dataset, _ name: String) -> [Double] { Self.cells(d, name).map { $0.number ?? .nan } }
    /// Text column ("" for numbers).
    func text(_ d: Dataset, _ name: String) -> [String] { Self.cells(d, name).map { $0.text ?? "" } }
}

typealias Syn2NotebookRun = NotebookRun

extension Dataset {
    /// The number in `column` of row `row` (NaN when absent or text).
    func number(_ row: [Cell], _ column: String) -> Double {
        columns.firstIndex { $0.name == column }.flatMap { row[$0].number } ?? .nan
    }
}
