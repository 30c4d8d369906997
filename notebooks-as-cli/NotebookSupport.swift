import ArgumentParser
import Foundation
import ZOCheck
import ZOReports

/// How large a notebook run is: `tiny` (seconds; the test suite), `ci` (the default; a minute or
/// two) or `full` (the sizes a claim deserves; minutes to hours for the transformer notebooks).
public enum NotebookSize: String, CaseIterable, Codable, Sendable, ExpressibleByArgument {
    case tiny, ci, full

    /// Picks the value for this size.
    public func pick<T>(tiny: T, ci: T, full: T) -> T {
        switch self {
        case .tiny: return tiny
        case .ci: return ci
        case .full: return full
        }
    }
}

/// What every notebook runs with.
public struct NotebookContext: Sendable {
    public var seed: UInt64
    public var size: NotebookSize
    public var threads: Int
    public var cache: AssetCache
    public var progress: NotebookProgress

    public init(
        seed: UInt64 = ZODefaults.seed, size: NotebookSize = .ci, threads: Int = 2, cache: AssetCache = .standard,
        progress: NotebookProgress = NotebookProgress(label: "notebook", enabled: false)
    ) {
        self.seed = seed
        self.size = size
        self.threads = threads
        self.cache = cache
        self.progress = progress
    }

    public var key: PRNGKey { PRNGKey(seed: seed) }
}

/// A notebook: a claim family's computation that returns a `Report` (data, plots, verdicts).
public protocol Notebook {
    /// The subcommand name and the directory under reports/.
    static var name: String { get }
    static var title: String { get }
    /// One line for `zocheck notebook --help`.
    static var abstract: String { get }
    /// What the notebook shows, how, and what each size runs (the subcommand's --help).
    static var discussion: String { get }
    static var claims: [String] { get }
    static func run(_ context: NotebookContext) throws -> Report
}

/// Options shared by every notebook: seed, output directory, threads, size preset, asset cache.
public struct NotebookOptions: ParsableArguments {
    public init() {}
    @Option(help: "Root seed; every random draw derives from PRNGKey(seed:).") public var seed: UInt64 = ZODefaults.seed
    @Option(help: "Directory the report directory <name>/ is written into (atomically).") public var outputDir: String =
        "reports"
    @Option(help: "OpenBLAS threads (results are bit-reproducible for a fixed count).") public var threads: Int = 2
    @Option(help: "Size preset: tiny (seconds, for tests), ci (default, minutes at most) or full.") public var size:
        NotebookSize = .ci
    @Option(help: "Asset cache directory (default: $ZOCHECK_CACHE, else .cache/assets in the repository).") public
        var cache: String?
    @Flag(help: "No progress on standard error.") public var quiet = false

    public func validate() throws {
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be in 1…64 (got \(threads))") }
        guard !outputDir.isEmpty else { throw ValidationError("--output-dir must not be empty") }
        try OutputPath.checkDirectory(outputDir, "--output-dir")
    }

    public func context(for name: String) -> NotebookContext {
        NotebookContext(
            seed: seed, size: size, threads: threads,
            cache: cache.map { AssetCache(directory: URL(fileURLWithPath: $0)) } ?? .standard,
            progress: NotebookProgress(label: name, enabled: !quiet))
    }

    /// Runs a notebook and writes its report; returns the written report and where it went.
    @discardableResult
    public func execute<N: Notebook>(_ notebook: N.Type, commandLine: [String] = CommandLine.arguments) throws -> (
        Report, ReportWriter.Written
    ) {
        let context = context(for: N.name)
        // The report directory's lock first: a second run writing the same report stops before any work.
        let writer = ReportWriter(root: URL(fileURLWithPath: outputDir, isDirectory: true))
        let lock = try writer.lock(N.name)
        defer { lock.release() }
        // Code that reads `AssetCache.standard` (the catalog's scale claims) sees --cache too.
        if let cache { setenv("ZOCHECK_CACHE", cache, 1) }
        try BLASThreads.set(threads)
        let provenance = Provenance.capture(commandLine: commandLine, seed: seed, threads: threads)
        let began = DispatchTime.now().uptimeNanoseconds
        let report = try N.run(context)
        context.progress.finish()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
        let written = try writer.write(report, provenance: provenance.finished(after: seconds), holding: lock)
        return (report, written)
    }
}

/// The subcommand of one notebook (its name, help and run come from the notebook type).
public struct NotebookCommand<N: Notebook>: ParsableCommand {
    public init() {}
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: N.name, abstract: N.abstract,
            discussion: N.discussion + "\n\nClaims: " + N.claims.joined(separator: ", ")
                + """
                \nWrites <output-dir>/\(N.name)/: report.md, report.html (plots embedded), plots/*.png|svg|gp, \
                data/*.csv|json, report.json.
                """
        )
    }
    @OptionGroup public var options: NotebookOptions

    public func run() throws {
        let (report, written) = try options.execute(N.self)
        print(NotebookOutput.summary(report, written: written))
    }
}

/// What a notebook prints when it is done.
public enum NotebookOutput {
    public static func summary(_ report: Report, written: ReportWriter.Written) -> String {
        var lines = ["\(report.title)"]
        for h in report.headlines {
            lines.append("  \(h.name): \(ReportMarkdown.fmt(h.value))\(h.unit.isEmpty ? "" : " " + h.unit)")
        }
        let agreeing = report.verdicts.filter(\.asExpected)
        if report.verdicts.count > 12 {
            lines.append(
                """
                  \(agreeing.count) of \(report.verdicts.count) verdicts as expected (a holding claim passes, a \
                refuted one fails); the table is in report.md
                """
            )
        }
        for v in report.verdicts where report.verdicts.count <= 12 || !v.asExpected {
            lines.append(
                """
                  \(v.claim): \(v.outcome) (expected \(v.expected); p = \(ReportMarkdown.fmt(v.pValue)), α = \
                \(ReportMarkdown.fmt(v.alpha)))
                """
            )
        }
        lines.append(
            "wrote \(written.directory.path)/report.md and report.html (\(written.rendered.count) plots rendered)")
        lines += written.renderProblems.map { "note: \($0)" }
        return lines.joined(separator: "\n")
    }
}

/// A one-line progress display on standard error: "[name] what 12/40 (30 %) 1m05s elapsed".
public final class NotebookProgress: @unchecked Sendable {
    public let label: String
    public let enabled: Bool
    private let lock = NSLock()
    private let began = DispatchTime.now().uptimeNanoseconds
    private var lastDraw: UInt64 = 0
    private var drewLine = false
    private let tty = isatty(2) != 0

    public init(label: String, enabled: Bool = true) {
        self.label = label
        self.enabled = enabled
    }

    /// Reports `done` of `total` units of the stage `what`; redrawn at most 4 times a second.
    public func update(_ what: String, done: Int, total: Int) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = DispatchTime.now().uptimeNanoseconds
        // In place on a terminal (4 redraws/s); one line every 5 s in a log file.
        guard Double(now - lastDraw) / 1e9 >= (tty ? 0.25 : 5) else { return }
        lastDraw = now
        let elapsed = ProgressState.duration(Double(now - began) / 1e9)
        let pct = total > 0 ? 100 * min(done, total) / total : 100
        let line = "[\(label)] \(what) \(min(done, total))/\(total) (\(pct) %) \(elapsed) elapsed"
        let text = tty ? "\r" + line.padding(toLength: max(line.count, 90), withPad: " ", startingAt: 0) : line + "\n"
        FileHandle.standardError.write(Data(text.utf8))
        drewLine = tty
    }

    /// Ends the line.
    public func finish() {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        if drewLine {
            FileHandle.standardError.write(Data("\n".utf8))
            drewLine = false
        }
    }
}
