"""Reference greedy and beam search in PyTorch over a bundle's weights (the spec is training/SEARCH.md, which follows
Hugging Face transformers' generate()); writes the golden files the Java engine's tests compare with:

  greedy.jsonl            num_beams 1
  beam4.jsonl             num_beams 4, length_penalty 1.0
  beam4_no_repeat_ngram3.jsonl  num_beams 4, length_penalty 1.0, no_repeat_ngram_size 3
  mixed_options.jsonl     options varying by line (min_length, repetition_penalty, length_penalty 2 and 0.5,
                          early_stopping, greedy with a penalty) so those paths have golden values too
  beam_at_vocab.jsonl     the first 3 inputs with num_beams at and beyond the vocabulary size (1000, 1001, 1500),
                          max_length 8: the first step has fewer tokens than beams
  tokenizer-ids.jsonl     SentencePiece ids (EOS appended) of strings that stress the tokenizer

One JSON object per line: text, input_ids (what the encoder gets, EOS included), options, max_length, tokens (generated, without
the decoder start token, up to and including EOS), sum_logprobs and score. Every input runs alone (batch 1, no
padding). The settings not named in `options` come from the bundle's generation_config.json."""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import ModelConfig, Seq2SeqTransformer  # noqa: E402

NEG_INF = float("-inf")


class Options:
    """Search settings, Hugging Face names and meanings."""

    def __init__(self, gen, **over):
        self.max_length = gen.get("max_length", 20)          # decoder sequence cap, start token included
        self.min_length = gen.get("min_length", 0)           # no EOS while the decoder sequence is shorter
        self.num_beams = gen.get("num_beams", 1)
        self.length_penalty = gen.get("length_penalty", 1.0)
        self.early_stopping = gen.get("early_stopping", False)
        self.no_repeat_ngram_size = gen.get("no_repeat_ngram_size", 0)
        self.repetition_penalty = gen.get("repetition_penalty", 1.0)
        self.bad_words_ids = gen.get("bad_words_ids", [])
        self.forced_bos_token_id = gen.get("forced_bos_token_id")
        self.forced_eos_token_id = gen.get("forced_eos_token_id")
        self.eos = gen["eos_token_id"]
        self.start = gen["decoder_start_token_id"]
        for k, v in over.items():
            if not hasattr(self, k):
                raise ValueError(f"unknown search option {k}")
            setattr(self, k, v)


def process(seq, scores, o):
    """Hugging Face's logits processors, in its order, on one row of log-probabilities [vocab]; seq = the decoder
    sequence so far (start token included)."""
    cur_len = len(seq)
    if o.repetition_penalty != 1.0:
        ids = torch.tensor(sorted(set(seq)))
        s = scores[ids]
        scores[ids] = torch.where(s < 0, s * o.repetition_penalty, s / o.repetition_penalty)
    n = o.no_repeat_ngram_size
    if n > 0 and cur_len + 1 >= n:
        prefix = tuple(seq[cur_len + 1 - n:])
        for i in range(cur_len - n + 1):
            if tuple(seq[i:i + n - 1]) == prefix:
                scores[seq[i + n - 1]] = NEG_INF
    for bad in o.bad_words_ids:
        if len(bad) == 1 or cur_len >= len(bad) - 1 and tuple(seq[cur_len - len(bad) + 1:]) == tuple(bad[:-1]):
            scores[bad[-1]] = NEG_INF
    if cur_len < o.min_length:
        scores[o.eos] = NEG_INF
    if o.forced_bos_token_id is not None and cur_len == 1:
        scores[:] = NEG_INF
        scores[o.forced_bos_token_id] = 0
    if o.forced_eos_token_id is not None and cur_len == o.max_length - 1:
        scores[:] = NEG_INF
        scores[o.forced_eos_token_id] = 0
    return scores


class Stepper:
    """Runs the decoder one token at a time with the KV cache, for a set of rows sharing one encoded source."""

    def __init__(self, model, input_ids, rows):
        src = torch.tensor([input_ids])
        self.model = model
        self.mask = torch.ones_like(src).expand(rows, -1)
        memory = model.encode(src, torch.ones_like(src)).expand(rows, -1, -1)
        self.cross = model.cross_kv(memory)
        self.past = None

    def step(self, last_tokens, log_softmax=True):
        logits, self.past = self.model.decode(torch.tensor(last_tokens)[:, None], self.mask, self.cross, self.past)
        logits = logits[:, -1, :].float()
        return torch.log_softmax(logits, dim=-1) if log_softmax else logits

    def reorder(self, rows):
        idx = torch.tensor(rows)
        self.past = [(k[idx], v[idx]) for k, v in self.past]


def greedy(model, input_ids, o):
    """As Hugging Face: the processors act on the raw logits, argmax; sum_logprobs adds the log-softmax of the
    processed logits at the chosen tokens; score = sum_logprobs / generated_len ** length_penalty."""
    st = Stepper(model, input_ids, 1)
    seq, total = [o.start], 0.0
    while len(seq) < o.max_length:
        scores = process(seq, st.step([seq[-1]], log_softmax=False)[0], o)
        tok = int(torch.argmax(scores))
        total += float(torch.log_softmax(scores, dim=-1)[tok])
        seq.append(tok)
        if tok == o.eos:
            break
    return seq[1:], total, total / ((len(seq) - 1) ** o.length_penalty)


class Hypotheses:
    """Finished hypotheses of one input (Hugging Face's BeamHypotheses)."""

    def __init__(self, o):
        self.o, self.beams, self.worst = o, [], 1e9

    def add(self, tokens, sum_logprobs, generated_len):
        score = sum_logprobs / (generated_len ** self.o.length_penalty)
        if len(self.beams) < self.o.num_beams or score > self.worst:
            self.beams.append((score, tokens, sum_logprobs))
            if len(self.beams) > self.o.num_beams:
                ranked = sorted((s, i) for i, (s, _, _) in enumerate(self.beams))
                del self.beams[ranked[0][1]]
                self.worst = ranked[1][0]
            else:
                self.worst = min(score, self.worst)

    def is_done(self, best_sum_logprobs, cur_len):
        if len(self.beams) < self.o.num_beams:
            return False
        if self.o.early_stopping is True:
            return True
        return self.worst >= best_sum_logprobs / (cur_len ** self.o.length_penalty)


def beam(model, input_ids, o):
    k, eos = o.num_beams, o.eos
    st = Stepper(model, input_ids, k)
    seqs = [[o.start] for _ in range(k)]
    beam_scores = torch.zeros(k, dtype=torch.float32)
    beam_scores[1:] = -1e9  # only beam 0 is live at the first step: the beams would otherwise all be the same
    hyps = Hypotheses(o)
    done = False
    while True:
        lp = st.step([s[-1] for s in seqs])
        for r in range(k):
            lp[r] = process(seqs[r], lp[r], o)
        vocab = lp.shape[1]
        flat = (lp + beam_scores[:, None]).view(-1)
        top_scores, top_idx = torch.topk(flat, 2 * k, largest=True, sorted=True)
        cur_len = len(seqs[0]) + 1  # HF: the length the candidates' scores are computed on
        nxt, nxt_scores, rows = [], [], []
        for rank in range(2 * k):
            b, tok, s = int(top_idx[rank]) // vocab, int(top_idx[rank]) % vocab, top_scores[rank]
            if tok == eos:
                if rank >= k:
                    continue
                hyps.add(seqs[b][1:] + [eos], float(s), cur_len - 1)
            else:
                nxt.append(seqs[b] + [tok])
                nxt_scores.append(s)
                rows.append(b)
            if len(nxt) == k:
                break
        done = hyps.is_done(float(top_scores.max()), cur_len - 1)
        seqs, beam_scores = nxt, torch.stack(nxt_scores)
        st.reorder(rows)
        if done or len(seqs[0]) >= o.max_length:
            break
    if not done:  # length cap: the running beams are finalized with the same formula
        for s, sc in zip(seqs, beam_scores):
            hyps.add(s[1:], float(sc), len(s) - 1)
    score, tokens, sum_logprobs = sorted(hyps.beams, key=lambda x: x[0])[-1]
    return tokens, sum_logprobs, score


SETTINGS = [
    ("greedy", dict(num_beams=1)),
    ("beam4", dict(num_beams=4, length_penalty=1.0, early_stopping=False)),
    ("beam4_no_repeat_ngram3", dict(num_beams=4, length_penalty=1.0, early_stopping=False, no_repeat_ngram_size=3)),
    ("mixed_options", None),  # per-line options, below
]
AT_VOCAB = [dict(num_beams=1000, max_length=8), dict(num_beams=1001, max_length=8), dict(num_beams=1500, max_length=8)]
EXTRA = [dict(num_beams=4, min_length=12), dict(num_beams=4, repetition_penalty=1.3),
         dict(num_beams=4, length_penalty=2.0), dict(num_beams=4, early_stopping=True),
         dict(num_beams=2, length_penalty=0.5, no_repeat_ngram_size=2), dict(num_beams=1, repetition_penalty=1.3)]

# Strings for the tokenizer parity test: accents, umlauts, emoji, CJK, unknown characters, white space runs, empty.
TOKENIZER_EXTRA = [
    "", " ", "   ", "\t", "\n", "a", "A", " leading space", "trailing space ", "two  spaces", "tab\tinside",
    "new\nline", "mixed \t \n white", "Grüße aus München", "Straße", "ÄÖÜ äöü ß", "Café crème brûlée",
    "naïve coöperation", "Ångström", "São Paulo", "Łódź", "Dvořák", "Ærøskøbing", "İstanbul", "ﬁle ﬂow",
    "ｆｕｌｌｗｉｄｔｈ", "①②③", "x²+y³", "½ ¼ ¾", "™ © ®", "e\u0301", "Zu\u0308rich", "\u00a0non-breaking\u00a0space",
    "zero\u200bwidth", "soft\u00adhyphen", "emoji 😀 🎉 👍🏽", "👨‍👩‍👧", "日本語のテキスト", "中文文本", "한국어",
    "Ελληνικά", "Русский текст", "עברית", "العربية", "हिन्दी", "ไทย", "☃ ★ ♥ ♫", "→ ← ↑ ↓", "∑ ∫ √ ∞",
    "“quoted” ‘single’ „German“ «French»", "— – -", "…", "1,234.56 €", "$100 £50 ¥1000", "100%",
    "C:\\Program Files\\", "https://example.org/path?x=1&y=2", "user@example.com", "#hashtag @mention",
    "<b>bold</b>", "{json: [1, 2]}", "CamelCaseWord", "snake_case_word", "ALLCAPS", "a-b-c", "...", "!!!", "???",
    "'", "\"", "~`^", "\u0000", "bell\u0007char", "a\u200db", "left\u200eright\u200f", "line\u2028sep", "\ufeffbom",
    "next\u0085line", "ideographic\u3000space", "ǅ ǈ ǋ", "Ⅻ ⅻ", "㎏ ㍱", "ｶﾀｶﾅ", "ﬀ ﬃ", "²³¹", "ℌ ℍ", "a▁b", "～ wave", "\ufffd", "\U0001f600\U0001f600\U0001f600", "x" * 60, "Abcdefghijklmnopqrstuvwxyz",
]


def tokenizer_strings(inputs):
    seen, out = set(), []
    for s in list(inputs) + TOKENIZER_EXTRA:
        if s not in seen:
            seen.add(s)
            out.append(s)
    return out


def tied_segmentations(sp, text, n=8):
    """Other segmentations with exactly the best one's score (EOS appended): where pieces tie, SentencePiece, the
    Hugging Face tokenizers (DJL) and transformers.js may each pick a different one, and all are right."""
    normal = [sp.get_score(i) for i in range(sp.get_piece_size()) if not (sp.is_control(i) or sp.is_unknown(i))]
    unk_score = min(normal) - 10.0  # SentencePiece's (and tokenizers') penalty for an unknown piece

    def score(ids):
        return sum(unk_score if sp.is_unknown(i) else sp.get_score(i) for i in ids)
    best = sp.encode(text)
    alts = sp.nbest_encode_as_ids(text, n) if text.strip() else []
    return [a + [sp.eos_id()] for a in alts if a != best and abs(score(a) - score(best)) < 1e-4]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bundle", required=True, help="the exported bundle (for generation_config.json)")
    ap.add_argument("--weights", required=True, help="the PyTorch weights export.py --random saved")
    ap.add_argument("--spm", required=True, help="the SentencePiece model the bundle's tokenizer.json came from")
    ap.add_argument("--inputs", required=True, help="input sentences, one a line")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.set_num_threads(1)
    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_file=a.spm)
    state = torch.load(a.weights, map_location="cpu")
    model = Seq2SeqTransformer(ModelConfig(**{**state["config"], "dropout": 0.0}))
    model.load_state_dict(state["model"])
    model.eval()
    gen = json.load(open(os.path.join(a.bundle, "generation_config.json")))
    max_src = json.load(open(os.path.join(a.bundle, "tokenizer_config.json")))["model_max_length"]
    with open(a.inputs, encoding="utf-8") as f:
        inputs = [line.rstrip("\n") for line in f if line.strip()]
    os.makedirs(a.out, exist_ok=True)

    def ids_of(text):
        return sp.encode(text) + [sp.eos_id()]

    with open(os.path.join(a.out, "tokenizer-ids.jsonl"), "w", encoding="utf-8") as f:
        for s in tokenizer_strings(inputs):
            rec = {"text": s, "ids": ids_of(s)}
            ties = tied_segmentations(sp, s)
            if ties:
                rec["tied"] = ties
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    with torch.no_grad():
        for name, over in SETTINGS:
            with open(os.path.join(a.out, name + ".jsonl"), "w", encoding="utf-8") as f:
                for i, text in enumerate(inputs):
                    ids = ids_of(text)
                    if len(ids) > max_src:
                        raise ValueError(f"{a.inputs}: line {i + 1} has {len(ids)} tokens, over the bundle's {max_src}")
                    opts = over if over is not None else EXTRA[i % len(EXTRA)]
                    o = Options(gen, **opts)
                    tokens, sum_lp, score = (greedy if o.num_beams == 1 else beam)(model, ids, o)
                    rec = {"text": text, "input_ids": ids, "options": opts, "max_length": o.max_length, "tokens": tokens,
                           "sum_logprobs": round(sum_lp, 6), "score": round(score, 6)}
                    f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        with open(os.path.join(a.out, "beam_at_vocab.jsonl"), "w", encoding="utf-8") as f:
            for opts in AT_VOCAB:
                for text in inputs[:3]:
                    ids = ids_of(text)
                    o = Options(gen, **opts)
                    tokens, sum_lp, score = beam(model, ids, o)
                    rec = {"text": text, "input_ids": ids, "options": opts, "max_length": o.max_length, "tokens": tokens,
                           "sum_logprobs": round(sum_lp, 6), "score": round(score, 6)}
                    f.write(json.dumps(rec, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
