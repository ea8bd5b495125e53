"""Scores the default model on every held-out test set (training/work/data/test.<set>.{en,de}): greedy and beam-4
translations of the trained checkpoint, and the translation-memory baseline, with BLEU / chrF / chrF++ computed as
sacreBLEU does (metrics.py). Writes the hypotheses and a table to --out (default training/work/eval/):
scores.json, scores.md, <set>.<system>.de. With --bundle, the table also replaces the block between
`<!-- scores -->` and `<!-- /scores -->` in that bundle's README.md.

The decoding runs the PyTorch checkpoint in fp32 (Python has no ONNX Runtime here); the search is batched, with the
KV cache of model.py, the pad token banned, at most min(2 x source tokens + 10, 256) new tokens, and beam
hypotheses ranked by log-probability / length. --fp16-weights rounds the weights the way the bundle's fp16 storage
(export.py --fp16-storage) does, so the scores are those of the shipped fp32 files."""
import argparse
import json
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import torch  # noqa: E402
import sentencepiece as spm  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from model import ModelConfig, Seq2SeqTransformer  # noqa: E402
from metrics import scores  # noqa: E402
from tm_baseline import TranslationMemory, read_lines  # noqa: E402

WORK = os.path.join(HERE, "work")
SETS = ("technical", "ui", "everyday", "dialogue")  # held-out sets: DDTP, gettext UI, Ding, Wesnoth dialogue


def load_model(path, fp16_weights=False):
    state = torch.load(path, map_location="cpu")
    cfg = ModelConfig(**state["config"])
    model = Seq2SeqTransformer(cfg)
    weights = state["model"]
    if fp16_weights:  # export.fp16_storage: float tensors of 1024 elements or more are stored as fp16
        weights = {k: (v.half().float() if v.is_floating_point() and v.numel() >= 1024 else v) for k, v in weights.items()}
    model.load_state_dict(weights)
    model.eval()
    return model, state


def pad_batch(seqs, pad):
    out = torch.full((len(seqs), max(len(s) for s in seqs)), pad, dtype=torch.long)
    for i, s in enumerate(seqs):
        out[i, :len(s)] = torch.tensor(s)
    return out


def max_new_tokens(src_len):
    return min(2 * src_len + 10, 256)


@torch.no_grad()
def greedy(model, srcs):
    """srcs: list of id lists ending in eos. Returns output id lists (without start token and eos)."""
    cfg = model.cfg
    src = pad_batch(srcs, cfg.pad_id)
    mask = (src != cfg.pad_id).long()
    cross = model.cross_kv(model.encode(src, mask))
    b = len(srcs)
    tok = torch.full((b, 1), cfg.decoder_start_id, dtype=torch.long)
    past, out = None, [[] for _ in range(b)]
    done = torch.zeros(b, dtype=torch.bool)
    for _ in range(max_new_tokens(src.shape[1])):
        logits, past = model.decode(tok, mask, cross, past)
        logits = logits[:, -1].float()
        logits[:, cfg.pad_id] = -float("inf")
        nxt = logits.argmax(-1)
        for i in range(b):
            if not done[i]:
                if nxt[i].item() == cfg.eos_id:
                    done[i] = True
                else:
                    out[i].append(nxt[i].item())
        if done.all():
            break
        tok = nxt[:, None]
    return out


def beam(model, srcs, k=4):
    return [ids for ids, _ in beam_search(model, srcs, k)]


@torch.no_grad()
def beam_search(model, srcs, k=4):
    """Batched beam search; a finished hypothesis scores sum(log p) / its length (eos included).
    Returns (ids without eos, score) per source."""
    cfg = model.cfg
    src = pad_batch(srcs, cfg.pad_id)
    mask = (src != cfg.pad_id).long()
    b = len(srcs)
    cross = model.cross_kv(model.encode(src, mask))
    rows = torch.arange(b).repeat_interleave(k)  # each sentence's k beams are adjacent rows
    mask = mask[rows]
    cross = [(ck[rows], cv[rows]) for ck, cv in cross]
    scores_ = torch.full((b, k), -float("inf"))
    scores_[:, 0] = 0.0
    seqs = [[] for _ in range(b * k)]
    finished = [[] for _ in range(b)]  # (normalised score, ids)
    done = [False] * b
    tok = torch.full((b * k, 1), cfg.decoder_start_id, dtype=torch.long)
    past = None
    steps = max_new_tokens(src.shape[1])
    for step in range(steps):
        logits, past = model.decode(tok, mask, cross, past)
        logp = torch.log_softmax(logits[:, -1].float(), -1)
        logp[:, cfg.pad_id] = -float("inf")
        v = logp.shape[-1]
        cand = (scores_.view(-1, 1) + logp).view(b, k * v)
        top, idx = cand.topk(2 * k, dim=-1)
        new_rows, new_tok, new_scores = [], [], []
        for i in range(b):
            chosen = []
            for s, j in zip(top[i].tolist(), idx[i].tolist()):
                beam_i, t = divmod(j, v)
                row = i * k + beam_i
                if s == -float("inf"):
                    break
                if t == cfg.eos_id:
                    if not done[i]:
                        finished[i].append((s / (len(seqs[row]) + 1), seqs[row]))
                else:
                    chosen.append((s, row, t))
                if len(chosen) == k:
                    break
            while len(chosen) < k:  # keep the shape; dead beams carry -inf
                chosen.append((-float("inf"), i * k, cfg.eos_id))
            if not done[i] and len(finished[i]) >= k:
                best_live = chosen[0][0] / (len(seqs[chosen[0][1]]) + 1)
                if max(f[0] for f in finished[i]) >= best_live or step == steps - 1:
                    done[i] = True
            for s, row, t in chosen:
                new_rows.append(row)
                new_tok.append(t)
                new_scores.append(s)
        if all(done):
            break
        sel = torch.tensor(new_rows)
        seqs = [seqs[r] + [t] for r, t in zip(new_rows, new_tok)]
        scores_ = torch.tensor(new_scores).view(b, k)
        past = [(pk[sel], pv[sel]) for pk, pv in past]
        tok = torch.tensor(new_tok)[:, None]
    out = []
    for i in range(b):
        if finished[i]:
            score, ids = max(finished[i], key=lambda f: f[0])
            out.append((ids, score))
        else:
            out.append((seqs[i * k], scores_[i, 0].item() / (len(seqs[i * k]) + 1)))
    return out


def translate(model, sp, lines, search, batch_size):
    """Translations of `lines` in order; batches of similar source length. Unknown-piece ids are dropped from the
    output, as the engine's tokenizer does when it skips special tokens (SentencePiece would print " ⁇ ")."""
    unk = sp.unk_id()
    ids = [sp.encode(line)[:model.cfg.max_positions - 1] + [model.cfg.eos_id] for line in lines]
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    out = [None] * len(ids)
    for start in range(0, len(order), batch_size):
        chunk = order[start:start + batch_size]
        for i, hyp in zip(chunk, search(model, [ids[i] for i in chunk])):
            out[i] = sp.decode([t for t in hyp if t != unk])
    return out


def table(results):
    head = "| test set | pairs | system | BLEU | chrF | chrF++ |\n|---|---:|---|---:|---:|---:|\n"
    rows = []
    for name, r in results.items():
        for system in ("tm-baseline", "greedy", "beam4"):
            if system in r:
                s = r[system]
                rows.append(f"| {name} | {r['pairs']} | {system} | {s['BLEU']:.2f} | {s['chrF']:.2f} | {s['chrF++']:.2f} |")
    return head + "\n".join(rows) + "\n"


def write(path, lines):
    with open(path, "w", encoding="utf-8") as f:
        f.write("".join(line + "\n" for line in lines))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", default=os.path.join(WORK, "ckpt", "last.pt"))
    ap.add_argument("--spm", default=os.path.join(WORK, "spm.model"))
    ap.add_argument("--data", default=os.path.join(WORK, "data"))
    ap.add_argument("--out", default=os.path.join(WORK, "eval"))
    ap.add_argument("--bundle", help="model bundle whose README.md gets the score table")
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--limit", type=int, default=0, help="score only the first N pairs of each set (smoke test)")
    ap.add_argument("--no-beam", action="store_true")
    ap.add_argument("--fp16-weights", action="store_true", help="score the weights as export.py --fp16-storage stores them")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    os.makedirs(a.out, exist_ok=True)
    sp = spm.SentencePieceProcessor(model_file=a.spm)
    model, state = load_model(a.checkpoint, a.fp16_weights)
    tm = TranslationMemory(read_lines(os.path.join(a.data, "train.en")), read_lines(os.path.join(a.data, "train.de")))
    results = {"checkpoint": {"step": state.get("step"), "minutes": state.get("minutes")}, "fp16_weights": a.fp16_weights}
    per_set = {}
    for name in a.sets.split(","):
        src = read_lines(os.path.join(a.data, f"test.{name}.en"))
        ref = read_lines(os.path.join(a.data, f"test.{name}.de"))
        if a.limit:
            src, ref = src[:a.limit], ref[:a.limit]
        r = {"pairs": len(src)}
        systems = [("tm-baseline", lambda: [tm.translate(s) for s in src]),
                   ("greedy", lambda: translate(model, sp, src, greedy, 64))]
        if not a.no_beam:
            systems.append(("beam4", lambda: translate(model, sp, src, beam, 16)))
        for system, run in systems:
            t0 = time.time()
            hyps = run()
            r[system] = scores(hyps, ref)
            r[system]["seconds"] = round(time.time() - t0, 1)
            write(os.path.join(a.out, f"{name}.{system}.de"), hyps)
            print(f"{name:10s} {system:12s} {r[system]}", flush=True)
        per_set[name] = r
    results["sets"] = per_set
    with open(os.path.join(a.out, "scores.json"), "w") as f:
        json.dump(results, f, indent=1, sort_keys=True)
    md = table(per_set)
    with open(os.path.join(a.out, "scores.md"), "w") as f:
        f.write(md)
    print(md)
    if a.bundle:
        readme = os.path.join(a.bundle, "README.md")
        if os.path.exists(readme):
            text = open(readme, encoding="utf-8").read()
            start, end = "<!-- scores -->", "<!-- /scores -->"
            if start in text and end in text:
                text = text[:text.index(start) + len(start)] + "\n" + md + text[text.index(end):]
                open(readme, "w", encoding="utf-8").write(text)
                print(f"score table written into {readme}")


if __name__ == "__main__":
    main()
