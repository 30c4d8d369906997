import Foundation
import ZOCore

/// Element types this reader understands. All are little-endian in the file.
public enum SafeTensorDType: String, Sendable, CaseIterable, Codable {
    case f32 = "F32"
    case f16 = "F16"
    case bf16 = "BF16"
    case i64 = "I64"

    public var byteSize: Int {
        switch self {
        case .f32: 4
        case .f16, .bf16: 2
        case .i64: 8
        }
    }

    public var isFloatingPoint: Bool { self != .i64 }
}

/// One tensor's header entry. `byteRange` is relative to the start of the data buffer.
public struct SafeTensorInfo: Sendable, Equatable {
    public var name: String
    public var dtype: SafeTensorDType
    public var shape: [Int]
    public var byteRange: Range<Int>
    /// Number of elements, ∏ shape (1 for a scalar, shape []).
    public var count: Int { shape.reduce(1, *) }
}

/// A safetensors file, read once (memory-mapped when it comes from disk) and validated whole.
///
/// Format: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
/// `{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__"?: {str: str}}`
/// (may be padded with trailing spaces), then the data buffer; offsets are relative to the buffer.
/// The checks follow the reference implementation (huggingface/safetensors `validate`): the
/// header fits in the file and is at most 100 MB, names are unique, every entry's byte length is
/// `count · byteSize` (with overflow checks), and the entries sorted by offset tile the buffer
/// exactly, so overlapping, out-of-range or gapped offsets and trailing bytes are all rejected.
/// Hazard: offsets are untrusted; nothing is sliced before these checks pass.
public struct SafeTensorFile: Sendable {
    /// The header limit of the reference implementation: a larger N is a corrupt length field.
    public static let maxHeaderBytes = 100_000_000

    /// Where the bytes came from, for error messages.
    public let source: String
    public let metadata: [String: String]
    /// Entries in data-buffer order.
    public let tensors: [SafeTensorInfo]
    private let index: [String: Int]
    private let bytes: Data
    private let dataStart: Int

    /// Reads and validates a file. The file is mapped, not copied, when the platform allows.
    public init(contentsOf url: URL) throws(ZOError) {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw ZOError(
                "cannot read \(url.path): \(error.localizedDescription)", at: "SafeTensorFile",
                fix: "check the path; for the model file run `make assets`")
        }
        try self.init(data: data, source: url.path)
    }

    /// Parses and validates bytes already in memory.
    public init(data: Data, source: String = "<memory>") throws(ZOError) {
        self.source = source
        self.bytes = data
        let header = try Self.headerBytes(data, source: source)
        self.dataStart = 8 + header.count
        let (metadata, tensors) = try Self.parseHeader(header, source: source)
        try Self.validateLayout(tensors, bufferSize: data.count - dataStart, source: source)
        self.metadata = metadata
        self.tensors = tensors
        self.index = Dictionary(uniqueKeysWithValues: tensors.enumerated().map { ($1.name, $0) })
    }

    public var names: [String] { tensors.map(\.name) }

    public func info(_ name: String) throws(ZOError) -> SafeTensorInfo {
        guard let k = index[name] else {
            throw ZOError(
                "no tensor named '\(name)' in \(source) (\(tensors.count) tensors)", at: "SafeTensorFile.info",
                fix: "use one of the names listed by `names`")
        }
        return tensors[k]
    }

    /// A floating-point tensor widened to Float (F32 copied, F16/BF16 converted exactly).
    public func floats(_ name: String) throws(ZOError) -> [Float] {
        let t = try info(name)
        var out = [Float](repeating: 0, count: t.count)
        try out.withUnsafeMutableBufferPointer { (p: inout UnsafeMutableBufferPointer<Float>) throws(ZOError) in
            try floats(name, into: p)
        }
        return out
    }

    /// Writes a floating-point tensor into `destination` (exactly `count` elements), so a model
    /// can fill a view of its one flat parameter buffer without an intermediate array.
    public func floats(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws(ZOError) {
        let t = try info(name)
        guard t.dtype.isFloatingPoint else {
            throw ZOError(
                "tensor '\(name)' in \(source) is \(t.dtype.rawValue), not floating point", at: "SafeTensorFile.floats",
                fix: "read it with int64s(_:)")
        }
        guard destination.count == t.count else {
            throw ZOError(
                """
                tensor '\(name)' has \(t.count) elements (shape \(t.shape)) but the destination holds \
                \(destination.count)
                """,
                at: "SafeTensorFile.floats", fix: "check the model configuration against the file")
        }
        let start = dataStart + t.byteRange.lowerBound
        bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let src = UnsafeRawBufferPointer(rebasing: raw[start..<(dataStart + t.byteRange.upperBound)])
            // The dtype switch sits outside the loops: the model file has 22.7M elements.
            switch t.dtype {
            case .f32:
                #if _endian(little)
                    UnsafeMutableRawBufferPointer(destination).copyMemory(from: src)
                #else
                    for i in 0..<t.count {
                        destination[i] = Float(
                            bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                    }
                #endif
            case .f16:
                for i in 0..<t.count {
                    destination[i] = HalfPrecision.float(
                        fromF16: UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                }
            case .bf16:
                for i in 0..<t.count {
                    destination[i] = HalfPrecision.float(
                        fromBF16: UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                }
            case .i64:
                break  // excluded by the guard above
            }
        }
    }

    /// An I64 tensor.
    public func int64s(_ name: String) throws(ZOError) -> [Int64] {
        let t = try info(name)
        guard t.dtype == .i64 else {
            throw ZOError(
                "tensor '\(name)' in \(source) is \(t.dtype.rawValue), not I64", at: "SafeTensorFile.int64s",
                fix: "read it with floats(_:)")
        }
        let start = dataStart + t.byteRange.lowerBound
        return bytes.withUnsafeBytes { raw in
            (0..<t.count).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: start + 8 * $0, as: Int64.self)) }
        }
    }

    // MARK: validation

    private static func headerBytes(_ data: Data, source: String) throws(ZOError) -> [UInt8] {
        let fix = "the file is corrupt or not safetensors; re-create it (for the model file run `make assets`)"
        guard data.count >= 8 else {
            throw ZOError(
                "\(source) is truncated: \(data.count) bytes, shorter than the 8-byte header length",
                at: "SafeTensorFile", fix: fix)
        }
        let n = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard n <= UInt64(maxHeaderBytes) else {
            throw ZOError(
                "\(source) declares a \(n)-byte header, above the \(maxHeaderBytes)-byte limit", at: "SafeTensorFile",
                fix: fix)
        }
        guard Int(n) <= data.count - 8 else {
            throw ZOError(
                "\(source) is truncated: the header claims \(n) bytes but only \(data.count - 8) follow the length",
                at: "SafeTensorFile", fix: fix)
        }
        let start = data.startIndex + 8
        return [UInt8](data[start..<(start + Int(n))])
    }

    private static func parseHeader(_ header: [UInt8], source: String) throws(ZOError) -> (
        [String: String], [SafeTensorInfo]
    ) {
        let fix = "the file is corrupt or not safetensors; re-create it (for the model file run `make assets`)"
        let root: JSONValue
        do { root = try JSONParser.parse(header) } catch {
            throw ZOError(
                "the header of \(source) is not valid JSON: \(error.message) at header byte \(error.offset)",
                at: "SafeTensorFile", fix: fix)
        }
        guard case .object(let members) = root else {
            throw ZOError(
                "the header of \(source) is a JSON \(root.kindName), not an object", at: "SafeTensorFile", fix: fix)
        }
        var seen = Set<String>()
        var metadata: [String: String] = [:]
        var tensors: [SafeTensorInfo] = []
        for (name, value) in members {
            guard seen.insert(name).inserted else {
                throw ZOError("the header of \(source) names '\(name)' twice", at: "SafeTensorFile", fix: fix)
            }
            if name == "__metadata__" {
                metadata = try parseMetadata(value, source: source)
            } else {
                tensors.append(try parseEntry(name, value, source: source))
            }
        }
        return (
            metadata,
            tensors.sorted {
                ($0.byteRange.lowerBound, $0.byteRange.upperBound) < ($1.byteRange.lowerBound, $1.byteRange.upperBound)
            }
        )
    }

    private static func parseMetadata(_ value: JSONValue, source: String) throws(ZOError) -> [String: String] {
        guard case .object(let items) = value else {
            throw ZOError(
                "__metadata__ in \(source) is a \(value.kindName), not an object of strings", at: "SafeTensorFile",
                fix: "write metadata as {\"key\": \"value\"}")
        }
        var out: [String: String] = [:]
        for (k, v) in items {
            guard case .string(let s) = v else {
                throw ZOError(
                    "__metadata__['\(k)'] in \(source) is a \(v.kindName), not a string", at: "SafeTensorFile",
                    fix: "write metadata values as strings")
            }
            out[k] = s
        }
        return out
    }

    private static func parseEntry(_ name: String, _ value: JSONValue, source: String) throws(ZOError) -> SafeTensorInfo
    {
        let at = "SafeTensorFile, tensor '\(name)' of \(source)"
        let fix = "the file is corrupt or not safetensors; re-create it (for the model file run `make assets`)"
        guard case .object(let fields) = value else {
            throw ZOError("the entry is a \(value.kindName), not an object", at: at, fix: fix)
        }
        func field(_ key: String) -> JSONValue? { fields.first { $0.key == key }?.value }
        guard case .string(let dtypeName)? = field("dtype") else {
            throw ZOError("missing or non-string \"dtype\"", at: at, fix: fix)
        }
        guard let dtype = SafeTensorDType(rawValue: dtypeName) else {
            throw ZOError(
                """
                unsupported dtype \(dtypeName) (ZOCheck reads \
                \(SafeTensorDType.allCases.map(\.rawValue).joined(separator: ", ")))
                """,
                at: at, fix: "convert the tensor to F32 before saving")
        }
        guard case .array(let shapeItems)? = field("shape") else {
            throw ZOError("missing or non-array \"shape\"", at: at, fix: fix)
        }
        var shape: [Int] = []
        var count = 1
        for item in shapeItems {
            guard let d = item.exactInt, d >= 0 else {
                throw ZOError("shape entries must be integers ≥ 0", at: at, fix: fix)
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else {
                throw ZOError("the element count of shape \(shapeItems.count)-D overflows", at: at, fix: fix)
            }
            shape.append(d)
            count = product
        }
        guard case .array(let offsets)? = field("data_offsets"), offsets.count == 2,
            let begin = offsets[0].exactInt, let end = offsets[1].exactInt, 0 <= begin, begin <= end
        else { throw ZOError("\"data_offsets\" must be [begin, end] with 0 ≤ begin ≤ end", at: at, fix: fix) }
        let (bytesNeeded, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow, bytesNeeded == end - begin else {
            throw ZOError(
                """
                data_offsets span \(end - begin) bytes but \(dtype.rawValue) × \(shape) needs \
                \(overflow ? "more than Int.max" : String(bytesNeeded))
                """,
                at: at, fix: fix)
        }
        return SafeTensorInfo(name: name, dtype: dtype, shape: shape, byteRange: begin..<end)
    }

    /// `sorted` must be in offset order. Each entry must start where the previous one ended and
    /// the last must end at the buffer's end: this rejects overlap, gaps, out-of-range and trailing bytes.
    private static func validateLayout(_ sorted: [SafeTensorInfo], bufferSize: Int, source: String) throws(ZOError) {
        let fix = "the file is corrupt or truncated; re-create it (for the model file run `make assets`)"
        var cursor = 0
        for t in sorted {
            guard t.byteRange.upperBound <= bufferSize else {
                throw ZOError(
                    """
                    tensor '\(t.name)' ends at byte \(t.byteRange.upperBound) but the data buffer has \
                    \(bufferSize) bytes (truncated or out of range)
                    """,
                    at: "SafeTensorFile(\(source))", fix: fix)
            }
            guard t.byteRange.lowerBound == cursor else {
                let problem =
                    t.byteRange.lowerBound < cursor
                    ? "overlaps the previous tensor" : "leaves a gap after the previous tensor"
                throw ZOError(
                    "tensor '\(t.name)' at bytes \(t.byteRange) \(problem) (which ends at \(cursor))",
                    at: "SafeTensorFile(\(source))", fix: fix)
            }
            cursor = t.byteRange.upperBound
        }
        guard cursor == bufferSize else {
            throw ZOError(
                "the tensors cover \(cursor) bytes but the data buffer has \(bufferSize)",
                at: "SafeTensorFile(\(source))", fix: fix)
        }
    }
}
