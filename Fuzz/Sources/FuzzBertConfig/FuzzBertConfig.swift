import FuzzSupport
import ZOModel

// config.json on arbitrary bytes: BertConfig(json:) must throw a ZOError or give a config from which
// the encoder (its parameter layout) is built or refused with a ZOError — never an overflow trap.

@_cdecl("LLVMFuzzerInitialize")
public func initialize(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> Int32 {
    Fuzz.setUp()
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBertConfig(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    guard let bert = try? BertConfig(json: Fuzz.data(start, count), source: "fuzz") else { return 0 }
    for layers in [nil, 0, 1] {
        guard let config = try? EncoderConfig(bert, layers: layers, classes: 2) else { continue }
        if let encoder = try? BertEncoder<Float>(config) {
            Fuzz.require(encoder.layout.parameters.count > 0, "an encoder without parameters")
        }
        _ = try? EncoderActivations<Float>.checkFits(config, batch: 16, length: min(config.maxPositions, 64))
    }
    return 0
}
