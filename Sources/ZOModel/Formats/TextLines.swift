import Foundation
import ZOCore

/// Lines of a UTF-8 text, cut on bytes.
///
/// Hazard: Swift treats "\r\n" as ONE `Character`, so `string.split(separator: "\n")` leaves
/// CRLF lines whole. Cutting the bytes at LF and dropping one trailing CR per line is what
/// Python's universal newlines do for LF and CRLF files.
public enum TextLines {
    /// The lines of `data` without their terminators; a final terminator does not start an empty line.
    public static func split(_ data: Data, source: String = "<memory>") throws(ZOError) -> [String] {
        var pieces = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        if pieces.last?.isEmpty == true { pieces.removeLast() }
        var lines: [String] = []
        lines.reserveCapacity(pieces.count)
        for (k, var piece) in pieces.enumerated() {
            if piece.last == 0x0D { piece = piece.dropLast() }
            let line = String(decoding: piece, as: UTF8.self)
            guard line.utf8.elementsEqual(piece) else {
                throw ZOError("line \(k + 1) is not valid UTF-8", at: source, fix: "convert the file to UTF-8")
            }
            lines.append(line)
        }
        return lines
    }
}
