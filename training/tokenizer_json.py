"""Converts a SentencePiece unigram model into the Hugging Face `tokenizer.json` + `tokenizer_config.json` pair
that DJL (Java), transformers.js and transformers read, so every runtime splits text exactly as SentencePiece does:
  normalizer   SentencePiece's own precompiled normalization table (nmt_nfkc), then its whitespace rules
               (strip both ends, collapse runs of spaces),
  pre-tokenizer/decoder  Metaspace ("▁", prepended to the text),
  model        Unigram with the pieces and scores, <unk> for what the pieces cannot cover,
  post-processor appends </s> (the encoder input ends with EOS, as in Marian).
tokenizer_config.json names the language pair (source_lang / target_lang, as opus-mt's do) when given one: the
engine routes requests by it."""
import argparse
import base64
import json
import os

import sentencepiece as spm


def _varint(buf, i):
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def _fields(buf):
    """Top-level protobuf fields: yields (field number, wire type, value)."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = _varint(buf, i)
        elif wt == 1:
            v, i = buf[i:i + 8], i + 8
        elif wt == 2:
            n, i = _varint(buf, i)
            v, i = buf[i:i + n], i + n
        elif wt == 5:
            v, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wt}")
        yield num, wt, v


def precompiled_charsmap(model_file):
    """ModelProto.normalizer_spec (field 3) .precompiled_charsmap (field 2)."""
    data = open(model_file, "rb").read()
    for num, wt, v in _fields(data):
        if num == 3 and wt == 2:
            for n2, w2, v2 in _fields(v):
                if n2 == 2 and w2 == 2:
                    return bytes(v2)
    return b""


def convert(model_file, out_dir, model_max_length=512, source_lang=None, target_lang=None):
    if (source_lang is None) != (target_lang is None):
        raise ValueError("a language pair needs both source_lang and target_lang")
    sp = spm.SentencePieceProcessor(model_file=model_file)
    vocab = [[sp.id_to_piece(i), 0.0 if sp.is_control(i) or sp.is_unknown(i) else float(sp.get_score(i))]
             for i in range(sp.get_piece_size())]
    unk, eos, pad = sp.unk_id(), sp.eos_id(), sp.pad_id()
    specials = sorted({pad, eos, unk})
    metaspace = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True}
    charsmap = precompiled_charsmap(model_file)
    normalizers = [{"type": "Precompiled", "precompiled_charsmap": base64.b64encode(charsmap).decode()}] if charsmap else []
    # A vocabulary trained with byte_fallback spells any character it lacks as its UTF-8 bytes (<0xF0><0x9F>...);
    # the decoder joins such a run back into the character before the Metaspace step restores the spaces.
    byte_fallback = any(sp.is_byte(i) for i in range(sp.get_piece_size()))
    if not byte_fallback:
        # transformers.js does not read the charsmap: it approximates it and turns U+200D (zero-width joiner) into a
        # space, where SentencePiece keeps it as an unknown character. Swapping it first for a private-use character,
        # unknown to every runtime and left alone by all of them, gives the same ids everywhere (checked by
        # bundle-check.mjs). Not with byte fallback: there the joiner is spelt as its own bytes, and the swap would
        # spell (and decode) the private-use character instead, breaking the emoji sequences it joins.
        normalizers.insert(0, {"type": "Replace", "pattern": {"String": "\u200d"}, "content": "\ue000"})
    normalizers += [{"type": "Strip", "strip_left": True, "strip_right": True},
                    {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]
    eos_piece = sp.id_to_piece(eos)
    decoder = {"type": "Sequence", "decoders": [{"type": "ByteFallback"}, metaspace]} if byte_fallback else metaspace
    tok = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [{"id": i, "content": sp.id_to_piece(i), "single_word": False, "lstrip": False,
                          "rstrip": False, "normalized": False, "special": True} for i in specials],
        "normalizer": {"type": "Sequence", "normalizers": normalizers},
        "pre_tokenizer": metaspace,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": eos_piece, "type_id": 0}}],
            "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 0}},
                     {"SpecialToken": {"id": eos_piece, "type_id": 0}}],
            "special_tokens": {eos_piece: {"id": eos_piece, "ids": [eos], "tokens": [eos_piece]}},
        },
        "decoder": decoder,
        "model": {"type": "Unigram", "unk_id": unk, "vocab": vocab, "byte_fallback": byte_fallback},
    }
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tok, f, ensure_ascii=False, indent=None, separators=(",", ":"))
    cfg = {"source_lang": source_lang, "target_lang": target_lang} if source_lang is not None else {}
    cfg |= {"tokenizer_class": "T5Tokenizer", "model_max_length": model_max_length,
            "eos_token": eos_piece, "pad_token": sp.id_to_piece(pad), "unk_token": sp.id_to_piece(unk),
            "extra_ids": 0, "additional_special_tokens": [], "clean_up_tokenization_spaces": False}
    with open(os.path.join(out_dir, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(cfg, f, ensure_ascii=False, indent=2)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--spm", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--max-length", type=int, default=512)
    ap.add_argument("--source-lang", help="the language pair tokenizer_config.json declares (with --target-lang)")
    ap.add_argument("--target-lang")
    a = ap.parse_args()
    if (a.source_lang is None) != (a.target_lang is None):
        ap.error("--source-lang and --target-lang go together")
    convert(a.spm, a.out, a.max_length, a.source_lang, a.target_lang)
