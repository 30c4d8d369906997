import Foundation
import ZOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Lines of a UTF-8 text, cut on bytes, with one rule for files in memory (`split`) and streams
/// (`forEachLine`: standard input or a file, read in 64 KiB chunks).
///
/// Hazard: Swift treats "\r\n" as ONE `Character`, so `string.split(separator: "\n")` leaves
/// CRLF lines whole. Cutting the bytes at LF and dropping one trailing CR per line is what
/// Python's universal newlines do for LF and CRLF files. Every line must be valid UTF-8 (an error
/// naming the line otherwise, never a silent U+FFFD), and a streamed line longer than
/// `maxLineBytes` is an error as soon as it is seen: `< /dev/zero` fails at once instead of growing
/// memory without bound.
public enum TextLines {
    /// The longest line `forEachLine` accepts by default (1 MiB; a sentence is ~100 bytes).
    public static let maxLineBytes = 1 << 20

    /// The lines of `data` without their terminators; a final terminator does not start an empty line.
    public static func split(_ data: Data, source: String = "<memory>") throws(ZOError) -> [String] {
        var pieces = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        if pieces.last?.isEmpty == true { pieces.removeLast() }
        var lines: [String] = []
        lines.reserveCapacity(pieces.count)
        for (k, piece) in pieces.enumerated() { lines.append(try line(piece, number: k + 1, source: source)) }
        return lines
    }

    /// Calls `body` with each line read from `fd` (not closed), by the rule of `split`. Throws a
    /// ZOError for a line over `maxLineBytes` bytes, more than `maxLines` lines, invalid UTF-8 or a
    /// read error; errors from `body` pass through.
    public static func forEachLine(
        fileDescriptor fd: Int32, source: String, maxLineBytes: Int = maxLineBytes, maxLines: Int = Int.max,
        _ body: (String) throws -> Void
    ) throws {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var pending: [UInt8] = []
        var number = 0
        func emit(_ bytes: ArraySlice<UInt8>) throws {
            number += 1
            guard number <= maxLines else {
                throw ZOError(
                    "\(source) has more than \(maxLines) lines", at: "TextLines",
                    fix: "split the input into several runs of at most \(maxLines) lines")
            }
            try body(try line(bytes, number: number, source: source))
        }
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ZOError(
                    "cannot read \(source): \(String(cString: strerror(errno)))", at: "TextLines",
                    fix: "pass a readable text file")
            }
            if n == 0 { break }
            var start = 0
            for i in 0..<n where chunk[i] == 0x0A {
                pending += chunk[start..<i]
                try checkLength(pending.count, number + 1, source, maxLineBytes)
                try emit(pending[...])
                pending.removeAll(keepingCapacity: true)
                start = i + 1
            }
            pending += chunk[start..<n]
            try checkLength(pending.count, number + 1, source, maxLineBytes)
        }
        if !pending.isEmpty { try emit(pending[...]) }
    }

    private static func checkLength(_ count: Int, _ number: Int, _ source: String, _ limit: Int) throws(ZOError) {
        // +1: a CR before the LF is not part of the line.
        guard count <= limit + 1 else {
            throw ZOError(
                "line \(number) of \(source) is longer than \(limit) bytes", at: "TextLines",
                fix: "give one sentence per line (lines of at most \(limit) bytes)")
        }
    }

    /// One line's bytes (LF already cut) as a String: one trailing CR dropped, UTF-8 checked.
    static func line<C: BidirectionalCollection<UInt8>>(_ bytes: C, number: Int, source: String) throws(ZOError)
        -> String
    {
        var piece = bytes[...]
        if piece.last == 0x0D { piece = piece.dropLast() }
        let line = String(decoding: piece, as: UTF8.self)
        guard line.utf8.elementsEqual(piece) else {
            throw ZOError("line \(number) is not valid UTF-8", at: source, fix: "convert the file to UTF-8")
        }
        return line
    }
}
