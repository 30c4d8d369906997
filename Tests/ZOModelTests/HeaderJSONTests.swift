import Testing
import ZOTestSupport

@testable import ZOModel

@Suite struct HeaderJSONTests {
    func parse(_ s: String) throws(JSONParseError) -> JSONValue { try JSONParser.parse(Array(s.utf8)) }

    @Test func parsesValuesKeepingOrderAndDuplicates() throws {
        let v = try parse(#" {"b": [1, -2.5e3, true, false, null], "a": {"x": "y"}, "b": "again"} "#)
        guard case .object(let members) = v else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.key) == ["b", "a", "b"])
        #expect(members[0].value == .array([.number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null]))
        #expect(members[1].value == .object([(key: "x", value: .string("y"))]))
    }

    @Test func integersAreExact() throws {
        #expect(try parse("9007199254740993").exactInt == 9_007_199_254_740_993)  // 2⁵³ + 1: a Double would round
        #expect(try parse("1.0").exactInt == nil)
        #expect(try parse("1e2").exactInt == nil)
        #expect(try parse("99999999999999999999").exactInt == nil)
        #expect(try parse("-0").exactInt == 0)
    }

    @Test func decodesEscapes() throws {
        #expect(try parse(#""a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00""#) == .string("a\"b\\c/d\u{8}\u{c}\n\r\té😀"))
    }

    @Test func rejectsInvalidJSON() {
        let bad = [
            "", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "+1", "tru", "\"\\x\"", "\"\\u12G4\"", "\"\\u+123\"",
            "\"a\u{1}\"", "\"\\ud800\"", "\"\\udc00\"", "{} {}", "[1 2]", "{1: 2}",
        ]
        for text in bad {
            #expect(throws: JSONParseError.self, "\(text.debugDescription)") { _ = try parse(text) }
        }
        #expect(throws: JSONParseError.self) { _ = try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }  // invalid UTF-8
        #expect(throws: JSONParseError.self) {
            _ = try parse(String(repeating: "[", count: 65) + String(repeating: "]", count: 65))
        }
        #expect(throws: Never.self) {
            _ = try parse(String(repeating: "[", count: 64) + String(repeating: "]", count: 64))
        }
    }
}
