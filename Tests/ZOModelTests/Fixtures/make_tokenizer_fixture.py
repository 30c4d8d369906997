#!/usr/bin/env python3
"""Reference token ids for WordPieceTokenizerTests, from the model's own tokenizer.json.

Run from the repository root after `make assets`, with `pip install tokenizers` (0.23.3 was used):

    python3 Tests/ZOModelTests/Fixtures/make_tokenizer_fixture.py [CACHE_DIR]

Writes into Tests/ZOModelTests/Fixtures/:
  vader_movie_token_ids.txt   one line per line of movieReviewSnippets_GroundTruth.txt (all 10,605,
                              in file order): space-separated ids with [CLS]/[SEP], no truncation.
  tokenizer_hard_cases.jsonl  {"text", "ids"} per line, the model vocabulary, no truncation:
                              hand-written hard cases, then seeded random strings over tricky scalars.
  tiny_vocab.txt              a 200-odd-token vocabulary, so that the next file needs no assets.
  tokenizer_hard_cases_tiny.jsonl  the same texts through the same pipeline with tiny_vocab.txt.

The reference is the Rust `tokenizers` pipeline the model ships (BertNormalizer, BertPreTokenizer,
WordPiece, TemplateProcessing), which is what BertTokenizerFast and sentence-transformers run.
The tiny tokenizer is the model's tokenizer.json with only the vocabulary replaced.
"""
import json
import os
import random
import sys

from tokenizers import Tokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
CACHE = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("ZOCHECK_CACHE", os.path.join(ROOT, ".cache", "assets"))

HARD = [
    "", " ", "   \t\n  ", "Hello, World!", "hello world", "HELLO   WORLD", "tab\tseparated\tvalues",
    "line\nbreaks\r\nand\rreturns", "naïve café résumé", "Crème brûlée à la mode", "Ångström Øre Æsir",
    "e\u0301 (combining acute)", "x\u0301y\u0308z", "ﬁne ﬂour ﬀ", "İstanbul ıi", "ΟΔΟΣ ΟΔΟΣ. Σ", "straße STRASSE ẞ",
    "中文字符 and 日本語 かな カタカナ", "한국어 텍스트", "混合mixed文本", "\u3400\u4dbf \U00020000 \U0002B820x \U0002B920x",
    "\u0000null\u0000 \ufffdreplacement\ufffd", "bell\u0007 escape\u001b del\u007f", "zero\u200bwidth\u200djoiner",
    "soft\u00adhyphen", "bom\ufeffmark", "private\ue000use \U000F0000", "nbsp\u00a0here ideographic\u3000space",
    "line\u2028separator para\u2029separator nel\u0085x vt\u000bff\u000c", "unassigned\u0378x",
    "emoji 😀 🥰 🫠 👍🏽 👨‍👩‍👧 🇺🇸", "❤️ ♥ ★ ☺", "numbers 123 4.56 7,890 1e10 0x1F -42 3/4 ½ ² ①",
    "$100 + 20% = €120 < £200 > ¥ ^ ` | ~ @ # &", "punct!!! ??? ... --- ___ ((( ))) [[[ ]]] {{{ }}}",
    "«quotes» “curly” ‘single’ „low“ ‹angle›", "dashes – — ‐ ‑ ‒ ― and ellipsis …", "¿Qué? ¡Sí! 「括弧」 『二重』 【】 、。",
    "word's don't ''double'' \"quoted\"", "can't won't shouldn't y'all", "e-mail co-operate well-being",
    "URL https://example.com/path?q=1&r=2#frag", "email someone@example.org", "@user #hashtag",
    "a" * 100, "b" * 101, "abc" * 40, "unaffable", "supercalifragilisticexpialidocious",
    "antidisestablishmentarianism", "[CLS] [SEP] [PAD] [MASK] [UNK]", "[mask] [Mask] [ MASK ]", "x[MASK]y[SEP]z",
    "[[MASK]] [MASK][MASK]", "ǅungla ǆ Ǆ", "K Å Ω ℃", "Ⅻ ⅻ ⓐ Ⓐ", "ｆｕｌｌｗｉｄｔｈ　ＡＢＣ１２３", "ﾊﾟﾋﾟ ｶﾞ",
    "עברית עם ניקוד שָׁלוֹם", "العربية مع التشكيل", "हिन्दी देवनागरी", "ไทย ภาษา", "Ελληνικά άέήίόύώ ΐΰ",
    "Кириллица ЁЖИК йод", "x\u0345 \u0345", "\u0300leading combining", "tab\t\t\ttabs", "  leading and trailing  ",
    "mixed\u2003em\u2009thin\u202fnarrow\u205fmath", "The film's ''Conan'' and Van Damme's 21st-century splash.",
]

# Scalars that stress each step: controls, whitespace classes, marks, punctuation classes, CJK
# boundaries, case mappings, specials' bracket, astral planes.
POOL = (list("abcdefghijklmnopqrstuvwxyzABCXYZ0123456789 ") * 3
        + list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") + ["[MASK]", "[UNK]", "[SEP]"]
        + ["\t", "\n", "\r", "\u000b", "\u000c", "\u0085", "\u00a0", "\u1680", "\u2000", "\u2028", "\u3000",
           "\u0000", "\u0001", "\u001f", "\u007f", "\u00ad", "\u200b", "\u200d", "\u2060", "\ufeff", "\ufffd",
           "\ue000", "\U000F0000", "\u0378", "\u0301", "\u0308", "\u0327", "\u0345", "\u20dd",
           "é", "È", "ñ", "Ç", "ß", "İ", "ı", "Σ", "ς", "Ω", "K", "Å", "ǅ", "ﬁ", "ẞ", "Ⅻ", "ⓐ",
           "–", "—", "…", "«", "»", "“", "”", "¿", "¡", "、", "。", "・", "‰", "§", "¶", "†", "‼", "⁇",
           "€", "£", "¥", "©", "®", "™", "°", "±", "×", "÷", "½", "²", "①",
           "中", "国", "\u3400", "\u9fff", "\U00020000", "\U0002B820", "\U0002B920", "\uf900", "\U0002F800",
           "あ", "カ", "ｶ", "ﾞ", "한", "ㄱ", "ש", "ׁ", "ع", "ً", "ह", "ि", "ไ", "😀", "🥰", "👍", "🏽", "\U0001F1FA"])


def random_cases(count, seed=20261122):
    rng = random.Random(seed)
    return ["".join(rng.choice(POOL) for _ in range(rng.randint(1, 40))) for _ in range(count)]


def load_tokenizer(path):
    tk = Tokenizer.from_file(path)
    tk.no_truncation()
    tk.no_padding()
    return tk


def tiny_vocabulary():
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    letters = list("abcdefghijklmnopqrstuvwxyz0123456789")
    words = ["hello", "world", "the", "film", "un", "##aff", "##able", "cafe", "naive", "resume", "s", "##s", "'",
             "can", "##t", "don", "istanbul", "straße", "##σ", "ο", "##δ", "##ο", "σ", "ς", "中", "文", "字", "あ", "한",
             "##in", "##ing", "##ed", "quoted", "mask", "sep", "x", "##x", "ﬁ", "##ne", "ı", "a" * 100]
    punct = list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") + ["–", "—", "…", "«", "»", "“", "”", "¿", "¡", "、", "。"]
    vocab = []
    for t in specials + letters + ["##" + c for c in letters] + words + punct:
        if t not in vocab:
            vocab.append(t)
    return vocab


def tiny_tokenizer(model_json_path, vocab):
    spec = json.load(open(model_json_path, encoding="utf-8"))
    ids = {t: i for i, t in enumerate(vocab)}
    spec["model"]["vocab"] = ids
    for added in spec["added_tokens"]:
        added["id"] = ids[added["content"]]
    for name, special in spec["post_processor"]["special_tokens"].items():
        special["ids"] = [ids[name]]
    tk = Tokenizer.from_str(json.dumps(spec))
    tk.no_truncation()
    tk.no_padding()
    return tk


def write_jsonl(path, tokenizer, texts):
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for text in texts:
            out.write(json.dumps({"text": text, "ids": tokenizer.encode(text).ids}, ensure_ascii=True) + "\n")


def main():
    model_json = os.path.join(CACHE, "all-minilm-l6-v2", "tokenizer.json")
    vader = os.path.join(CACHE, "vader", "movieReviewSnippets_GroundTruth.txt")
    tk = load_tokenizer(model_json)

    # The file has CRLF line ends and no final newline; fields are id, mean score, text.
    lines = open(vader, encoding="utf-8", newline="").read().split("\r\n")
    assert len(lines) == 10605, len(lines)
    texts = [line.split("\t", 2)[2] for line in lines]
    with open(os.path.join(HERE, "vader_movie_token_ids.txt"), "w", encoding="ascii", newline="\n") as out:
        for enc in tk.encode_batch(texts):
            out.write(" ".join(map(str, enc.ids)) + "\n")

    # Truncation as the model is configured (128, longest-first): must equal prefix + [SEP].
    truncating = Tokenizer.from_file(model_json)
    truncating.no_padding()
    for text in texts:
        full, cut = tk.encode(text).ids, truncating.encode(text).ids
        assert cut == (full if len(full) <= 128 else full[:127] + [102]), text

    hard = HARD + random_cases(3000)
    write_jsonl(os.path.join(HERE, "tokenizer_hard_cases.jsonl"), tk, hard)
    vocab = tiny_vocabulary()
    with open(os.path.join(HERE, "tiny_vocab.txt"), "w", encoding="utf-8", newline="\n") as out:
        out.write("\n".join(vocab) + "\n")
    write_jsonl(os.path.join(HERE, "tokenizer_hard_cases_tiny.jsonl"), tiny_tokenizer(model_json, vocab), hard)


if __name__ == "__main__":
    main()
