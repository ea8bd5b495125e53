"""Reference greedy and beam search in PyTorch over a model's own weights, writing the golden files the Java
engine's tests compare with (tokens and scores). The semantics are Hugging Face transformers' (see SEARCH.md).

  /usr/bin/python3 reference_search.py --bundle DIR --weights WEIGHTS.pt --out GOLDEN_DIR"""
import argparse
import json
import os
import sys

import torch
import sentencepiece  # noqa: F401  (the tokenizer is read from the bundle's tokenizer.json through the spm model below)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import ModelConfig, Seq2SeqTransformer  # noqa: E402

NEG_INF = float("-inf")

INPUTS = [
    "Hello world.", "The quick brown fox jumps over the lazy dog.", "Open the file", "Save the document as PDF.",
    "Where is the train station?", "This package contains the documentation.", "Grüße aus Köln!",
    "An error occurred while reading the configuration file.", "Please restart the computer.",
    "I don't know what you mean.", "The soldiers marched north to defend the castle.", "Cancel",
    "Select all", "Café, naïve, résumé — accents everywhere.", "Ünïcödé ☃ snowman and 日本語 text",
    "Insert a new row above the current one", "The library provides functions for image processing.",
    "We must leave before nightfall, the orcs are coming.", "Do you want to overwrite the existing file?",
    "Tools for developers", "It is raining again today.", "Zoom in", "A free, open source game about ancient warfare.",
    "1 2 3 4 5 6 7 8 9 10",
]


def load(weights):
    state = torch.load(weights, map_location="cpu")
    cfg = ModelConfig(**{**state["config"], "dropout": 0.0})
    m = Seq2SeqTransformer(cfg)
    m.load_state_dict(state["model"])
    m.eval()
    return m


def encode_texts(bundle):
    """Token ids exactly as the bundle's tokenizer gives them: SentencePiece ids + </s> (tokenizer_json.py)."""
    import sentencepiece as spm
    sp_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "tiny-spm.model")
    sp = spm.SentencePieceProcessor(model_file=sp_path)
    return [sp.encode(t) + [sp.eos_id()] for t in INPUTS]


class Processors:
    """Hugging Face logits processors, applied to one row of scores given the sequence so far (start token first)."""

    def __init__(self, gen, max_length, no_repeat_ngram_size=0, min_length=0, repetition_penalty=1.0):
        self.bad = [w[0] for w in gen.get("bad_words_ids", []) if len(w) == 1]
        self.eos = gen["eos_token_id"]
        self.forced_eos = gen.get("forced_eos_token_id")
        self.max_length = max_length
        self.ngram = no_repeat_ngram_size
        self.min_length = min_length
        self.rep = repetition_penalty

    def __call__(self, seq, scores):
        cur = len(seq)
        if self.rep != 1.0:
            idx = torch.tensor(sorted(set(seq)))
            s = scores[idx]
            scores[idx] = torch.where(s < 0, s * self.rep, s / self.rep)
        if self.ngram > 0 and cur >= self.ngram:
            prefix = tuple(seq[cur - self.ngram + 1:])
            for i in range(cur - self.ngram + 1):
                if tuple(seq[i:i + self.ngram - 1]) == prefix:
                    scores[seq[i + self.ngram - 1]] = NEG_INF
        for b in self.bad:
            scores[b] = NEG_INF
        if cur < self.min_length:
            scores[self.eos] = NEG_INF
        if self.forced_eos is not None and cur == self.max_length - 1:
            scores[:] = NEG_INF
            scores[self.forced_eos] = 0.0
        return scores


def greedy(m, src, gen, max_length, procs):
    mask = torch.ones_like(src)
    cross = m.cross_kv(m.encode(src, mask))
    seq, past = [m.cfg.decoder_start_id], None
    total = 0.0
    while len(seq) < max_length:
        logits, past = m.decode(torch.tensor([[seq[-1]]]), mask, cross, past)
        scores = procs(seq, logits[0, -1].clone())
        tok = int(scores.argmax())
        total += float(torch.log_softmax(scores, -1)[tok])
        seq.append(tok)
        if tok == gen["eos_token_id"]:
            break
    return seq[1:], total / max(1, len(seq) - 1)


def beam(m, src, gen, max_length, k, length_penalty, early_stopping, procs):
    eos = gen["eos_token_id"]
    mask = torch.ones(k, src.shape[1], dtype=torch.long)
    memory = m.encode(src, mask[:1]).expand(k, -1, -1)
    cross = m.cross_kv(memory)
    beams = [([m.cfg.decoder_start_id], 0.0 if j == 0 else -1e9) for j in range(k)]
    past = None
    finished = []  # (score, tokens)

    def worst():
        return min(s for s, _ in finished)

    while True:
        last = torch.tensor([[b[0][-1]] for b in beams])
        logits, past = m.decode(last, mask, cross, past)
        logp = torch.log_softmax(logits[:, -1].float(), dim=-1)
        cand_scores = []
        for j, (seq, s) in enumerate(beams):
            cand_scores.append(procs(seq, logp[j].clone()) + s)
        flat = torch.stack(cand_scores).view(-1)
        top = torch.topk(flat, 2 * k)
        vocab = logp.shape[-1]
        cur_len = len(beams[0][0])
        nxt, rows = [], []
        for rank, (score, idx) in enumerate(zip(top.values.tolist(), top.indices.tolist())):
            j, tok = divmod(idx, vocab)
            seq = beams[j][0]
            if tok == eos:
                if rank >= k:
                    continue
                gen_len = len(seq)  # generated tokens incl. this EOS, excl. the start token
                hyp = score / (gen_len ** length_penalty)
                if len(finished) < k or hyp > worst():
                    finished.append((hyp, seq[1:] + [eos]))
                    if len(finished) > k:
                        finished.remove(min(finished, key=lambda x: x[0]))
            else:
                nxt.append((seq + [tok], score))
                rows.append(j)
            if len(nxt) == k:
                break
        best_running = top.values[0].item()
        if len(finished) >= k:
            if early_stopping or worst() >= best_running / (cur_len ** length_penalty):
                break
        if cur_len + 1 >= max_length:
            for seq, s in nxt:
                hyp = s / ((len(seq) - 1) ** length_penalty)
                if len(finished) < k or hyp > worst():
                    finished.append((hyp, seq[1:]))
                    if len(finished) > k:
                        finished.remove(min(finished, key=lambda x: x[0]))
            break
        idx = torch.tensor(rows)
        past = [(pk[idx], pv[idx]) for pk, pv in past]
        beams = nxt
    best = max(finished, key=lambda x: x[0])
    return best[1], best[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--weights", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.set_num_threads(1)
    m = load(a.weights)
    gen = json.load(open(os.path.join(a.bundle, "generation_config.json")))
    max_length = gen["max_length"]
    os.makedirs(a.out, exist_ok=True)
    ids = encode_texts(a.bundle)
    runs = {
        "greedy": lambda src: greedy(m, src, gen, max_length, Processors(gen, max_length)),
        "beam4": lambda src: beam(m, src, gen, max_length, 4, 1.0, False, Processors(gen, max_length)),
        "beam4_no_repeat_ngram3": lambda src: beam(m, src, gen, max_length, 4, 1.0, False,
                                                   Processors(gen, max_length, no_repeat_ngram_size=3)),
    }
    options = {"greedy": {"num_beams": 1}, "beam4": {"num_beams": 4, "length_penalty": 1.0, "early_stopping": False},
               "beam4_no_repeat_ngram3": {"num_beams": 4, "length_penalty": 1.0, "early_stopping": False,
                                          "no_repeat_ngram_size": 3}}
    with torch.no_grad():
        for name, run in runs.items():
            with open(os.path.join(a.out, name + ".jsonl"), "w", encoding="utf-8") as f:
                for text, x in zip(INPUTS, ids):
                    tokens, score = run(torch.tensor([x]))
                    f.write(json.dumps({"text": text, "input_ids": x, "options": options[name], "max_length": max_length,
                                        "tokens": tokens, "score": round(score, 6)}, ensure_ascii=False) + "\n")
            print("wrote", name)


if __name__ == "__main__":
    main()
