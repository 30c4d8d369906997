import Foundation

/// BERT's text normalisation and pre-tokenisation on Unicode scalars (steps 2–5 of
/// `WordPieceTokenizer`), after HF tokenizers' `BertNormalizer` (clean_text, handle_chinese_chars,
/// strip_accents = lowercase = true) and `BertPreTokenizer`.
///
/// Character classes follow the Rust code, not Python's: "control" is Cc, Cf or Co (Rust
/// `is_other` as the model's tokenizer behaves: unassigned Cn scalars such as U+0378 survive and
/// become [UNK]); "whitespace" is the Unicode White_Space property plus tab/LF/CR, so U+2028
/// splits words (Python's slow tokenizer disagrees there). General categories come from the
/// Swift runtime's Unicode tables, which may be newer than the Rust crate's: scalars assigned
/// in recent Unicode versions could be classified differently.
public enum BertNormalization {
    /// Words and single-punctuation words of one text segment (no special tokens inside).
    public static func words<C: Collection>(_ text: C) -> [[Unicode.Scalar]] where C.Element == Unicode.Scalar {
        let normalized = lowercase(stripAccents(padCJK(clean(text))))
        var words: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for s in normalized {
            if isWhitespace(s) {
                if !current.isEmpty {
                    words.append(current)
                    current = []
                }
            } else if isPunctuation(s) {
                if !current.isEmpty {
                    words.append(current)
                    current = []
                }
                words.append([s])
            } else {
                current.append(s)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// Drops NUL, U+FFFD and controls; maps whitespace to " ".
    static func clean<C: Collection>(_ text: C) -> [Unicode.Scalar] where C.Element == Unicode.Scalar {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        for s in text where s.value != 0 && s.value != 0xFFFD && !isControl(s) {
            out.append(isWhitespace(s) ? " " : s)
        }
        return out
    }

    static func padCJK(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains(where: isCJK) else { return text }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count + 16)
        for s in text {
            if isCJK(s) { out += [" ", s, " "] } else { out.append(s) }
        }
        return out
    }

    /// NFD, then drop nonspacing marks (Mn). ASCII-only text is returned as is (NFD is the identity on it).
    static func stripAccents(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains(where: { !$0.isASCII }) else { return text }
        let nfd = String(String.UnicodeScalarView(text)).decomposedStringWithCanonicalMapping
        return nfd.unicodeScalars.filter { $0.properties.generalCategory != .nonspacingMark }
    }

    /// Full lowercase mapping scalar by scalar, like Rust's `char::to_lowercase` (no final-sigma context).
    static func lowercase(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        for s in text {
            if s.isASCII {
                out.append((0x41...0x5A).contains(s.value) ? Unicode.Scalar(UInt8(s.value + 32)) : s)
            } else {
                out += s.properties.lowercaseMapping.unicodeScalars
            }
        }
        return out
    }

    /// Tab, LF and CR count as whitespace, not control.
    public static func isControl(_ s: Unicode.Scalar) -> Bool {
        if s == "\t" || s == "\n" || s == "\r" { return false }
        switch s.properties.generalCategory {
        case .control, .format, .privateUse, .surrogate: return true
        default: return false
        }
    }

    public static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        s == "\t" || s == "\n" || s == "\r" || s.properties.isWhitespace
    }

    /// ASCII punctuation ranges (which include symbols such as $ + < = > ^ ` | ~) or any Unicode P* scalar.
    public static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) {
            return true
        }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// The CJK Unified Ideographs blocks BERT pads (not Hiragana, Katakana or Hangul). The Rust
    /// tokenizer starts the Extension E block at U+2B920 where Python's BERT says U+2B820; this
    /// follows Rust (checked: U+2B820 is not padded by the model's tokenizer).
    public static func isCJK(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
            0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
