import Foundation
import Testing
import ZONotebooks

/// `zocheck verify --help` and every `zocheck notebook <name> --help` at 100 columns, against the
/// snapshots in HelpSnapshots/. After an intended change, regenerate them with
/// `ZOCHECK_UPDATE_SNAPSHOTS=1 swift test -c release --filter HelpSnapshotTests` and review the diff.
@Suite struct HelpSnapshotTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "HelpSnapshots")

    static func file(_ command: String) -> URL {
        directory.appendingPathComponent(command.replacingOccurrences(of: " ", with: "-") + ".txt")
    }

    @Test func helpTextsMatchTheirSnapshots() throws {
        let texts = Notebooks.helpTexts()
        #expect(texts.count == Notebooks.all.count + 2)
        if ProcessInfo.processInfo.environment["ZOCHECK_UPDATE_SNAPSHOTS"] == "1" {
            try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
            for (command, text) in texts { try Data(text.utf8).write(to: Self.file(command)) }
        }
        for (command, text) in texts.sorted(by: { $0.key < $1.key }) {
            let snapshot = try? String(contentsOf: Self.file(command), encoding: .utf8)
            #expect(
                snapshot == text,
                """
                help of `zocheck \(command)` differs from \(Self.file(command).lastPathComponent); if intended, \
                regenerate (see the suite's comment)
                """
            )
        }
    }

    @Test func everyNotebookHelpNamesItsClaimsAndOutputs() {
        for notebook in Notebooks.all {
            let text = Notebooks.helpTexts()["notebook " + notebook.name] ?? ""
            #expect(text.contains("Claims:") && text.contains("report.html"), "\(notebook.name)")
            #expect(
                text.contains("--size") && text.contains("--seed") && text.contains("--output-dir")
                    && text.contains("--threads"), "\(notebook.name)")
        }
    }
}
