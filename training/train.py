"""Trains the default English→German model on the prepared data (training/work/data) with the shared
SentencePiece vocabulary (training/work/spm.model).

Token-budget batches of similar-length pairs, label smoothing, inverse-square-root warm-up, bf16 autocast where
the CPU has AVX512-BF16, a checkpoint every few minutes (resumed automatically) and a wall-clock cap, so the run
can be stopped and continued at any time. Progress goes to stdout, one line per report interval."""
import argparse
import math
import os
import random
import re
import shutil
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import sentencepiece as spm  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import ModelConfig, Seq2SeqTransformer  # noqa: E402

WORK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "work")


def has_bf16():
    try:
        return "avx512_bf16" in open("/proc/cpuinfo").read()
    except OSError:
        return False


def load_pairs(sp, prefix, max_len, exts=("en", "de"), max_src_len=None):
    with open(f"{prefix}.{exts[0]}", encoding="utf-8") as fe, open(f"{prefix}.{exts[1]}", encoding="utf-8") as fd:
        en, de = fe.read().splitlines(), fd.read().splitlines()
    src = sp.encode(en)
    tgt = sp.encode(de)
    src_len = max_src_len or max_len
    out = []
    for s, t in zip(src, tgt):
        s, t = s[:src_len - 1] + [1], t[:max_len - 1] + [1]
        out.append((s, t))
    return out


def oversample(pairs, kind_file, spec, seed):
    """pairs weighted by kind as spec says ("everyday=3,catalogs=0.3"): a whole number N repeats each pair of that
    kind N times in each epoch, a fraction keeps that share of them (the same seeded choice in every epoch)."""
    with open(kind_file, encoding="utf-8") as f:
        kinds = f.read().splitlines()
    if len(kinds) != len(pairs):
        sys.exit(f"train.py: {kind_file} has {len(kinds)} lines for {len(pairs)} pairs: rerun data/prepare.py")
    weights = {k: float(n) for k, n in (item.split("=") for item in spec.split(","))}
    rng = random.Random(seed)
    out = []
    for p, k in zip(pairs, kinds):
        w = weights.get(k, 1.0)
        copies = int(w) + (1 if rng.random() < w - int(w) else 0)
        out.extend([p] * copies)
    print("weighted " + ", ".join(f"{k} x{w:g} ({kinds.count(k)} pairs)" for k, w in weights.items())
          + f": {len(out)} pairs an epoch", flush=True)
    return out


def batches(pairs, max_tokens, rng):
    """Shuffled batches of pairs of similar length, each at most max_tokens (padded source + target)."""
    order = sorted(range(len(pairs)), key=lambda i: (len(pairs[i][1]), len(pairs[i][0]), rng.random()))
    out, cur, longest = [], [], 0
    for i in order:
        n = max(len(pairs[i][0]), len(pairs[i][1]) + 1)
        if cur and (max(longest, n) * (len(cur) + 1) * 2 > max_tokens):
            out.append(cur)
            cur, longest = [], 0
        cur.append(i)
        longest = max(longest, n)
    if cur:
        out.append(cur)
    rng.shuffle(out)
    return out


def collate(pairs, idx, cfg):
    src_len = max(len(pairs[i][0]) for i in idx)
    tgt_len = max(len(pairs[i][1]) for i in idx)
    src = torch.full((len(idx), src_len), cfg.pad_id, dtype=torch.long)
    tin = torch.full((len(idx), tgt_len), cfg.pad_id, dtype=torch.long)
    tout = torch.full((len(idx), tgt_len), -100, dtype=torch.long)
    for r, i in enumerate(idx):
        s, t = pairs[i]
        src[r, :len(s)] = torch.tensor(s)
        tin[r, 0] = cfg.decoder_start_id
        tin[r, 1:len(t)] = torch.tensor(t[:-1])
        tout[r, :len(t)] = torch.tensor(t)
    return src, tin, tout


def loss_fn(model, src, tin, tout, smoothing, bf16):
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        logits = model(src, tin)
    logits = logits.float().view(-1, logits.shape[-1])
    return F.cross_entropy(logits, tout.view(-1), ignore_index=-100, label_smoothing=smoothing, reduction="sum")


def evaluate(model, dev, cfg, bf16):
    model.eval()
    total, tokens = 0.0, 0
    with torch.no_grad():
        for idx in batches(dev, 6000, random.Random(0)):
            src, tin, tout = collate(dev, idx, cfg)
            total += loss_fn(model, src, tin, tout, 0.0, bf16).item()
            tokens += (tout != -100).sum().item()
    model.train()
    return total / tokens


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt-dir", default=os.path.join(WORK, "ckpt"))
    ap.add_argument("--data", default=os.path.join(WORK, "data"), help="folder of train.SRC/TGT and dev.SET.SRC/TGT")
    ap.add_argument("--spm", default=os.path.join(WORK, "spm.model"))
    ap.add_argument("--exts", default="en,de", help="file extensions of the source and target side")
    ap.add_argument("--dev-sets", default="technical,ui,everyday,dialogue",
                    help="dev.SET files, 100 pairs of each for the dev loss; an empty SET means the file dev.SRC")
    ap.add_argument("--max-src-len", type=int, default=128, help="source tokens kept (the rest is cut)")
    ap.add_argument("--max-minutes", type=float, default=120.0, help="wall-clock cap for this run")
    ap.add_argument("--max-steps", type=int, default=100000)
    ap.add_argument("--batch-tokens", type=int, default=4000)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--warmup", type=int, default=1000)
    ap.add_argument("--smoothing", type=float, default=0.1)
    ap.add_argument("--save-every-min", type=float, default=5.0)
    ap.add_argument("--keep", type=int, default=3, help="also keep the last N saves as ckpt/step-N.pt (for average.py)")
    ap.add_argument("--report-every", type=int, default=50)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-bf16", action="store_true")
    ap.add_argument("--encoder-layers", type=int, default=ModelConfig.encoder_layers)
    ap.add_argument("--decoder-layers", type=int, default=ModelConfig.decoder_layers)
    ap.add_argument("--d-model", type=int, default=ModelConfig.d_model)
    ap.add_argument("--ffn-dim", type=int, default=ModelConfig.ffn_dim)
    ap.add_argument("--heads", type=int, default=ModelConfig.heads)
    ap.add_argument("--init", metavar="PT", help="start from these weights and their shape (student_init.py) instead "
                                                 "of random ones; a resumed run goes on from its checkpoint instead")
    ap.add_argument("--oversample", default="", metavar="KIND=N,...",
                    help="weigh the training pairs of these kinds (data/train.kind): N copies in each epoch, or a fraction "
                         "of them, e.g. everyday=3,dialogue=3,catalogs=0.3")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    bf16 = has_bf16() and not a.no_bf16
    sp = spm.SentencePieceProcessor(model_file=a.spm)
    cfg = ModelConfig(vocab_size=sp.get_piece_size(), encoder_layers=a.encoder_layers, decoder_layers=a.decoder_layers,
                      d_model=a.d_model, ffn_dim=a.ffn_dim, heads=a.heads)
    last = os.path.join(a.ckpt_dir, "last.pt")
    if os.path.exists(last):  # a resumed run keeps the shape it was started with
        cfg = ModelConfig(**torch.load(last)["config"])
    elif a.init:
        cfg = ModelConfig(**torch.load(a.init)["config"])
    if cfg.vocab_size != sp.get_piece_size():
        sys.exit(f"train.py: the model has {cfg.vocab_size} pieces, {a.spm} {sp.get_piece_size()}")
    exts = tuple(a.exts.split(","))
    train = load_pairs(sp, os.path.join(a.data, "train"), 128, exts, a.max_src_len)
    if a.oversample:
        train = oversample(train, os.path.join(a.data, "train.kind"), a.oversample, a.seed)
    dev = []
    for k in a.dev_sets.split(","):
        dev += load_pairs(sp, os.path.join(a.data, "dev." + k if k else "dev"), 128, exts, a.max_src_len)[:100]
    print(f"train pairs {len(train)}, dev pairs {len(dev)}, bf16 {bf16}, threads {a.threads}", flush=True)

    model = Seq2SeqTransformer(cfg)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr, betas=(0.9, 0.98), eps=1e-9)
    step, epoch, spent = 0, 0, 0.0
    os.makedirs(a.ckpt_dir, exist_ok=True)
    if os.path.exists(last):
        state = torch.load(last)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        step, epoch, spent = state["step"], state["epoch"], state.get("minutes", 0.0)
        print(f"resumed from step {step} (epoch {epoch}, {spent:.1f} min trained)", flush=True)
    elif a.init:
        model.load_state_dict(torch.load(a.init)["model"])
        print(f"started from {a.init}: dev_loss {evaluate(model, dev, cfg, bf16):.3f}", flush=True)

    def save():
        tmp = last + ".tmp"
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step, "epoch": epoch,
                    "minutes": spent + (time.time() - start) / 60, "config": cfg.to_dict()}, tmp)
        os.replace(tmp, last)
        if a.keep > 0:
            shutil.copyfile(last, os.path.join(a.ckpt_dir, f"step-{step}.pt"))
            kept = sorted((f for f in os.listdir(a.ckpt_dir) if re.fullmatch(r"step-\d+\.pt", f)),
                          key=lambda f: int(f[5:-3]))
            for old in kept[:-a.keep]:
                os.remove(os.path.join(a.ckpt_dir, old))

    def lr_at(s):
        s = max(s, 1)
        return a.lr * min(s / a.warmup, math.sqrt(a.warmup / s))

    model.train()
    start = last_save = time.time()
    win_tokens, win_loss, win_start = 0, 0.0, time.time()
    done = False
    while not done:
        rng = random.Random(a.seed * 1000 + epoch)
        for idx in batches(train, a.batch_tokens, rng):
            src, tin, tout = collate(train, idx, cfg)
            n = (tout != -100).sum().item()
            for g in opt.param_groups:
                g["lr"] = lr_at(step + 1)
            loss = loss_fn(model, src, tin, tout, a.smoothing, bf16)
            opt.zero_grad(set_to_none=True)
            (loss / n).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            step += 1
            win_tokens += n
            win_loss += loss.item()
            if step % a.report_every == 0:
                el = time.time() - win_start
                print(f"step {step} epoch {epoch} loss {win_loss / win_tokens:.3f} lr {lr_at(step):.2e} "
                      f"tgt_tok/s {win_tokens / el:.0f} min {(time.time() - start) / 60:.1f}", flush=True)
                win_tokens, win_loss, win_start = 0, 0.0, time.time()
            if time.time() - last_save > a.save_every_min * 60:
                print(f"step {step} dev_loss {evaluate(model, dev, cfg, bf16):.3f} (checkpoint)", flush=True)
                save()
                last_save = time.time()
            if (time.time() - start) / 60 > a.max_minutes or step >= a.max_steps:
                done = True
                break
        else:
            epoch += 1
    print(f"step {step} dev_loss {evaluate(model, dev, cfg, bf16):.3f} (final)", flush=True)
    save()
    print(f"stopped after {(time.time() - start) / 60:.1f} min, step {step}", flush=True)


if __name__ == "__main__":
    main()
