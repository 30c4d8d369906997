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
