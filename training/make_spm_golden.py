"""Golden ids for the Java SentencePiece tokenizers, from Python SentencePiece (Debian's python3-sentencepiece).

Writes, under testdata/spm/ (byte-identical on rerun; run with /usr/bin/python3):
  bpe-bytes.model   BPE, identity normalisation, byte fallback: trained here on a seeded synthetic corpus
  uni-raw.model     Unigram, identity normalisation, no dummy prefix, whitespace kept as is: trained here too
  s2s-en-de-small.spm  the shipped default model's SentencePiece model, rebuilt from models/s2s-en-de-small/tokenizer.json
                    (its .spm is not in the repository): the Marian-layout test writes it as source.spm/target.spm
  golden.jsonl      one line per input: {"text", "tiny", "tiny_pieces", "tiny_decoded", "bpe", "raw", "default"}
                    (ids without special tokens, as SentencePieceProcessor.encode gives them)
Reads tiny-spm.model (a copy of training/fixtures/tiny-spm.model, Unigram with nmt_nfkc) beside them, and
REPO/models/s2s-en-de-small/tokenizer.json.

Usage: /usr/bin/python3 training/make_spm_golden.py [--main REPO]  (REPO: this repository, the default)"""
import argparse
import base64
import json
import os
import random
import re
import struct
import tempfile
import unicodedata

import sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2 as pb

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "testdata", "spm")

BASE = [
    "Hello world.", "The file could not be opened.", "Please restart the computer now.", "A",
    "Open the door, close the window and go home quickly please.", "Where is the nearest train station?",
    "I would like a cup of coffee with milk, no sugar.", "The meeting has been moved to Thursday at 3 pm.",
    "Error 404: page not found.", "Save your changes before closing the document.",
    "Das Wetter ist heute schön.", "Ich möchte gerne ein Zimmer für zwei Nächte reservieren.",
    "Die Datei konnte nicht geöffnet werden.", "Straße, Größe, Übermaß, Äpfel und Öl.",
    "Können Sie mir bitte helfen?", "Der Zug fährt um 8:15 Uhr ab.", "Vielen Dank für Ihre Geduld!",
    "It costs $1,299.99 (tax incl.) — a 15% discount.", "Version 2.0.1-beta was released on 2024-03-01.",
    "Call +49 30 1234567 or mail info@example.org.", "C'est la vie, n'est-ce pas ?", "¿Dónde está la biblioteca?",
    "The quick brown fox jumps over the lazy dog.", "print('hello'); x = a[i] + b{j} * 3 / 4 - 5 ^ 2",
    "New York, São Paulo, Zürich, Kraków, Reykjavík.", "naïve café résumé coöperate façade jalapeño",
    "He said: \"don't do that!\" — and left…", "50 °C is 122 °F; 1 µm = 10⁻⁶ m; ½ + ¼ = ¾",
    "Click “OK” to continue, or ‘Cancel’ to stop.", "Tab\tseparated\tvalues", "line one\nline two\r\nline three",
    "UPPER CASE SENTENCE WITH NUMBERS 12345", "lower case sentence without punctuation",
    "Mixed123Numbers456And789Letters", "a b c d e f g h i j k l m n o p q r s t u v w x y z",
    "supercalifragilisticexpialidocious antidisestablishmentarianism", "Donaudampfschifffahrtsgesellschaftskapitän",
]

SPECIAL = [
    "", " ", "  ", "\t", "\n", "\r\n", " \t \n ", "   leading", "trailing   ", "  both  ends  ",
    "many     inner      spaces", "tabs\t\tand\t\t\tmore", "new\n\nlines\n\n\n", "\u3000ideographic\u3000space\u3000",
    "no\u00a0break\u00a0space", "thin\u2009space\u200aand\u2002en", "zero\u200bwidth\u200cjoiner\u200dhere",
    "soft\u00adhyphen", "bidi\u200emarks\u200f", "\ufeffBOM at start", "line\u2028sep\u2029para", "nel\u0085char",
    "ＦＵＬＬ－ＷＩＤＴＨ　ｌｅｔｔｅｒｓ　１２３", "ｈｅｌｌｏ，ｗｏｒｌｄ！", "ﬁne ﬂour ﬀ ﬃ ﬄ ﬅ ﬆ", "Ⅻ Ⅳ ⅷ ⑴ ① ㈱ ㍿ ℡ ™ ℃",
    "e\u0301 a\u0300 o\u0308 n\u0303 c\u0327", "A\u030a\u0301 stacked a\u0323\u0302 marks", "Å Å Å", "ǅ ǆ Ǆ ĳ Ĳ ŉ",
    "x² y³ H₂O CO₂ 10⁹", "…‥ ‼ ⁇ ⁈ ‐ ‑ ‒ – — ―", "«Guillemets» „Anführungszeichen“ ‚einfach‘",
    "ｶﾀｶﾅ ﾊﾝｶｸ ﾊﾟﾋﾟﾌﾟ", "ガギグゲゴ パピプペポ", "ﾞ ﾟ ゛ ゜", "㌔ ㌘ ㍉ ㎏ ㎞ ㏄",
    "日本語のテキストです。", "中文文本，包括标点符号。", "한국어 텍스트입니다.", "汉字 漢字 かな カナ",
    "مرحبا بالعالم", "العربية: ﻻ ﷺ ﷽", "שלום עולם", "Привет, мир! Ёжик", "Γειά σου Κόσμε ς σ Σ",
    "नमस्ते दुनिया", "สวัสดีชาวโลก", "ሰላም ለዓለም", "Xin chào thế giới", "Türkçe ı İ i I ğ ş",
    "😀 😃 😄", "👍🏽 thumbs", "👨‍👩‍👧‍👦 family", "🇩🇪 🇺🇸 flags", "❤️ ❤ ♥", "emoji🙂inside🙃words",
    "𝐁𝐨𝐥𝐝 𝑖𝑡𝑎𝑙𝑖𝑐 𝔉𝔯𝔞𝔨𝔱𝔲𝔯 𝟙𝟚𝟛", "𠜎𠜱𠝹 rare CJK ext B", "\U0001F600\U0001F600\U0001F600",
    "☃ ☂ ☯ ♞ ⚡ ✓ ✗", "∀x∈ℝ: x²≥0 ∑∫∂√∞≠≈", "→ ← ↑ ↓ ⇒ ⇔", "§ ¶ † ‡ • ° © ® ℗",
    "\x00nul\x01ctrl\x07bell\x1besc", "\x7fdel\x80\x9fc1", "\ue000private\uf8ffuse", "\ufffd replacement",
    "▁already▁has▁meta", "▁", "▁▁", " ▁ x", "<unk>", "</s>", "<pad>", "<s>", "text </s> inside", "<unk> and <pad>",
    "__en__", "__de__ Hallo", ">>de<< Hello", "&amp; &lt;tag&gt; &#39;", "http://example.com/a?b=c&d=e#f",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "0123456789" * 5, "." * 40, "!?!?!?",
    "a" * 3 + " " * 10 + "b", "x", "X", "1", ".", "-", "'", "\"", "ß", "ẞ", "İ", "ﬀ", "Ⅸ",
]


def variants(s, rng):
    out = [s, s.upper(), s.lower(), "  " + s + "  ", s.replace(" ", "  "), s.replace(" ", "\t"),
           s.replace(" ", "\n"), unicodedata.normalize("NFD", s), unicodedata.normalize("NFKC", s)]
    # full-width ASCII
    out.append("".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s))
    words = s.split(" ")
    out.append(" ".join(words[::-1]))
    emo = ["😀", "👍🏽", "☃", "日本", "ﬁ", "é", "\u200d", "\u3000", "𝐁", "مرحبا"]
    w = list(words)
    w.insert(rng.randrange(len(w) + 1), rng.choice(emo))
    out.append(" ".join(w))
    return out


def inputs():
    rng = random.Random(20240601)
    seen, res = set(), []
    for s in SPECIAL + [v for b in BASE for v in variants(b, rng)]:
        if s not in seen:
            seen.add(s)
            res.append(s)
    # random strings over a mixed alphabet
    alphabet = list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZäöüßéèçñ0123456789 .,;:!?-'\"()\t\n") + \
        list("日本語中文한국어مرحباПриветΓειά😀👍☃ﬁＡＢＣ１２３\u0301\u0308\u00a0\u3000\u200d")
    while len(res) < 700:
        n = rng.randint(1, 40)
        s = "".join(rng.choice(alphabet) for _ in range(n))
        if s not in seen:
            seen.add(s)
            res.append(s)
    return res


def corpus(path):
    rng = random.Random(7)
    lines = list(BASE)
    words = " ".join(BASE).split()
    for _ in range(3000):
        lines.append(" ".join(rng.choice(words) for _ in range(rng.randint(3, 15))))
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def train(corpus_file, prefix, **kw):
    spm.SentencePieceTrainer.train(input=corpus_file, model_prefix=prefix, num_threads=1, minloglevel=2,
                                   pad_id=0, eos_id=1, unk_id=2, bos_id=-1, pad_piece="<pad>", eos_piece="</s>",
                                   unk_piece="<unk>", shuffle_input_sentence=False, **kw)


def default_model_from_tokenizer_json(tok_json, out_file):
    """The s2s-en-de-small SentencePiece model, rebuilt from its tokenizer.json (made by training/tokenizer_json.py
    from the original .model with nmt_nfkc, pad=0, eos=1, unk=2, no bos; with byte_fallback, its <0x00>..<0xFF>
    pieces are BYTE pieces, which SentencePiece spells unknown characters with and never matches in the text)."""
    t = json.load(open(tok_json, encoding="utf-8"))
    m = pb.ModelProto()
    unk = t["model"]["unk_id"]
    byte_fallback = bool(t["model"].get("byte_fallback"))
    specials = {a["id"] for a in t["added_tokens"]}
    for i, (piece, score) in enumerate(t["model"]["vocab"]):
        p = m.pieces.add()
        p.piece = piece
        p.score = struct.unpack("f", struct.pack("f", score))[0]
        if i == unk:
            p.type = pb.ModelProto.SentencePiece.UNKNOWN
        elif i in specials:
            p.type = pb.ModelProto.SentencePiece.CONTROL
        elif byte_fallback and re.fullmatch("<0x[0-9A-F]{2}>", piece):
            p.type = pb.ModelProto.SentencePiece.BYTE
        else:
            p.type = pb.ModelProto.SentencePiece.NORMAL
    ts = m.trainer_spec
    ts.model_type = pb.TrainerSpec.UNIGRAM
    ts.vocab_size = len(t["model"]["vocab"])
    ts.byte_fallback = byte_fallback
    ts.unk_id, ts.eos_id, ts.pad_id, ts.bos_id = unk, 1, 0, -1
    ts.pad_piece, ts.eos_piece, ts.unk_piece = "<pad>", "</s>", "<unk>"
    charsmap = [n for n in t["normalizer"]["normalizers"] if n["type"] == "Precompiled"][0]["precompiled_charsmap"]
    ns = m.normalizer_spec
    ns.name = "nmt_nfkc"
    ns.precompiled_charsmap = base64.b64decode(charsmap)
    ns.add_dummy_prefix = True
    ns.remove_extra_whitespaces = True
    ns.escape_whitespaces = True
    with open(out_file, "wb") as f:
        f.write(m.SerializeToString())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--main", default=os.path.join(HERE, ".."))
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cf = os.path.join(tmp, "corpus.txt")
        corpus(cf)
        train(cf, os.path.join(OUT, "bpe-bytes"), vocab_size=700, model_type="bpe", byte_fallback=True,
              normalization_rule_name="identity", character_coverage=0.995)
        train(cf, os.path.join(OUT, "uni-raw"), vocab_size=500, model_type="unigram",
              normalization_rule_name="identity", add_dummy_prefix=False, remove_extra_whitespaces=False,
              character_coverage=1.0)
        for name in ("bpe-bytes", "uni-raw"):
            os.remove(os.path.join(OUT, name + ".vocab"))
            # the trainer records the (temporary) corpus path: drop it so reruns are byte-identical
            path = os.path.join(OUT, name + ".model")
            m = pb.ModelProto()
            m.ParseFromString(open(path, "rb").read())
            del m.trainer_spec.input[:]
            m.trainer_spec.model_prefix = name
            with open(path, "wb") as f:
                f.write(m.SerializeToString())
        dflt = os.path.join(OUT, "s2s-en-de-small.spm")
        default_model_from_tokenizer_json(os.path.join(a.main, "models/s2s-en-de-small/tokenizer.json"), dflt)
        sps = {k: spm.SentencePieceProcessor(model_file=p) for k, p in [
            ("tiny", os.path.join(OUT, "tiny-spm.model")), ("bpe", os.path.join(OUT, "bpe-bytes.model")),
            ("raw", os.path.join(OUT, "uni-raw.model")), ("default", dflt)]}
        with open(os.path.join(OUT, "golden.jsonl"), "w", encoding="utf-8") as f:
            for s in inputs():
                row = {"text": s}
                for k, sp in sps.items():
                    row[k] = sp.encode(s)
                row["tiny_pieces"] = sps["tiny"].encode(s, out_type=str)
                row["tiny_decoded"] = sps["tiny"].decode(row["tiny"])
                f.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
