import Foundation

// The content of one notebook's report, independent of how it is written: prose, headline numbers,
// verdicts, datasets (written as CSV and JSON with a schema) and figures (rendered by gnuplot).
// `ReportWriter` turns it into reports/<name>/ atomically.

/// One cell of a dataset: a number or a text.
public enum Cell: Sendable, Equatable, Codable {
    case number(Double)
    case text(String)

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .number(.nan)
            return
        }
        if let x = try? c.decode(Double.self) {
            self = .number(x)
            return
        }
        self = .text(try c.decode(String.self))
    }

    /// JSON has no NaN or ∞: those are written as null.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .number(let x): if x.isFinite { try c.encode(x) } else { try c.encodeNil() }
        case .text(let s): try c.encode(s)
        }
    }

    /// The CSV form: numbers with 17 significant digits (round-trip exact), NaN/∞ as "nan"/"inf".
    public var csv: String {
        switch self {
        case .number(let x):
            if x.isNaN { return "nan" }
            if x.isInfinite { return x > 0 ? "inf" : "-inf" }
            if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
            return String(format: "%.17g", x)
        case .text(let s):
            return s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
                ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
    }

    public var number: Double? { if case .number(let x) = self { return x } else { return nil } }
    public var text: String? { if case .text(let s) = self { return s } else { return nil } }
}

/// A column's schema: name, unit ("" when dimensionless) and meaning.
public struct Column: Sendable, Equatable, Codable {
    public var name: String
    public var unit: String
    public var description: String
    public init(_ name: String, unit: String = "", _ description: String) {
        self.name = name
        self.unit = unit
        self.description = description
    }
}

/// A table of results, written as data/<name>.csv and data/<name>.json.
public struct Dataset: Sendable, Equatable, Codable {
    public var name: String
    public var description: String
    public var columns: [Column]
    public var rows: [[Cell]]

    public init(name: String, description: String, columns: [Column], rows: [[Cell]] = []) {
        self.name = name
        self.description = description
        self.columns = columns
        self.rows = rows
    }

    public mutating func append(_ row: [Cell]) { rows.append(row) }

    /// The values of a numeric column, by name (nil for text cells).
    public func numbers(_ column: String) -> [Double?] {
        guard let j = columns.firstIndex(where: { $0.name == column }) else { return [] }
        return rows.map { $0[j].number }
    }

    /// The values of a text column, by name (numeric cells skipped).
    public func texts(_ column: String) -> [String] {
        guard let j = columns.firstIndex(where: { $0.name == column }) else { return [] }
        return rows.compactMap { $0[j].text }
    }

    /// Rows whose text column `column` equals `value`.
    public func filtered(_ column: String, equals value: String) -> Dataset {
        guard let j = columns.firstIndex(where: { $0.name == column }) else {
            return Dataset(name: name, description: description, columns: columns)
        }
        var d = self
        d.rows = rows.filter { $0[j].text == value }
        return d
    }
}

/// How a series is drawn.
public enum SeriesStyle: String, Sendable, Codable {
    case lines, points, linesPoints, errorBars, band, dashed
}

/// One curve of a figure: x, y and, for error bars and bands, the lower and upper limits.
public struct Series: Sendable, Equatable, Codable {
    public var label: String
    public var style: SeriesStyle
    public var x: [Double]
    public var y: [Double]
    public var lower: [Double]?
    public var upper: [Double]?
    /// Series of the same group share a colour (e.g. a measurement and its theory); default: the label.
    public var group: String?

    public init(
        _ label: String, style: SeriesStyle = .linesPoints, x: [Double], y: [Double], lower: [Double]? = nil,
        upper: [Double]? = nil,
        group: String? = nil
    ) {
        self.label = label
        self.style = style
        self.x = x
        self.y = y
        self.lower = lower
        self.upper = upper
        self.group = group
    }
}

/// A labelled tic on a categorical axis (e.g. claim ids at x = 1, 2, …).
public struct AxisTic: Sendable, Equatable, Codable {
    public var position: Double
    public var label: String
    public init(_ position: Double, _ label: String) {
        self.position = position
        self.label = label
    }
}

/// A plot: axes with units, optional log scales, series.
public struct Figure: Sendable, Equatable, Codable {
    public var name: String
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var logX: Bool
    public var logY: Bool
    public var caption: String
    public var series: [Series]
    /// Optional labelled x tics (a categorical x axis: error-bar points are then not joined); nil: gnuplot's numeric tics.
    public var xTics: [AxisTic]?

    public init(
        name: String, title: String, xLabel: String, yLabel: String, logX: Bool = false, logY: Bool = false,
        caption: String, series: [Series] = [], xTics: [AxisTic]? = nil
    ) {
        self.name = name
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.logX = logX
        self.logY = logY
        self.caption = caption
        self.series = series
        self.xTics = xTics
    }
}

/// A headline number: what it is, its value and its unit, for the summary and the closing notes.
public struct Headline: Sendable, Equatable, Codable {
    public var name: String
    public var value: Double
    public var unit: String
    public var detail: String
    public init(_ name: String, _ value: Double, unit: String = "", detail: String = "") {
        self.name = name
        self.value = value
        self.unit = unit
        self.detail = detail
    }
}

/// A claim verdict as a report shows it.
public struct VerdictRow: Sendable, Equatable, Codable {
    public var claim: String
    public var outcome: String
    public var expected: String
    public var statistic: Double
    public var pValue: Double
    public var alpha: Double
    public var n: Int
    public var detail: String
    public init(
        claim: String, outcome: String, expected: String, statistic: Double, pValue: Double, alpha: Double, n: Int,
        detail: String
    ) {
        self.claim = claim
        self.outcome = outcome
        self.expected = expected
        self.statistic = statistic
        self.pValue = pValue
        self.alpha = alpha
        self.n = n
        self.detail = detail
    }

    /// The verdict is what the catalog expects: a claim that holds passes, a refuted one fails.
    public var asExpected: Bool { expected == "refuted" ? outcome == "fail" : outcome == "pass" }
}

/// One notebook's report.
public struct Report: Sendable, Codable {
    /// Directory name under reports/ (e.g. "variance-vs-dimension").
    public var name: String
    public var title: String
    /// Claim ids the notebook bears on.
    public var claims: [String]
    /// Paragraphs of prose (Markdown inline syntax only: `code`, **bold**).
    public var summary: [String]
    public var headlines: [Headline]
    public var verdicts: [VerdictRow]
    public var datasets: [Dataset]
    public var figures: [Figure]

    public init(
        name: String, title: String, claims: [String] = [], summary: [String] = [], headlines: [Headline] = [],
        verdicts: [VerdictRow] = [], datasets: [Dataset] = [], figures: [Figure] = []
    ) {
        self.name = name
        self.title = title
        self.claims = claims
        self.summary = summary
        self.headlines = headlines
        self.verdicts = verdicts
        self.datasets = datasets
        self.figures = figures
    }

    public func dataset(_ name: String) -> Dataset? { datasets.first { $0.name == name } }
    public func headline(_ name: String) -> Headline? { headlines.first { $0.name == name } }
}
