import Foundation
import ZOCore
import ZOModel

/// Shared by the fuzz targets: bytes from libFuzzer, a small memory limit (so that a valid but
/// large input is a ZOError from `MemoryBudget`, not libFuzzer's out-of-memory report), and an
/// invariant check that crashes loudly (the fuzzer records the input).
public enum Fuzz {
    /// Call once per process (LLVMFuzzerInitialize): sizes above 256 MiB are refused by MemoryBudget.
    public static func setUp() { setenv("ZOCHECK_MEMORY_LIMIT", "\(256 << 20)", 1) }

    public static func data(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Data {
        guard let start, count > 0 else { return Data() }
        return Data(bytes: start, count: count)
    }

    /// A broken invariant: abort with a message, so that libFuzzer saves the input as a crash.
    public static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition {
            FileHandle.standardError.write(Data("invariant broken: \(message())\n".utf8))
            abort()
        }
    }

    /// A vocabulary for the tokenizer target: the special tokens, ASCII letters and digits, punctuation,
    /// accented and CJK characters, and word pieces, as in a BERT uncased vocab.txt.
    public static let vocabulary: [String] = {
        var v = ["[PAD]"] + (1...99).map { "[unused\($0)]" } + ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        v += "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".map(String.init)
        v += (0...9).map(String.init) + (UInt8(ascii: "a")...UInt8(ascii: "z")).map { String(UnicodeScalar($0)) }
        v += ["the", "a", "movie", "film", "good", "bad", "not", "un", "##s", "##ed", "##ing", "##ly", "##a", "##e"]
        v += ["é", "ß", "σ", "한", "中", "文", "日", "本", "##é", "##ß", "café", "naive", "##ive", "i", "##i"]
        return v
    }()
}
