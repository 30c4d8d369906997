import Foundation
import ZOCore

/// One tensor to write: values, shape and the on-disk dtype.
public struct SafeTensor: Sendable, Equatable {
    public enum Values: Sendable, Equatable {
        /// Stored as F32, F16 or BF16 (narrowed with round-to-nearest-even).
        case float([Float], SafeTensorDType)
        case int64([Int64])
    }

    public var name: String
    public var shape: [Int]
    public var values: Values

    public init(name: String, shape: [Int], floats: [Float], dtype: SafeTensorDType = .f32) {
        self.name = name
        self.shape = shape
        self.values = .float(floats, dtype)
    }

    public init(name: String, shape: [Int], int64s: [Int64]) {
        self.name = name
        self.shape = shape
        self.values = .int64(int64s)
    }

    public var dtype: SafeTensorDType {
        switch values {
        case .float(_, let d): d
        case .int64: .i64
        }
    }

    var count: Int {
        switch values {
        case .float(let v, _): v.count
        case .int64(let v): v.count
        }
    }
}

/// Writes safetensors files that `SafeTensorFile` (and the reference Python loader) read back.
///
/// Layout choices: tensors in the order given, packed with no gaps (the reader insists on that);
/// the JSON header padded with spaces to a multiple of 8 bytes so the data buffer starts 8-aligned
/// in the file, as the reference writer does; metadata under `__metadata__` when non-empty.
public enum SafeTensorWriter {
    /// The complete file bytes.
    public static func encode(_ tensors: [SafeTensor], metadata: [String: String] = [:]) throws(ZOError) -> Data {
        try validate(tensors)
        var entries: [String] = []
        if !metadata.isEmpty {
            let items = metadata.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }
            entries.append("\"__metadata__\":{\(items.joined(separator: ","))}")
        }
        var offset = 0
        for t in tensors {
            let size = t.count * t.dtype.byteSize
            let shape = t.shape.map(String.init).joined(separator: ",")
            entries.append(
                jsonString(t.name)
                    + ":{\"dtype\":\"\(t.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + size)]}"
            )
            offset += size
        }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var out = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        for t in tensors { appendValues(t, to: &out) }
        return out
    }

    /// Encodes and writes atomically (temporary file, then rename), so a crash never leaves a
    /// half-written file under `url`.
    public static func write(_ tensors: [SafeTensor], metadata: [String: String] = [:], to url: URL) throws(ZOError) {
        let data = try encode(tensors, metadata: metadata)
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw ZOError(
                "cannot write \(url.path): \(error.localizedDescription)", at: "SafeTensorWriter.write",
                fix: "check that the directory exists and is writable")
        }
    }

    private static func validate(_ tensors: [SafeTensor]) throws(ZOError) {
        var seen = Set<String>()
        for t in tensors {
            let at = "SafeTensorWriter, tensor '\(t.name)'"
            guard t.name != "__metadata__" else {
                throw ZOError("the name __metadata__ is reserved", at: at, fix: "rename the tensor")
            }
            guard seen.insert(t.name).inserted else {
                throw ZOError("duplicate tensor name", at: at, fix: "give every tensor a unique name")
            }
            if case .float(_, .i64) = t.values {
                throw ZOError(
                    "float values cannot be stored as I64", at: at, fix: "pass Int64 values, or a float dtype")
            }
            guard t.shape.allSatisfy({ $0 >= 0 }) else {
                throw ZOError("negative dimension in shape \(t.shape)", at: at, fix: "use sizes ≥ 0")
            }
            var expected = 1
            for d in t.shape {
                let (p, overflow) = expected.multipliedReportingOverflow(by: d)
                guard !overflow else {
                    throw ZOError("shape \(t.shape) overflows Int", at: at, fix: "use a smaller shape")
                }
                expected = p
            }
            guard expected == t.count else {
                throw ZOError(
                    "shape \(t.shape) needs \(expected) values, got \(t.count)", at: at,
                    fix: "pass values matching the shape")
            }
        }
    }

    private static func appendValues(_ t: SafeTensor, to out: inout Data) {
        switch t.values {
        case .float(let v, .f32):
            var le = v.map { $0.bitPattern.littleEndian }
            le.withUnsafeMutableBytes { out.append(contentsOf: $0) }
        case .float(let v, .f16):
            var le = v.map { HalfPrecision.f16(from: $0).littleEndian }
            le.withUnsafeMutableBytes { out.append(contentsOf: $0) }
        case .float(let v, .bf16):
            var le = v.map { HalfPrecision.bf16(from: $0).littleEndian }
            le.withUnsafeMutableBytes { out.append(contentsOf: $0) }
        case .float(_, .i64):
            break  // rejected by validate(_:)
        case .int64(let v):
            var le = v.map { $0.littleEndian }
            le.withUnsafeMutableBytes { out.append(contentsOf: $0) }
        }
    }

    /// A JSON string literal with the required escapes (quote, backslash, controls as \u00XX).
    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
