"""Trains the classic character-level LSTM encoder-decoder (Keras' lstm_seq2seq: one-hot characters in, one LSTM
layer of 256 units each side, softmax over the target characters) in PyTorch on the project's English->German data
(training/work/data/train.{en,de}, made by the data steps of build-default-model.sh), resumably, and exports it in
the engine's recurrent bundle layout (docs/models-recurrent.md): encoder.onnx, decoder_step.onnx, manifest.json.

  train_recurrent.py --out ../../models/lstm-en-de-char [--max-minutes 60] [--epochs 100]

Checkpoints (--ckpt-dir, default training/work/recurrent/ckpt): last.pt every --save-every-min minutes and at the
end of each epoch (weights, optimizer, vocabularies, epoch and batch position, RNG state); a rerun with the same
settings continues from it, mid-epoch included. The export runs when the epochs are done or the time is up, so each
run leaves a usable bundle. Variants for other layouts: --cell gru, --embedding N (ids into an embedding instead of
one-hot), --scores logits. --golden-inputs FILE also writes the reference search's greedy.jsonl and beam4.jsonl
(training/reference_search.py) to OUT.reference/, as the replica bundles have."""
import argparse
import json
import os
import random
import shutil
import sys
import time
from collections import Counter

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TRAINING = os.path.join(HERE, "..")
sys.path.insert(0, TRAINING)
import reference_search as rs  # noqa: E402

import importlib.util  # noqa: E402

# the replica's batching, one definition for both models (a file path: "recurrent" is also this folder's name)
_spec = importlib.util.spec_from_file_location("replica_recurrent", os.path.join(TRAINING, "replicas", "recurrent.py"))
_replica = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_replica)
batch_tensors = _replica.batch_tensors

WORK = os.path.join(TRAINING, "work")
START, STOP = "\t", "\n"  # Keras lstm_seq2seq's start and stop characters
OPSET = 14
# settings a checkpoint must have been made with to be resumed
ARCH_KEYS = ("latent", "embedding", "cell", "max_src", "max_tgt", "min_count")


class CharSeq2Seq(nn.Module):
    """One recurrent layer each side. embedding 0: one-hot inputs (Keras' example), else an embedding of that size."""

    def __init__(self, n_in, n_out, latent, embedding=0, cell="lstm"):
        super().__init__()
        self.n_in, self.n_out, self.cell = n_in, n_out, cell
        self.src_embed = nn.Embedding(n_in, embedding) if embedding else None
        self.tgt_embed = nn.Embedding(n_out, embedding) if embedding else None
        rnn = nn.LSTM if cell == "lstm" else nn.GRU
        self.encoder = rnn(embedding or n_in, latent, batch_first=True)
        self.decoder = rnn(embedding or n_out, latent, batch_first=True)
        self.dense = nn.Linear(latent, n_out)

    def features(self, ids, embed, n):
        return embed(ids) if embed is not None else F.one_hot(ids, n).float()

    def encode(self, x):
        """x: source features [b, t, *] -> states, a tuple of [b, latent] (h, c for an LSTM; h for a GRU)."""
        _, s = self.encoder(x)
        return tuple(t[0] for t in s) if isinstance(s, tuple) else (s[0],)

    def decode(self, x, states):
        """x: target features [b, t, *] -> logits [b, t, n_out], next states."""
        s = tuple(t[None] for t in states)
        out, s = self.decoder(x, s if self.cell == "lstm" else s[0])
        return self.dense(out), (tuple(t[0] for t in s) if isinstance(s, tuple) else (s[0],))


class EncoderGraph(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, inputs):
        x = inputs if self.m.src_embed is None else self.m.src_embed(inputs)
        return self.m.encode(x)


class DecoderStepGraph(nn.Module):
    def __init__(self, m, softmax):
        super().__init__()
        self.m, self.softmax = m, softmax

    def forward(self, inputs, *states):
        x = inputs if self.m.tgt_embed is None else self.m.tgt_embed(inputs)
        logits, states = self.m.decode(x, states)
        scores = torch.softmax(logits[:, -1, :], dim=-1) if self.softmax else logits[:, -1, :]
        return (scores,) + tuple(states)


def read_pairs(a):
    """(en, de) pairs from --data PREFIX (PREFIX.en, PREFIX.de) or --tsv FILE (en TAB de per line)."""
    if a.tsv:
        with open(a.tsv, encoding="utf-8") as f:
            rows = [line.rstrip("\n").split("\t")[-2:] for line in f if "\t" in line]
    else:
        if not os.path.exists(a.data + ".en"):
            sys.exit(f"train_recurrent.py: {a.data}.en is missing: run the data steps of training/build-default-model.sh"
                     " (data/fetch.sh, then the extractors and data/prepare.py), or pass --tsv FILE")
        with open(a.data + ".en", encoding="utf-8") as fe, open(a.data + ".de", encoding="utf-8") as fd:
            rows = list(zip(fe.read().splitlines(), fd.read().splitlines()))
    return [(en, de) for en, de in rows if 0 < len(en) <= a.max_src and 0 < len(de) <= a.max_tgt]


def vocabularies(pairs, min_count):
    """Source characters seen min_count times (the rest become index 0, unknown); target characters likewise, and the
    pairs whose target has a rarer character are dropped (the decoder cannot write it)."""
    src = Counter(ch for en, _ in pairs for ch in en)
    tgt = Counter(ch for _, de in pairs for ch in de)
    in_chars = sorted(ch for ch, n in src.items() if n >= min_count)
    out_chars = sorted({ch for ch, n in tgt.items() if n >= min_count} | {START, STOP})
    keep = set(out_chars)
    return in_chars, out_chars, [(en, de) for en, de in pairs if all(ch in keep for ch in de)]


def loss_of(model, src, tin, tout):
    states = model.encode(model.features(src, model.src_embed, model.n_in))
    logits, _ = model.decode(model.features(tin, model.tgt_embed, model.n_out), states)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tout.reshape(-1), ignore_index=-1)


def epoch_order(n, batch, seed, epoch):
    """The epoch's batches: pairs shuffled by (seed, epoch), so a resumed epoch sees the same batches."""
    order = list(range(n))
    random.Random(seed * 100003 + epoch).shuffle(order)
    return [order[i:i + batch] for i in range(0, n, batch)]


def export(model, a, in_chars, out_chars, out_dir):
    model.eval()
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    one_hot = a.embedding == 0
    roles = ["state_h", "state_c"] if a.cell == "lstm" else ["state_h"]
    enc_in = "encoder_inputs" if one_hot else "encoder_input_ids"
    dec_in = "decoder_inputs" if one_hot else "decoder_input_ids"
    enc_out = ["encoder_" + r for r in roles]
    dec_states = list(roles)
    dec_out = ["probabilities" if a.scores == "softmax" else "logits"] + ["next_" + r for r in roles]
    n_in, n_out = len(in_chars) + 1, len(out_chars)
    with torch.no_grad():
        src = torch.tensor([[1, 2, 3, 4, 5]])
        src_x = F.one_hot(src, n_in).float() if one_hot else src
        tok = torch.tensor([[out_chars.index(START)]])
        tok_x = F.one_hot(tok, n_out).float() if one_hot else tok
        batch_axes = {n: {0: "batch_size"} for n in enc_out}
        batch_axes[enc_in] = {0: "batch_size", 1: "encoder_sequence_length"}
        torch.onnx.export(EncoderGraph(model), (src_x,), os.path.join(out_dir, "encoder.onnx"), opset_version=OPSET,
                          input_names=[enc_in], output_names=enc_out, dynamic_axes=batch_axes)
        states = EncoderGraph(model)(src_x)
        torch.onnx.export(DecoderStepGraph(model, a.scores == "softmax"), (tok_x,) + tuple(states),
                          os.path.join(out_dir, "decoder_step.onnx"), opset_version=OPSET,
                          input_names=[dec_in] + dec_states, output_names=dec_out,
                          dynamic_axes={n: {0: "batch_size"} for n in [dec_in] + dec_states + dec_out})
    manifest = {
        "format": "seq2seq-streams/recurrent-seq2seq", "format_version": 1,
        "architecture": a.cell, "level": "character", "latent_dim": a.latent,
        "encoder": {"file": "encoder.onnx", "inputs": {"ids": enc_in}, "outputs": dict(zip(roles, enc_out))},
        "decoder": {"file": "decoder_step.onnx", "inputs": {"ids": dec_in, **dict(zip(roles, dec_states))},
                    "outputs": {"scores": dec_out[0], **dict(zip(roles, dec_out[1:]))}},
        "input_encoding": "one_hot" if one_hot else "embedding_ids",
        "output_scores": a.scores,
        "source": {"characters": in_chars, "first_index": 1, "unknown_index": 0, "padding_index": 0,
                   "padding_side": "left", "max_length": a.max_src},
        "target": {"characters": out_chars, "start_token": START, "stop_token": STOP,
                   "start_index": out_chars.index(START), "stop_index": out_chars.index(STOP)},
        "max_length": a.max_length,
    }
    with open(os.path.join(out_dir, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=2)
        f.write("\n")
    size = sum(os.path.getsize(os.path.join(out_dir, x)) for x in os.listdir(out_dir))
    print(f"exported {out_dir}: {size / 1e6:.2f} MB", flush=True)


class Stepper:
    """reference_search's Stepper over this model: the exported decoder step, scores as the engine reads them."""

    def __init__(self, model, input_ids, rows, scores="softmax"):
        self.m, self.scores = model, scores
        self.step_graph = DecoderStepGraph(model, scores == "softmax")
        src = torch.tensor([input_ids])
        states = EncoderGraph(model)(F.one_hot(src, model.n_in).float() if model.src_embed is None else src)
        self.states = tuple(s.expand(rows, -1).contiguous() for s in states)

    def step(self, last_tokens, log_softmax=True):
        tok = torch.tensor(last_tokens)[:, None]
        out = self.step_graph(F.one_hot(tok, self.m.n_out).float() if self.m.tgt_embed is None else tok, *self.states)
        self.states = out[1:]
        if self.scores == "softmax":
            return torch.log(out[0])  # already normalized: log_softmax of it is itself
        return torch.log_softmax(out[0], dim=-1) if log_softmax else out[0]

    def reorder(self, rows):
        idx = torch.tensor(rows)
        self.states = tuple(s[idx] for s in self.states)


def write_golden(model, a, in_chars, out_chars, ref_dir):
    shutil.rmtree(ref_dir, ignore_errors=True)
    os.makedirs(ref_dir)
    in_index = {ch: i + 1 for i, ch in enumerate(in_chars)}
    stop = out_chars.index(STOP)
    with open(a.golden_inputs, encoding="utf-8") as f:
        texts = [line.rstrip("\n") for line in f if line.strip()]
    rs.Stepper = lambda m, ids, rows: Stepper(m, ids, rows, a.scores)
    gen = {"eos_token_id": stop, "decoder_start_token_id": out_chars.index(START), "max_length": a.max_length}
    with torch.no_grad():
        for name, over in (("greedy", {"num_beams": 1}), ("beam4", {"num_beams": 4})):
            with open(os.path.join(ref_dir, name + ".jsonl"), "w", encoding="utf-8") as f:
                for text in texts:
                    ids = [in_index.get(ch, 0) for ch in text]
                    o = rs.Options(gen, **over)
                    tokens, sum_lp, score = (rs.greedy if o.num_beams == 1 else rs.beam)(model, ids, o)
                    rec = {"text": text, "input_ids": ids, "options": over, "max_length": o.max_length,
                           "tokens": tokens, "output": "".join(out_chars[t] for t in tokens if t != stop),
                           "sum_logprobs": round(sum_lp, 6), "score": round(score, 6)}
                    f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"reference outputs: {ref_dir}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="bundle folder to write")
    ap.add_argument("--data", default=os.path.join(WORK, "data", "train"), help="PREFIX of PREFIX.en and PREFIX.de")
    ap.add_argument("--tsv", help="read pairs from this file (en TAB de, or doc TAB en TAB de) instead of --data")
    ap.add_argument("--ckpt-dir", default=os.path.join(WORK, "recurrent", "ckpt"))
    ap.add_argument("--latent", type=int, default=256, help="LSTM units (Keras' example: 256)")
    ap.add_argument("--embedding", type=int, default=0, help="0: one-hot inputs (Keras' example); N: an embedding")
    ap.add_argument("--cell", choices=["lstm", "gru"], default="lstm")
    ap.add_argument("--scores", choices=["softmax", "logits"], default="softmax", help="the decoder graph's output")
    ap.add_argument("--epochs", type=int, default=100, help="Keras' example: 100")
    ap.add_argument("--batch", type=int, default=64, help="Keras' example: 64")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--max-src", type=int, default=100, help="longest English side kept, in characters")
    ap.add_argument("--max-tgt", type=int, default=120, help="longest German side kept, in characters")
    ap.add_argument("--min-count", type=int, default=5, help="rarer characters: unknown (source), pair dropped (target)")
    ap.add_argument("--max-length", type=int, default=128, help="manifest max_length: decoder cap, start included")
    ap.add_argument("--dev-pairs", type=int, default=500, help="held out (every n-th pair) for the dev loss")
    ap.add_argument("--max-minutes", type=float, default=0, help="wall-clock cap for this run (0: none)")
    ap.add_argument("--max-batches", type=int, default=0, help="stop this run after N batches, as the time cap does")
    ap.add_argument("--save-every-min", type=float, default=5.0)
    ap.add_argument("--report-every", type=int, default=100, help="batches between progress lines")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--golden-inputs", help="also write OUT.reference/{greedy,beam4}.jsonl for these lines")
    ap.add_argument("--export-only", action="store_true", help="export the last checkpoint without training")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    began = time.time()

    os.makedirs(a.ckpt_dir, exist_ok=True)
    last = os.path.join(a.ckpt_dir, "last.pt")
    ckpt = torch.load(last) if os.path.exists(last) else None
    if ckpt is not None:
        differ = {k: (ckpt["args"][k], getattr(a, k)) for k in ARCH_KEYS if ckpt["args"][k] != getattr(a, k)}
        if differ:
            sys.exit(f"train_recurrent.py: {last} was made with other settings {differ}: use another --ckpt-dir")
        in_chars, out_chars = ckpt["in_chars"], ckpt["out_chars"]
    pairs = read_pairs(a)
    if ckpt is None:
        in_chars, out_chars, pairs = vocabularies(pairs, a.min_count)
    else:
        keep = set(out_chars)
        pairs = [(en, de) for en, de in pairs if all(ch in keep for ch in de)]
    step_dev = max(2, len(pairs) // max(1, a.dev_pairs))
    dev = pairs[::step_dev][:a.dev_pairs]
    train = [p for i, p in enumerate(pairs) if i % step_dev != 0 or i // step_dev >= a.dev_pairs]
    in_index = {ch: i + 1 for i, ch in enumerate(in_chars)}  # 0: unknown / padding
    out_index = {ch: i for i, ch in enumerate(out_chars)}
    model = CharSeq2Seq(len(in_chars) + 1, len(out_chars), a.latent, a.embedding, a.cell)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    epoch, done_batches = 0, 0
    if ckpt is not None:
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["opt"])
        epoch, done_batches = ckpt["epoch"], ckpt["batch"]
        torch.set_rng_state(ckpt["rng"])
        print(f"resumed {last}: epoch {epoch + 1}, batch {done_batches}", flush=True)
    print(f"{len(train)} training pairs, {len(dev)} dev pairs; {len(in_chars)} source and {len(out_chars)} target "
          f"characters; {sum(p.numel() for p in model.parameters()) / 1e6:.2f} M weights "
          f"({a.cell}, latent {a.latent}, {'one-hot' if not a.embedding else f'embedding {a.embedding}'})", flush=True)

    def save(ep, batch):
        tmp = last + ".tmp"
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "epoch": ep, "batch": batch,
                    "rng": torch.get_rng_state(), "in_chars": in_chars, "out_chars": out_chars,
                    "args": {k: getattr(a, k) for k in ARCH_KEYS}}, tmp)
        os.replace(tmp, last)

    def dev_loss():
        model.eval()
        total, n = 0.0, 0
        with torch.no_grad():
            for i in range(0, len(dev), 128):
                chunk = dev[i:i + 128]
                src, tin, tout = batch_tensors(chunk, in_index, out_index)
                k = int((tout >= 0).sum())
                total += float(loss_of(model, src, tin, tout)) * k
                n += k
        model.train()
        return total / max(1, n)

    out_of_time = False
    last_save = time.time()
    run_batches = 0
    while not a.export_only and epoch < a.epochs and not out_of_time:
        batches = epoch_order(len(train), a.batch, a.seed, epoch)
        t0, total, chars = time.time(), 0.0, 0
        model.train()
        for b in range(done_batches, len(batches)):
            src, tin, tout = batch_tensors([train[j] for j in batches[b]], in_index, out_index)
            loss = loss_of(model, src, tin, tout)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            k = int((tout >= 0).sum())
            total += float(loss) * k
            chars += k
            if (b + 1) % a.report_every == 0:
                s = time.time() - t0
                print(f"epoch {epoch + 1} batch {b + 1}/{len(batches)}: loss {total / chars:.3f}, "
                      f"{chars / s:.0f} target chars/s", flush=True)
            if time.time() - last_save > a.save_every_min * 60:
                save(epoch, b + 1)
                last_save = time.time()
            run_batches += 1
            if (a.max_minutes and time.time() - began > a.max_minutes * 60) or run_batches == a.max_batches:
                save(epoch, b + 1)
                print(f"stopping (--max-minutes {a.max_minutes}, --max-batches {a.max_batches}): saved at epoch "
                      f"{epoch + 1}, batch {b + 1}; rerun to continue", flush=True)
                out_of_time = True
                break
        if out_of_time:
            break
        s = time.time() - t0
        epoch, done_batches = epoch + 1, 0
        save(epoch, 0)
        last_save = time.time()
        print(f"epoch {epoch}/{a.epochs}: loss {total / max(1, chars):.3f}, dev loss {dev_loss():.3f}, "
              f"{s:.0f} s ({chars / s:.0f} target chars/s)", flush=True)

    export(model, a, in_chars, out_chars, a.out)
    if a.golden_inputs:
        write_golden(model, a, in_chars, out_chars, a.out.rstrip("/") + ".reference")


if __name__ == "__main__":
    main()
