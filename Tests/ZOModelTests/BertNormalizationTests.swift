import Testing
import ZOModel
import ZOTestSupport

/// The character classes and steps, one scalar at a time (the fixtures test them end to end).
@Suite struct BertNormalizationTests {
    func words(_ s: String) -> [String] {
        BertNormalization.words(s.unicodeScalars).map { String(String.UnicodeScalarView($0)) }
    }

    @Test func controlClasses() {
        for s: Unicode.Scalar in [
            "\u{0}", "\u{7}", "\u{7F}", "\u{85}", "\u{AD}", "\u{200B}", "\u{FEFF}", "\u{E000}", "\u{F0000}",
        ] {
            #expect(BertNormalization.isControl(s), "U+\(String(s.value, radix: 16))")
        }
        for s: Unicode.Scalar in ["\t", "\n", "\r", "a", " ", "\u{378}", "\u{301}"] {
            #expect(!BertNormalization.isControl(s), "U+\(String(s.value, radix: 16))")
        }
    }

    @Test func whitespaceAndPunctuationClasses() {
        for s: Unicode.Scalar in [" ", "\t", "\u{A0}", "\u{1680}", "\u{2028}", "\u{2029}", "\u{3000}"] {
            #expect(BertNormalization.isWhitespace(s), "U+\(String(s.value, radix: 16))")
        }
        #expect(!BertNormalization.isWhitespace("\u{200B}"))
        for s: Unicode.Scalar in ["$", "+", "<", "^", "`", "|", "~", "—", "«", "¿", "、", "_"] {
            #expect(BertNormalization.isPunctuation(s))
        }
        for s: Unicode.Scalar in ["€", "©", "½", "a", "中"] { #expect(!BertNormalization.isPunctuation(s)) }
    }

    @Test func cjkBlocksFollowTheRustTokenizer() {
        #expect(
            BertNormalization.isCJK("中") && BertNormalization.isCJK("\u{3400}") && BertNormalization.isCJK("\u{2B920}"))
        #expect(!BertNormalization.isCJK("\u{2B820}"))  // Python BERT pads this one; the model's tokenizer does not
        #expect(!BertNormalization.isCJK("あ") && !BertNormalization.isCJK("한"))
    }

    @Test func pipeline() {
        #expect(words("Héllo,  WORLD!") == ["hello", ",", "world", "!"])
        #expect(words("a\u{0}b\u{FFFD}c\td") == ["abc", "d"])
        #expect(words("混合mixed") == ["混", "合", "mixed"])
        #expect(words("ΟΔΟΣ") == ["οδοσ"])  // no final sigma: lowercased scalar by scalar
        #expect(words("İx") == ["ix"])  // NFD then strip the dot above, then lowercase
        #expect(words("ﬁ") == ["ﬁ"])  // NFD keeps compatibility ligatures
        #expect(words("\u{2028}x\u{85}y") == ["xy"])
    }
}
