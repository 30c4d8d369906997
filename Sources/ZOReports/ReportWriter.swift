import Foundation
import ZOFiles

#if canImport(Glibc)
    import Glibc
#endif

/// Writes a `Report` to <root>/<name>/ so that <root>/<name> always names a complete report.
///
/// Everything goes into a hidden sibling `.<name>.partial-<pid>` first (data/*.csv|json,
/// plots/*.gp|png|svg, report.json, report.html, report.md last), which then replaces the
/// previous report in one atomic exchange (`AtomicDirectory.install`: renameat2 RENAME_EXCHANGE;
/// a portable file-by-file fallback elsewhere). A writer holds an exclusive lock on
/// `<root>/.<name>.lock` (flock; "in use by pid N" for a second writer) from `lock(_:)` to the end
/// of `write`. Under the lock, each write first repairs what killed runs left: partial directories
/// of other pids are deleted, and a previous report stranded in `.<name>.old-<pid>` by the
/// two-rename scheme of earlier versions is moved back when <name> is missing.
public struct ReportWriter: Sendable {
    public var root: URL
    /// Path of gnuplot; nil writes the scripts without rendering (the report says how to render).
    public var gnuplot: String?

    public init(root: URL, gnuplot: String? = Gnuplot.executable()) {
        self.root = root
        self.gnuplot = gnuplot
    }

    public struct Written: Sendable {
        public var directory: URL
        public var rendered: [String]
        public var renderProblems: [String]
    }

    /// The JSON document written as report.json.
    public struct Document: Codable, Sendable {
        public var format = "zocheck-report/1"
        public var report: Report
        public var provenance: Provenance
        public var renderedPlots: [String]
    }

    /// An exclusive hold on one report directory; released by `release()` or when dropped.
    public struct Lock: Sendable {
        let name: String
        let held: DirectoryLock
        public func release() { held.release() }
    }

    /// Takes the lock of <root>/<name> (creating <root>), so a long computation fails fast, before
    /// it starts, when another run is writing the same report.
    public func lock(_ name: String) throws -> Lock {
        try Self.checkName(name)
        do {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        } catch {
            throw ReportError(
                """
                cannot create the report directory \(root.path): \(Self.reason(error)). Fix: pass a writable \
                --output-dir
                """
            )
        }
        do {
            let held = try DirectoryLock.acquire(
                root.appendingPathComponent(".\(name).lock"),
                what: "report directory \(root.appendingPathComponent(name).path)")
            return Lock(name: name, held: held)
        } catch { throw ReportError(error.description) }
    }

    @discardableResult
    public func write(_ report: Report, provenance: Provenance, holding lock: Lock? = nil) throws -> Written {
        try Self.checkName(report.name)
        if let lock, lock.name != report.name {
            throw ReportError("the lock held is for '\(lock.name)', not the report '\(report.name)'")
        }
        let own = lock == nil ? try self.lock(report.name) : nil
        defer { own?.release() }
        recover(report.name)
        let fm = FileManager.default
        let final = root.appendingPathComponent(report.name, isDirectory: true)
        let partial = root.appendingPathComponent(".\(report.name).partial-\(getpid())", isDirectory: true)
        try? fm.removeItem(at: partial)
        do {
            let written = try writeContents(report, provenance: provenance, into: partial)
            do { try AtomicDirectory.install(partial, at: final, commitLast: "report.md") } catch {
                throw ReportError(error.description)
            }
            return Written(directory: final, rendered: written.rendered, renderProblems: written.renderProblems)
        } catch {
            try? fm.removeItem(at: partial)
            if error is ReportError { throw error }
            throw ReportError("cannot write the report \(final.path): \(Self.reason(error))")
        }
    }

    /// Repairs <root> for report `name` (call with its lock held): restores a previous report
    /// stranded in `.<name>.old-<pid>` when <name> is missing, deletes the other `.old-` copies and
    /// the partial directories of other processes. Returns what it did, one line per action.
    @discardableResult
    public func recover(_ name: String) -> [String] {
        let fm = FileManager.default
        let final = root.appendingPathComponent(name, isDirectory: true)
        var actions = AtomicDirectory.removeStale(in: root, prefix: ".\(name).partial-", underLock: true)
            .map { "removed \($0)" }
        let oldPrefix = ".\(name).old-"
        let olds = ((try? fm.contentsOfDirectory(atPath: root.path)) ?? [])
            .filter { ProcessLiveness.pid(inName: $0, prefix: oldPrefix) != nil }
            .map { root.appendingPathComponent($0) }
            .sorted { Self.modified($0) > Self.modified($1) }
        var remaining = olds[...]
        if !fm.fileExists(atPath: final.path), let newest = remaining.first,
            rename(newest.path, final.path) == 0
        {
            actions.append("restored \(newest.lastPathComponent) as \(name)")
            remaining = remaining.dropFirst()
        }
        for old in remaining where (try? fm.removeItem(at: old)) != nil {
            actions.append("removed \(old.lastPathComponent)")
        }
        return actions
    }

    private static func modified(_ url: URL) -> Date {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date) ?? .distantPast
    }

    /// An error's reason without Foundation's domain/code dump.
    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return ns.localizedDescription
    }

    func writeContents(_ report: Report, provenance: Provenance, into dir: URL) throws -> Written {
        let fm = FileManager.default
        let data = dir.appendingPathComponent("data", isDirectory: true)
        let plots = dir.appendingPathComponent("plots", isDirectory: true)
        try fm.createDirectory(at: data, withIntermediateDirectories: true)
        try fm.createDirectory(at: plots, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Figures may carry NaN or ±∞ (a missing point); report.json writes them as strings
        // (decode with `ReportWriter.decoder`). Dataset cells write them as null.
        encoder.nonConformingFloatEncodingStrategy = Self.nonConforming
        for d in report.datasets {
            try Self.checkName(d.name)
            try Data(Self.csv(d).utf8).write(to: data.appendingPathComponent("\(d.name).csv"))
            try encoder.encode(DatasetDocument(dataset: d)).write(to: data.appendingPathComponent("\(d.name).json"))
        }
        var rendered: [String] = []
        var problems: [String] = []
        for f in report.figures {
            try Self.checkName(f.name)
            try Data(Gnuplot.script(f).utf8).write(to: plots.appendingPathComponent("\(f.name).gp"))
            guard let gnuplot else { continue }
            if let problem = Gnuplot.render(f.name, in: plots, gnuplot: gnuplot) {
                problems.append(problem)
            } else {
                rendered.append(f.name)
            }
        }
        if gnuplot == nil {
            problems.append("gnuplot not found: install gnuplot-nox, then run `gnuplot <name>.gp` in plots/")
        }
        try encoder.encode(Document(report: report, provenance: provenance, renderedPlots: rendered))
            .write(to: dir.appendingPathComponent("report.json"))
        let pngs = Dictionary(
            uniqueKeysWithValues: rendered.compactMap { name in
                (try? Data(contentsOf: plots.appendingPathComponent("\(name).png"))).map { (name, $0) }
            })
        try Data(ReportHTML.render(report, provenance: provenance, pngs: pngs, problems: problems).utf8)
            .write(to: dir.appendingPathComponent("report.html"))
        // report.md last: a directory holding it was written completely.
        try Data(
            ReportMarkdown.render(report, provenance: provenance, rendered: Set(rendered), problems: problems).utf8
        )
        .write(to: dir.appendingPathComponent("report.md"))
        return Written(directory: dir, rendered: rendered, renderProblems: problems)
    }

    static func checkName(_ name: String) throws {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }),
            !name.hasPrefix(".")
        else {
            throw ReportError("'\(name)' is not a valid report, dataset or figure name (letters, digits, - _ . only)")
        }
    }

    static let nonConforming = JSONEncoder.NonConformingFloatEncodingStrategy.convertToString(
        positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")

    /// A decoder for report.json and data/*.json (reads the "nan"/"inf" strings of figures).
    public static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }

    public static func csv(_ d: Dataset) -> String {
        var lines = [d.columns.map { Cell.text($0.name).csv }.joined(separator: ",")]
        for row in d.rows { lines.append(row.map(\.csv).joined(separator: ",")) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// data/<name>.json: the schema and the rows.
    public struct DatasetDocument: Codable, Sendable {
        public var format = "zocheck-dataset/1"
        public var name: String
        public var description: String
        public var columns: [Column]
        public var rows: [[Cell]]
        init(dataset d: Dataset) {
            name = d.name
            description = d.description
            columns = d.columns
            rows = d.rows
        }
    }
}

/// A report could not be written.
public struct ReportError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
