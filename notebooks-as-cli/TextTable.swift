import Foundation
import ZOCheck

/// Plain-text tables for terminal output.
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> String {
        let widths = header.indices.map { c in ([header[c]] + rows.map { $0[c] }).map(\.count).max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(
                separator: "  ")
        }
        return
            ([line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")] + rows.map(line))
            .joined(separator: "\n")
    }

    static func fmt(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }

    /// Short scientific notation for p-values and rates.
    static func sci(_ x: Double) -> String {
        if x.isNaN { return "—" }
        if x == 0 { return "0" }
        return abs(x) >= 1e-3 && abs(x) < 1e4 ? String(format: "%.4g", x) : String(format: "%.2e", x)
    }

    /// Writes JSON atomically (temp file + rename): a killed run never leaves a half-written file.
    /// Writes atomically (creating the parent directory); non-finite numbers as "nan"/"inf" strings.
    /// Failures are a one-line ZOError naming the path (not Foundation's error dump).
    static func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try encoder.encode(value).write(to: url, options: .atomic)
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? error.localizedDescription
            throw ZOError("cannot write \(path): \(reason)", at: "--output", fix: "pass a writable --output path")
        }
    }
}
