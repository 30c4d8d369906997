import Foundation
import Testing
import ZOCore
import ZOModel
import ZOTestSupport

/// Writer checks; round trips through the reader are in SafeTensorsTests.
@Suite struct SafeTensorWriterTests {
    func raw(_ header: String, data: [UInt8] = []) -> Data {
        var out = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: Array(header.utf8))
        out.append(contentsOf: data)
        return out
    }

    /// The exact bytes for a small file: header layout, padding, little-endian payloads.
    @Test func encodesKnownBytes() throws {
        let data = try SafeTensorWriter.encode([
            SafeTensor(name: "a", shape: [1], floats: [1]),
            SafeTensor(name: "b", shape: [1], int64s: [-2]),
        ])
        let header =
            #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"I64","shape":[1],"data_offsets":[4,12]}}"#
        let padded = header + String(repeating: " ", count: (8 - header.utf8.count % 8) % 8)
        var expected = raw(padded)
        expected.append(contentsOf: [0, 0, 0x80, 0x3F])
        expected.append(contentsOf: [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(data == expected)
    }

    @Test func writerRejectsBadTensors() {
        expectZOError("needs 4 values, got 3") {
            _ = try SafeTensorWriter.encode([SafeTensor(name: "a", shape: [2, 2], floats: [1, 2, 3])])
        }
        expectZOError("duplicate tensor name") {
            _ = try SafeTensorWriter.encode([
                SafeTensor(name: "a", shape: [1], floats: [1]), SafeTensor(name: "a", shape: [1], floats: [1]),
            ])
        }
        expectZOError("reserved") {
            _ = try SafeTensorWriter.encode([SafeTensor(name: "__metadata__", shape: [1], floats: [1])])
        }
        expectZOError("cannot be stored as I64") {
            _ = try SafeTensorWriter.encode([SafeTensor(name: "a", shape: [1], floats: [1], dtype: .i64)])
        }
        expectZOError("cannot write") {
            try SafeTensorWriter.write([], to: URL(fileURLWithPath: "/nonexistent-dir-zocheck/x.safetensors"))
        }
    }

    /// Names with JSON-special characters survive the writer's escaping and the reader's parser.
    @Test func escapedNamesRoundTrip() throws {
        let names = ["quote\"", "back\\slash", "tab\tnewline\n", "é中😀", "\u{1}"]
        let tensors = names.map { SafeTensor(name: $0, shape: [1], floats: [1]) }
        let file = try SafeTensorFile(data: SafeTensorWriter.encode(tensors))
        #expect(file.names == names)
        let escaped = #"{"\u00e9\ud83d\ude00":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}"#
        #expect(try SafeTensorFile(data: raw(escaped, data: [0, 0, 128, 63])).floats("é😀") == [1])
        expectZOError("unpaired surrogate") { _ = try SafeTensorFile(data: raw(#"{"\ud83d":{}}"#)) }
    }

}
