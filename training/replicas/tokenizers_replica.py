"""Tokenizers of the replica bundles, built from scratch and written in each family's real file layout, plus the
Python encoders the reference search uses (they restate what transformers' slow tokenizers do):

  SentencePiece training (unigram or BPE), seeded, single-threaded, so the .model files are byte-identical on rerun
  spm BPE -> tokenizers BPE (vocab + merges, as transformers' SentencePieceExtractor orders them)
  byte-level BPE (GPT-2 / BART / RoBERTa): a small trainer, the GPT-2 encoder, vocab.json + merges.txt + tokenizer.json
"""
import base64
import collections
import json
import os
import sys

import regex
import sentencepiece as spm

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import tokenizer_json  # noqa: E402  (the project's SentencePiece -> tokenizer.json converter)


def dump_json(obj, path, compact=False):
    with open(path, "w", encoding="utf-8") as f:
        if compact:
            json.dump(obj, f, ensure_ascii=False, separators=(",", ":"))
        else:
            json.dump(obj, f, ensure_ascii=False, indent=2)
            f.write("\n")


def train_spm(lines, prefix, vocab_size, model_type, **ids):
    """Trains a SentencePiece model on `lines`; deterministic (one thread, no sampling or shuffling)."""
    # the model file records its trainer's input and prefix: relative names in the work folder keep it byte-identical
    work, name = os.path.split(prefix)
    txt = name + ".txt"
    cwd = os.getcwd()
    os.chdir(work)
    with open(txt, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    kw = dict(unk_id=0, bos_id=1, eos_id=2, pad_id=-1)
    kw.update(ids)
    spm.SentencePieceTrainer.train(
        input=txt, model_prefix=name, vocab_size=vocab_size, model_type=model_type,
        character_coverage=1.0, normalization_rule_name="nmt_nfkc", num_threads=1,
        shuffle_input_sentence=False, input_sentence_size=0, minloglevel=2, hard_vocab_limit=False,
        **kw)
    os.remove(txt)
    os.chdir(cwd)
    return prefix + ".model"


def spm_normalizer(model_file):
    """The same normalizer sequence as the project's tokenizer_json.convert (checked there against transformers.js)."""
    charsmap = tokenizer_json.precompiled_charsmap(model_file)
    norms = [{"type": "Replace", "pattern": {"String": "\u200d"}, "content": "\ue000"}]
    if charsmap:
        norms.append({"type": "Precompiled", "precompiled_charsmap": base64.b64encode(charsmap).decode()})
    norms += [{"type": "Strip", "strip_left": True, "strip_right": True},
              {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]
    return {"type": "Sequence", "normalizers": norms}


METASPACE = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True}


def added(i, content, special=True, lstrip=False, normalized=False):
    return {"id": i, "content": content, "single_word": False, "lstrip": lstrip, "rstrip": False,
            "normalized": normalized, "special": special}


def template(prefix, suffix, ids):
    """TemplateProcessing `prefix $A suffix` (tokens by name; ids: name -> id)."""
    def seq(names, *middle):
        return ([{"SpecialToken": {"id": n, "type_id": 0}} for n in prefix] + list(middle) +
                [{"SpecialToken": {"id": n, "type_id": 0}} for n in suffix])
    a, b = {"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 0}}
    return {"type": "TemplateProcessing", "single": seq(None, a), "pair": seq(None, a, b),
            "special_tokens": {n: {"id": n, "ids": [ids[n]], "tokens": [n]} for n in prefix + suffix}}


def bpe_merges(sp, vocab):
    """Merges of a SentencePiece BPE model in the order transformers' SentencePieceExtractor writes them: every piece
    split in two known pieces, grouped by the merged piece's score (best first), within a piece by the parts' ids."""
    scored = []
    for i in range(sp.get_piece_size()):
        if sp.is_control(i) or sp.is_unknown(i):
            continue
        piece = sp.id_to_piece(i)
        local = [(piece[:k], piece[k:]) for k in range(1, len(piece)) if piece[:k] in vocab and piece[k:] in vocab]
        local.sort(key=lambda p: (vocab[p[0]], vocab[p[1]]))
        scored += [(sp.get_score(i), l, r) for l, r in local]
    scored.sort(key=lambda x: -x[0])  # stable: equal scores keep the order above
    return [f"{l} {r}" for _, l, r in scored]


def spm_bpe_tokenizer_json(model_file, vocab, added_tokens, post_processor):
    """tokenizer.json for a SentencePiece BPE model whose pieces have the ids in `vocab` (piece -> id)."""
    sp = spm.SentencePieceProcessor(model_file=model_file)
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added_tokens,
        "normalizer": spm_normalizer(model_file), "pre_tokenizer": METASPACE, "post_processor": post_processor,
        "decoder": METASPACE,
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": bpe_merges(sp, vocab)},
    }


# ---- byte-level BPE (GPT-2 / BART) ----
GPT2_PATTERN = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


B2U = bytes_to_unicode()


def byte_words(text):
    return ["".join(B2U[b] for b in w.encode("utf-8")) for w in GPT2_PATTERN.findall(text)]


def train_byte_bpe(lines, n_merges):
    """Greedy BPE on byte-mapped GPT-2 pre-tokens: the most frequent adjacent pair wins (ties: smallest pair)."""
    words = collections.Counter(w for line in lines for w in byte_words(line))
    splits = {w: tuple(w) for w in words}
    merges = []
    for _ in range(n_merges):
        pairs = collections.Counter()
        for w, c in words.items():
            s = splits[w]
            for a, b in zip(s, s[1:]):
                pairs[(a, b)] += c
        if not pairs:
            break
        best = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        merges.append(best)
        joined = best[0] + best[1]
        for w, s in splits.items():
            if len(s) < 2:
                continue
            out, i = [], 0
            while i < len(s):
                if i + 1 < len(s) and s[i] == best[0] and s[i + 1] == best[1]:
                    out.append(joined)
                    i += 2
                else:
                    out.append(s[i])
                    i += 1
            splits[w] = tuple(out)
    return merges


def byte_bpe_encode_word(word, ranks):
    parts = list(word)
    while len(parts) > 1:
        pairs = [(ranks.get((a, b), 1 << 30), i) for i, (a, b) in enumerate(zip(parts, parts[1:]))]
        rank, i = min(pairs)
        if rank == 1 << 30:
            break
        a, b = parts[i], parts[i + 1]
        out, j = [], 0
        while j < len(parts):  # GPT-2 merges every occurrence of the pair
            if j + 1 < len(parts) and parts[j] == a and parts[j + 1] == b:
                out.append(a + b)
                j += 2
            else:
                out.append(parts[j])
                j += 1
        parts = out
    return parts


class ByteBPE:
    def __init__(self, vocab, merges):
        self.vocab, self.ranks = vocab, {m: i for i, m in enumerate(merges)}

    def encode(self, text):
        return [self.vocab[p] for w in byte_words(text) for p in byte_bpe_encode_word(w, self.ranks)]
