import ArgumentParser
import Foundation
import Testing
import ZONotebooks
import ZOReports

/// The commands of issue 15 that crashed (signal, allocation abort, overflow trap) or failed only after
/// the work: each now stops in `validate()` with exit 64 and a message that names the option, its
/// valid range and a fix.
@Suite struct ReliabilityCLITests {
    static let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
        "zocheck-cli-\(UUID().uuidString)", isDirectory: true)

    static let cases: [([String], String)] = [
        (
            ["bench", "gaussian", "--count", "9223372036854775807", "--repetitions", "1"],
            "--count must be in 1…268435456"
        ),
        (["compare", "--m", "100000", "--n", "100000", "--draws", "2"], "--m must be in 1…4096"),
        (["compare", "--m", "9223372036854775807", "--n", "2"], "--m must be in 1…4096"),
        (["compare", "--m", "4096", "--n", "4096"], "--m × --n must be ≤ 4194304"),
        (["compare", "--rank", "30"], "--rank must be in 1…16"),
        (["audit", "-m", "99999999999"], "-m must be in 1…100000"),
        (["audit", "--power", "--alpha", "0.1"], "--alpha applies to calibration"),
        (["audit", "--power", "--id", "NO-SUCH-CLAIM"], "no planted fault is caught by a claim matching"),
        (["bench", "encoder", "--batch", "100000", "--length", "512"], "--batch must be in 1…1024"),
        (["bench", "encoder", "--threads", "0"], "--threads must be in 1…1024"),
        (["bench", "steps", "--batch", "0"], "--batch must be in 1…1024"),
        (["bench", "steps", "--length", "1"], "--length must be in 2…512"),
        (["scale", "estimator-quality", "--draws", "99999999999"], "--draws must be in 2…1000000"),
        (["scale", "estimator-quality", "--estimators", "lozo:99999999999"], "a rank in 1…1024"),
        (["scale", "gradient-rank", "--threads", "0"], "--threads must be in 1…1024"),
        (["finetune", "--method", "mezo", "--steps", "2000000"], "steps = 2000000 is outside 0…1000000"),
        (["finetune", "--method", "mezo", "--batch-size", "100000"], "batch size 100000 is outside 1…4096"),
        (["finetune", "--resume", "/nonexistent/zocheck-run"], "--resume /nonexistent/zocheck-run is not a directory"),
        (["finetune", "curves", "--seeds", "1000000000000"], "--seeds must be in 2…1000"),
        (["finetune", "memory", "--measure-steps", "0"], "--measure-steps must be in 1…1000"),
        (["model", "embed", "--batch-size", "0"], "--batch-size must be in 1…1024"),
        (["model", "tokenize", "--max-length", "1"], "--max-length must be in 2…65536"),
        // Output paths are checked before any work.
        (["compare", "--output", "/dev/null/rows.json"], "/dev/null is a file, not a directory"),
        (["claims", "--output", "/"], "--output / is a directory"),
        (["finetune", "memory", "--output", "/dev/null/m.json"], "/dev/null is a file, not a directory"),
        (["finetune", "--method", "mezo", "--checkpoint-dir", "/dev/null/ck"], "/dev/null is a file, not a directory"),
        (["notebook", "variance-vs-dimension", "--output-dir", "/dev/null/reports"], "/dev/null is a file"),
        (["verify", "--output-dir", "/dev/null/reports"], "/dev/null is a file, not a directory"),
    ]

    @Test(arguments: cases)
    func isAValidationErrorWithTheRange(_ arguments: [String], _ fragment: String) {
        do {
            _ = try ZOCheckCommand.parseAsRoot(arguments)
            Issue.record("`zocheck \(arguments.joined(separator: " "))` passed validation")
        } catch {
            #expect(ZOCheckCommand.exitCode(for: error).rawValue == 64, "\(arguments)")
            let message = ZOCheckCommand.message(for: error)
            #expect(message.contains(fragment), "\(arguments): \(message)")
        }
    }

    /// A second run writing the same report stops before its computation with "in use by pid N".
    @Test func aLockedReportDirectoryStopsTheRunBeforeWork() throws {
        let root = Self.scratch.appendingPathComponent("locked")
        defer { try? FileManager.default.removeItem(at: root) }
        let lock = try ReportWriter(root: root, gnuplot: nil).lock("variance-vs-dimension")
        defer { lock.release() }
        var command = try ZOCheckCommand.parseAsRoot([
            "notebook", "variance-vs-dimension", "--size", "tiny", "--quiet", "--output-dir", root.path,
        ])
        let began = Date()
        do {
            try command.run()
            Issue.record("the run wrote into a locked report directory")
        } catch {
            #expect("\(error)".contains("in use by pid \(getpid())"), "\(error)")
            #expect(ZOCheckCommand.exitCode(for: error).rawValue == 1)
        }
        #expect(Date().timeIntervalSince(began) < 5, "the lock must be checked before the computation")
    }
}
