import FuzzSupport
import ZOModel

// The tokenizer on arbitrary text: the input bytes are read as lines by the CLI's own reader rule
// (TextLines.split: invalid UTF-8 is a ZOError) and, separately, decoded leniently; every line is
// normalised and split into word pieces; the encoding must start with [CLS], end with [SEP], hold only
// vocabulary ids and respect maxLength.

nonisolated(unsafe) var tokenizer: WordPieceTokenizer? = nil

@_cdecl("LLVMFuzzerInitialize")
public func initialize(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> Int32 {
    Fuzz.setUp()
    tokenizer = try? WordPieceTokenizer(tokens: Fuzz.vocabulary, source: "fuzz vocabulary")
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenizer(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    guard let tokenizer else {
        Fuzz.require(false, "the fuzz vocabulary does not build a tokenizer")
        return 0
    }
    let data = Fuzz.data(start, count)
    var texts = [String(decoding: data, as: UTF8.self)]
    texts += (try? TextLines.split(data, source: "fuzz")) ?? []
    let maxLength = 2 + (count % 40)
    for text in texts {
        guard let ids = try? tokenizer.encode(text, maxLength: maxLength) else {
            Fuzz.require(false, "encode threw for maxLength \(maxLength)")
            return 0
        }
        Fuzz.require(ids.first == tokenizer.classID && ids.last == tokenizer.separatorID, "no [CLS] … [SEP]")
        Fuzz.require(ids.count <= maxLength, "\(ids.count) ids exceed maxLength \(maxLength)")
        Fuzz.require(ids.allSatisfy { (0..<tokenizer.vocabularySize).contains($0) }, "an id outside the vocabulary")
        _ = tokenizer.tokenize(text)
    }
    return 0
}
