import Foundation
import Testing
import ZOCore
import ZOTestSupport

@testable import ZOModel

/// Reader/writer round trips, every rejection path, and the real model file when present.
@Suite struct SafeTensorsTests {
    /// Raw file bytes: a declared header length (default: the header's), the header, the data.
    func raw(_ header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> Data {
        let h = Array(header.utf8)
        var out = Data()
        withUnsafeBytes(of: (declaredLength ?? UInt64(h.count)).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: h)
        out.append(contentsOf: data)
        return out
    }

    @Test func roundTripEveryDType() throws {
        let values: [Float] = [0, 1, -2.5, 0.1, 65504, -1e-3]
        let tensors = [
            SafeTensor(name: "w", shape: [2, 3], floats: values),
            SafeTensor(name: "half", shape: [6], floats: values, dtype: .f16),
            SafeTensor(name: "brain", shape: [3, 2], floats: values, dtype: .bf16),
            SafeTensor(name: "ids", shape: [1, 3], int64s: [0, -7, Int64.max]),
            SafeTensor(name: "scalar", shape: [], floats: [3.25]),
            SafeTensor(name: "empty", shape: [0, 4], floats: []),
        ]
        let dir = try scratchDirectory("roundtrip")
        let url = dir.appendingPathComponent("t.safetensors")
        try SafeTensorWriter.write(tensors, metadata: ["format": "pt", "quote\"d": "a\nb"], to: url)
        let file = try SafeTensorFile(contentsOf: url)
        #expect(file.metadata == ["format": "pt", "quote\"d": "a\nb"])
        #expect(file.names == ["w", "half", "brain", "ids", "scalar", "empty"])
        #expect(try file.floats("w") == values)
        #expect(try file.info("w").shape == [2, 3])
        #expect(try file.floats("half") == values.map { HalfPrecision.float(fromF16: HalfPrecision.f16(from: $0)) })
        #expect(try file.floats("brain") == values.map { HalfPrecision.float(fromBF16: HalfPrecision.bf16(from: $0)) })
        #expect(try file.int64s("ids") == [0, -7, Int64.max])
        #expect(try file.floats("scalar") == [3.25])
        #expect(try file.floats("empty") == [])
        // The header is space-padded so the data buffer starts 8-aligned, as the reference writer does.
        let data = try Data(contentsOf: url)
        let n = data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        #expect(n % 8 == 0)
        try? FileManager.default.removeItem(at: dir)
    }

    @Test func readsIntoAFlatBufferView() throws {
        let file = try SafeTensorFile(
            data: SafeTensorWriter.encode([
                SafeTensor(name: "a", shape: [2], floats: [1, 2]),
                SafeTensor(name: "b", shape: [3], floats: [3, 4, 5]),
            ]))
        var flat = [Float](repeating: -1, count: 6)
        try flat.withUnsafeMutableBufferPointer { p in
            try file.floats("b", into: UnsafeMutableBufferPointer(rebasing: p[1..<4]))
        }
        #expect(flat == [-1, 3, 4, 5, -1, -1])
        expectZOError("destination holds 2") {
            var two = [Float](repeating: 0, count: 2)
            try two.withUnsafeMutableBufferPointer { try file.floats("b", into: $0) }
        }
        expectZOError("not floating point") {
            _ = try SafeTensorFile(data: SafeTensorWriter.encode([SafeTensor(name: "i", shape: [1], int64s: [1])]))
                .floats("i")
        }
        expectZOError("not I64") { _ = try file.int64s("a") }
        expectZOError("no tensor named 'zz'") { _ = try file.floats("zz") }
    }

    @Test func rejectsBadHeaderLength() {
        expectZOError("shorter than the 8-byte header length") { _ = try SafeTensorFile(data: Data([1, 0, 0])) }
        expectZOError("above the 100000000-byte limit") {
            _ = try SafeTensorFile(data: raw("{}", declaredLength: 1 << 40))
        }
        expectZOError("above the 100000000-byte limit") {
            _ = try SafeTensorFile(data: raw("{}", declaredLength: .max))
        }
        expectZOError("truncated: the header claims 50 bytes") {
            _ = try SafeTensorFile(data: raw("{}", declaredLength: 50))
        }
    }

    @Test func rejectsBadJSON() {
        expectZOError("not valid JSON") { _ = try SafeTensorFile(data: raw("{\"a\": ")) }
        expectZOError("not valid UTF-8") {
            var d = raw("{\"\u{7F}\":{}}")
            d[10] = 0xFF
            _ = try SafeTensorFile(data: d)
        }
        expectZOError("not valid JSON") { _ = try SafeTensorFile(data: raw("{} trailing")) }
        expectZOError("nesting deeper than 64") {
            _ = try SafeTensorFile(data: raw(String(repeating: "[", count: 10_000)))
        }
        expectZOError("JSON array, not an object") { _ = try SafeTensorFile(data: raw("[]")) }
        expectZOError("names 'a' twice") {
            _ = try SafeTensorFile(
                data: raw(
                    #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                    data: [UInt8](repeating: 0, count: 8)))
        }
        expectZOError("__metadata__['k'] in <memory> is a number") {
            _ = try SafeTensorFile(data: raw(#"{"__metadata__":{"k":1}}"#))
        }
    }

    @Test func rejectsBadEntries() {
        func entry(_ fields: String, bytes: Int = 4) -> Data {
            raw("{\"t\":{\(fields)}}", data: [UInt8](repeating: 0, count: bytes))
        }
        expectZOError("unsupported dtype F64") {
            _ = try SafeTensorFile(data: entry(#""dtype":"F64","shape":[1],"data_offsets":[0,8]"#, bytes: 8))
        }
        expectZOError("missing or non-string \"dtype\"") {
            _ = try SafeTensorFile(data: entry(#""shape":[1],"data_offsets":[0,4]"#))
        }
        expectZOError("shape entries must be integers") {
            _ = try SafeTensorFile(data: entry(#""dtype":"F32","shape":[-1],"data_offsets":[0,4]"#))
        }
        expectZOError("shape entries must be integers") {
            _ = try SafeTensorFile(data: entry(#""dtype":"F32","shape":[1.5],"data_offsets":[0,4]"#))
        }
        expectZOError("overflows") {
            _ = try SafeTensorFile(data: entry(#""dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]"#))
        }
        expectZOError("needs 8") {
            _ = try SafeTensorFile(data: entry(#""dtype":"F32","shape":[2],"data_offsets":[0,4]"#))
        }
        expectZOError("0 ≤ begin ≤ end") {
            _ = try SafeTensorFile(data: entry(#""dtype":"F32","shape":[1],"data_offsets":[4,0]"#))
        }
        expectZOError("0 ≤ begin ≤ end") {
            _ = try SafeTensorFile(data: entry(#""dtype":"F32","shape":[1],"data_offsets":[0]"#))
        }
        expectZOError("0 ≤ begin ≤ end") {
            _ = try SafeTensorFile(data: entry(#""dtype":"F32","shape":[1],"data_offsets":[0,99999999999999999999]"#))
        }
    }

    @Test func rejectsBadLayout() {
        let two =
            #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[%@]}}"#
        func file(_ offsets: String, bytes: Int) -> Data {
            raw(two.replacingOccurrences(of: "%@", with: offsets), data: [UInt8](repeating: 0, count: bytes))
        }
        #expect(throws: Never.self) { _ = try SafeTensorFile(data: file("8,16", bytes: 16)) }
        expectZOError("overlaps the previous tensor") { _ = try SafeTensorFile(data: file("4,12", bytes: 16)) }
        expectZOError("leaves a gap") { _ = try SafeTensorFile(data: file("12,20", bytes: 20)) }
        expectZOError("truncated or out of range") { _ = try SafeTensorFile(data: file("8,16", bytes: 12)) }
        expectZOError("cover 16 bytes but the data buffer has 20") {
            _ = try SafeTensorFile(data: file("8,16", bytes: 20))
        }
    }

    @Test(.enabled(if: Assets.modelPresent, Assets.skipMessage))
    func readsTheModelFile() throws {
        let file = try SafeTensorFile(contentsOf: Assets.cache.url(for: .modelWeights))
        #expect(file.metadata == ["format": "pt"])
        #expect(file.tensors.count == 104)
        #expect(try file.info("embeddings.word_embeddings.weight").shape == [30522, 384])
        #expect(try file.int64s("embeddings.position_ids") == (0..<512).map(Int64.init))
        let params = file.tensors.filter { $0.dtype == .f32 }.map(\.count).reduce(0, +)
        #expect(params == 22_713_216)
        let gamma = try file.floats("embeddings.LayerNorm.weight")
        #expect(gamma.count == 384 && gamma.allSatisfy(\.isFinite))
    }
}
