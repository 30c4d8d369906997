import Foundation
import ZONotebooks
import ZOReports

/// Runs a notebook at tiny size into a fresh temporary directory and reads back what it wrote.
struct Syn2NotebookRun {
    let report: Report
    let directory: URL
    let root: URL

    init<N: Notebook>(_ notebook: N.Type, seed: UInt64) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("zocheck-nb-\(UUID().uuidString)", isDirectory: true)
        let options = try NotebookOptions.parse(["--size", "tiny", "--output-dir", root.path, "--quiet", "--seed", "\(seed)"])
        let (report, written) = try options.execute(N.self, commandLine: ["test"])
        self.report = report
        self.directory = written.directory
    }

    func dataset(_ name: String) throws -> Dataset {
        let d = try JSONDecoder().decode(ReportWriter.DatasetDocument.self, from: Data(contentsOf: directory.appendingPathComponent("data/\(name).json")))
        return Dataset(name: d.name, description: d.description, columns: d.columns, rows: d.rows)
    }

    func document() throws -> ReportWriter.Document {
        try JSONDecoder().decode(ReportWriter.Document.self, from: Data(contentsOf: directory.appendingPathComponent("report.json")))
    }

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: directory.appendingPathComponent(path).path) }

    func remove() { try? FileManager.default.removeItem(at: root) }
}

extension Dataset {
    /// The number in `column` of row `row` (NaN when absent or text).
    func syn2Number(_ row: [Cell], _ column: String) -> Double {
        columns.firstIndex { $0.name == column }.flatMap { row[$0].number } ?? .nan
    }
}
