import Foundation
import Testing
import ZOModel
import ZOTestSupport

@Suite struct TextLinesTests {
    @Test func splitsLFAndCRLF() throws {
        #expect(try TextLines.split(Data("a\r\nb\nc".utf8)) == ["a", "b", "c"])
        #expect(try TextLines.split(Data("a\n\nb\r\n".utf8)) == ["a", "", "b"])
        #expect(try TextLines.split(Data()) == [])
        #expect(try TextLines.split(Data("\n".utf8)) == [""])
        #expect(try TextLines.split(Data("x\r\r\n".utf8)) == ["x\r"])
    }

    @Test func rejectsInvalidUTF8() {
        expectZOError("line 2 is not valid UTF-8") { _ = try TextLines.split(Data([0x61, 0x0A, 0xC3, 0x28])) }
    }
}

/// The streaming reader of `zocheck model tokenize|embed` (stdin and files alike).
@Suite struct TextLinesStreamTests {
    /// Lines of `bytes` as `forEachLine` reads them from a pipe (the stdin case).
    static func stream(_ bytes: [UInt8], maxLineBytes: Int = TextLines.maxLineBytes, maxLines: Int = .max) throws
        -> [String]
    {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let (readEnd, writeEnd) = (fds[0], fds[1])
        let writer = Thread {
            bytes.withUnsafeBytes { p in
                var off = 0
                while off < p.count {
                    let n = write(writeEnd, p.baseAddress! + off, p.count - off)
                    if n <= 0 { break }
                    off += n
                }
            }
            close(writeEnd)
        }
        writer.start()
        defer { close(readEnd) }
        var lines: [String] = []
        try TextLines.forEachLine(
            fileDescriptor: readEnd, source: "pipe", maxLineBytes: maxLineBytes, maxLines: maxLines
        ) { lines.append($0) }
        return lines
    }

    /// Same results as `split` for the same bytes, chunk boundaries included (a 70 000-byte line).
    @Test func streamingAgreesWithSplit() throws {
        let long = String(repeating: "x", count: 70_000)
        for text in ["a\r\nb\nc", "a\n\nb\r\n", "", "\n", "x\r\r\n", "é\n\(long)\r\nz"] {
            #expect(try Self.stream(Array(text.utf8)) == TextLines.split(Data(text.utf8)), "\(text.prefix(20))")
        }
    }

    /// Invalid UTF-8 is the same error on a stream as in a file (it used to pass on stdin as U+FFFD).
    @Test func invalidUTF8IsAnErrorOnAStreamToo() {
        expectZOError("line 2 is not valid UTF-8") { _ = try Self.stream([0x61, 0x0A, 0xC3, 0x28]) }
    }

    /// An unbounded line (`< /dev/zero`) stops at the limit with a clear error instead of growing memory.
    @Test func aLineOverTheLimitIsAnError() throws {
        expectZOError("line 1 of pipe is longer than 1000 bytes") {
            _ = try Self.stream([UInt8](repeating: 0, count: 5000), maxLineBytes: 1000)
        }
        #expect(
            try Self.stream(Array((String(repeating: "y", count: 1000) + "\r\n").utf8), maxLineBytes: 1000).count == 1)
        let fd = open("/dev/zero", O_RDONLY)
        defer { close(fd) }
        expectZOError("line 1 of /dev/zero is longer than") {
            try TextLines.forEachLine(fileDescriptor: fd, source: "/dev/zero") { _ in }
        }
    }

    @Test func tooManyLinesIsAnError() {
        expectZOError("more than 3 lines") { _ = try Self.stream(Array("a\nb\nc\nd\n".utf8), maxLines: 3) }
    }
}
