import FuzzSupport
import ZOModel

// The safetensors reader on arbitrary bytes: parsing and validation must either throw a ZOError or
// give tensors whose byte ranges tile the buffer, and reading every tensor must not trap.

@_cdecl("LLVMFuzzerInitialize")
public func initialize(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> Int32 {
    Fuzz.setUp()
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let data = Fuzz.data(start, count)
    guard let file = try? SafeTensorFile(data: data, source: "fuzz") else { return 0 }
    var cursor = 0
    for t in file.tensors {
        Fuzz.require(t.byteRange.lowerBound == cursor, "tensor \(t.name) does not start at \(cursor)")
        Fuzz.require(t.count * t.dtype.byteSize == t.byteRange.count, "tensor \(t.name) size mismatch")
        cursor = t.byteRange.upperBound
        if t.dtype.isFloatingPoint {
            let values = try? file.floats(t.name)
            Fuzz.require(values?.count == t.count, "floats(\(t.name)) returned the wrong count")
        } else {
            let values = try? file.int64s(t.name)
            Fuzz.require(values?.count == t.count, "int64s(\(t.name)) returned the wrong count")
        }
    }
    return 0
}
