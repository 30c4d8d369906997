import FuzzSupport
import ZOModel

// vocab.txt on arbitrary bytes: TextLines.split then WordPieceTokenizer(tokens:) must throw a ZOError
// or give a tokenizer whose encodings hold only ids of the vocabulary, [CLS] first and [SEP] last.

@_cdecl("LLVMFuzzerInitialize")
public func initialize(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> Int32 {
    Fuzz.setUp()
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVocabulary(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    guard let tokens = try? TextLines.split(Fuzz.data(start, count), source: "fuzz"),
        let tokenizer = try? WordPieceTokenizer(tokens: tokens, source: "fuzz")
    else { return 0 }
    for text in ["The movie was not good, café [SEP] 한국어 中文!", "", "[CLS][UNK]", String(repeating: "ab ", count: 40)] {
        guard let ids = try? tokenizer.encode(text, maxLength: 32) else {
            Fuzz.require(false, "encode threw for maxLength 32")
            return 0
        }
        Fuzz.require(ids.first == tokenizer.classID && ids.last == tokenizer.separatorID, "no [CLS] … [SEP]")
        Fuzz.require(ids.count <= 32 && ids.allSatisfy { (0..<tokenizer.vocabularySize).contains($0) }, "bad ids")
        _ = try? tokenizer.jsonLine(text, maxLength: 32, includeTokens: true)
    }
    return 0
}
