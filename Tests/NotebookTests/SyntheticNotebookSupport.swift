import Foundation
import Testing
import ZONotebooks
import ZOReports

/// Runs a notebook at tiny size in-process into a temporary directory and reads back what it wrote.
enum SyntheticNotebookRun {
    static let seed: UInt64 = 20_261_122

    struct Output {
        let report: Report
        let directory: URL
        let root: URL

        func dataset(_ name: String) throws -> ReportWriter.DatasetDocument {
            try JSONDecoder().decode(ReportWriter.DatasetDocument.self, from: Data(contentsOf: directory.appendingPathComponent("data/\(name).json")))
        }

        func column(_ d: ReportWriter.DatasetDocument, _ name: String) -> [Double] {
            guard let j = d.columns.firstIndex(where: { $0.name == name }) else { return [] }
            return d.rows.map { $0[j].number ?? .nan }
        }

        func text(_ d: ReportWriter.DatasetDocument, _ name: String) -> [String] {
            guard let j = d.columns.firstIndex(where: { $0.name == name }) else { return [] }
            return d.rows.map { $0[j].text ?? "" }
        }

        func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: directory.appendingPathComponent(path).path) }
        func cleanUp() { try? FileManager.default.removeItem(at: root) }
    }

    static func run<N: Notebook>(_ notebook: N.Type) throws -> Output {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("zocheck-nb-\(UUID().uuidString)", isDirectory: true)
        let options = try NotebookOptions.parse(["--size", "tiny", "--output-dir", root.path, "--quiet", "--seed", String(seed)])
        let (report, written) = try options.execute(N.self, commandLine: ["test"])
        return Output(report: report, directory: written.directory, root: root)
    }
}
