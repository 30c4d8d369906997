import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Writes a `Report` to <root>/<name>/ atomically: everything goes into a hidden sibling directory
/// `.<name>.partial-<pid>` first (data/*.csv|json, plots/*.gp|png|svg, report.json, report.md,
/// report.html), which is renamed into place only when complete. A run killed at any point leaves
/// at most the hidden partial directory and the previous complete report.
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

    @discardableResult
    public func write(_ report: Report, provenance: Provenance) throws -> Written {
        try Self.checkName(report.name)
        let fm = FileManager.default
        try fm.createDirectory(at: root, withIntermediateDirectories: true)
        let final = root.appendingPathComponent(report.name, isDirectory: true)
        let partial = root.appendingPathComponent(".\(report.name).partial-\(getpid())", isDirectory: true)
        try? fm.removeItem(at: partial)
        do {
            let written = try writeContents(report, provenance: provenance, into: partial)
            try Self.replace(final, with: partial)
            return Written(directory: final, rendered: written.rendered, renderProblems: written.renderProblems)
        } catch {
            try? fm.removeItem(at: partial)
            throw error
        }
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

    /// Renames `partial` to `final`, moving a previous `final` aside first and deleting it after.
    static func replace(_ final: URL, with partial: URL) throws {
        let fm = FileManager.default
        let old = final.deletingLastPathComponent().appendingPathComponent(
            ".\(final.lastPathComponent).old-\(getpid())")
        try? fm.removeItem(at: old)
        if fm.fileExists(atPath: final.path) {
            guard rename(final.path, old.path) == 0 else {
                throw ReportError("cannot move the previous report \(final.path) aside (errno \(errno))")
            }
        }
        guard rename(partial.path, final.path) == 0 else {
            throw ReportError("cannot rename \(partial.path) to \(final.path) (errno \(errno))")
        }
        try? fm.removeItem(at: old)
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
