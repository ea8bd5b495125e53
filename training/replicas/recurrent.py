"""The `recurrent` replica: a classic character-level LSTM encoder-decoder as in Keras' lstm_seq2seq example
(English -> German), built in PyTorch (nn.LSTM), trained briefly (a fixed number of epochs, seeded, one thread:
byte-identical on rerun) on corpus.en-de.tsv, exported with torch.onnx as two graphs plus a manifest:

  encoder.onnx       encoder_input_ids int64 [batch_size, encoder_sequence_length]
                     -> encoder_state_h, encoder_state_c float32 [batch_size, latent_dim]
  decoder_step.onnx  decoder_input_ids int64 [batch_size, 1], state_h, state_c float32 [batch_size, latent_dim]
                     -> probabilities float32 [batch_size, target_vocab] (softmax), next_state_h, next_state_c
  manifest.json      file and tensor names, character indexes, start/stop tokens (see MANIFEST below)

Golden files (OUT/recurrent.reference/greedy.jsonl, beam4.jsonl): training/reference_search.py's greedy and beam
search (Hugging Face semantics, scores = log of the probabilities) over the same weights.

  recurrent.py --out OUTDIR --inputs parity-inputs.txt [--latent 128] [--epochs 12]"""
import argparse
import json
import os
import random
import shutil
import sys

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import reference_search as rs  # noqa: E402

START, STOP = "\t", "\n"   # Keras lstm_seq2seq's start and stop characters
UNK = "\ufffd"             # input index 0: any character the encoder never saw
OPSET = 14


def batch_tensors(chunk, in_index, out_index):
    """(source ids, decoder inputs, decoder targets) of (en, de) pairs; targets -1 where padded."""
    ls = max(len(en) for en, _ in chunk)
    lt = max(len(de) for _, de in chunk) + 1
    # sources right-aligned (left-padded with index 0) so the final state is the last real character's
    src = torch.zeros(len(chunk), ls, dtype=torch.long)
    tin = torch.zeros(len(chunk), lt, dtype=torch.long)
    tout = torch.full((len(chunk), lt), -1, dtype=torch.long)
    for r, (en, de) in enumerate(chunk):
        ids = [in_index.get(ch, 0) for ch in en]
        src[r, ls - len(ids):] = torch.tensor(ids)
        t = [out_index[START]] + [out_index[ch] for ch in de] + [out_index[STOP]]
        tin[r, :len(t) - 1] = torch.tensor(t[:-1])
        tout[r, :len(t) - 1] = torch.tensor(t[1:])
    return src, tin, tout


class CharSeq2Seq(nn.Module):
    def __init__(self, n_in, n_out, emb, latent):
        super().__init__()
        self.src_embed = nn.Embedding(n_in, emb)
        self.tgt_embed = nn.Embedding(n_out, emb)
        self.encoder = nn.LSTM(emb, latent, batch_first=True)
        self.decoder = nn.LSTM(emb, latent, batch_first=True)
        self.dense = nn.Linear(latent, n_out)

    def encode(self, src):
        _, (h, c) = self.encoder(self.src_embed(src))
        return h[0], c[0]

    def decode(self, tgt, h, c):
        """tgt [b, t]; h, c [b, latent] -> logits [b, t, n_out], h, c."""
        out, (h, c) = self.decoder(self.tgt_embed(tgt), (h[None], c[None]))
        return self.dense(out), h[0], c[0]


class EncoderGraph(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, encoder_input_ids):
        return self.m.encode(encoder_input_ids)


class DecoderStepGraph(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, decoder_input_ids, state_h, state_c):
        logits, h, c = self.m.decode(decoder_input_ids, state_h, state_c)
        return torch.softmax(logits[:, -1, :], dim=-1), h, c


def load_pairs(max_en=40, max_de=50):
    pairs = []
    with open(os.path.join(HERE, "corpus.en-de.tsv"), encoding="utf-8") as f:
        for line in f:
            en, de = line.rstrip("\n").split("\t")
            if len(en) <= max_en and len(de) <= max_de:
                pairs.append((en, de))
    return pairs


def train(model, pairs, in_index, out_index, epochs, batch=64, lr=3e-3, seed=0):
    rnd = random.Random(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss(ignore_index=-1)
    order = list(range(len(pairs)))
    for ep in range(epochs):
        rnd.shuffle(order)
        total, n = 0.0, 0
        model.train()
        for i in range(0, len(order), batch):
            chunk = [pairs[j] for j in order[i:i + batch]]
            src, tin, tout = batch_tensors(chunk, in_index, out_index)
            h, c = model.encode(src)
            logits, _, _ = model.decode(tin, h, c)
            loss = loss_fn(logits.reshape(-1, logits.shape[-1]), tout.reshape(-1))
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            total += float(loss) * len(chunk)
            n += len(chunk)
        print(f"epoch {ep + 1}/{epochs}: loss {total / n:.3f}", flush=True)
    model.eval()


class RecurrentStepper:
    """reference_search's Stepper interface over the LSTM: log-probabilities from the softmax output."""

    def __init__(self, model, input_ids, rows):
        self.model = model
        h, c = model.encode(torch.tensor([input_ids]))
        self.h, self.c = h.expand(rows, -1).contiguous(), c.expand(rows, -1).contiguous()

    def step(self, last_tokens, log_softmax=True):
        probs, self.h, self.c = DecoderStepGraph(self.model)(torch.tensor(last_tokens)[:, None], self.h, self.c)
        return torch.log(probs)  # already normalized: log_softmax of it is itself

    def reorder(self, rows):
        idx = torch.tensor(rows)
        self.h, self.c = self.h[idx], self.c[idx]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--latent", type=int, default=128, help="LSTM units (Keras' example: 256)")
    ap.add_argument("--embedding", type=int, default=32)
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--max-length", type=int, default=64, help="decoder sequence cap, start included (HF meaning)")
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(a.seed)
    pairs = load_pairs()
    in_chars = sorted({ch for en, _ in pairs for ch in en})
    out_chars = sorted({ch for _, de in pairs for ch in de} | {START, STOP})
    in_index = {ch: i + 1 for i, ch in enumerate(in_chars)}  # 0: unknown / padding
    out_index = {ch: i for i, ch in enumerate(out_chars)}
    model = CharSeq2Seq(len(in_index) + 1, len(out_index), a.embedding, a.latent)
    train(model, pairs, in_index, out_index, a.epochs, seed=a.seed)

    out = os.path.join(a.out, "recurrent")
    ref = os.path.join(a.out, "recurrent.reference")
    for d in (out, ref):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    with torch.no_grad():
        src = torch.tensor([[1, 2, 3, 4, 5]])
        torch.onnx.export(EncoderGraph(model), (src,), os.path.join(out, "encoder.onnx"), opset_version=OPSET,
                          input_names=["encoder_input_ids"], output_names=["encoder_state_h", "encoder_state_c"],
                          dynamic_axes={"encoder_input_ids": {0: "batch_size", 1: "encoder_sequence_length"},
                                        "encoder_state_h": {0: "batch_size"}, "encoder_state_c": {0: "batch_size"}})
        h, c = model.encode(src)
        torch.onnx.export(DecoderStepGraph(model), (torch.tensor([[out_index[START]]]), h, c),
                          os.path.join(out, "decoder_step.onnx"), opset_version=OPSET,
                          input_names=["decoder_input_ids", "state_h", "state_c"],
                          output_names=["probabilities", "next_state_h", "next_state_c"],
                          dynamic_axes={"decoder_input_ids": {0: "batch_size"}, "state_h": {0: "batch_size"},
                                        "state_c": {0: "batch_size"}, "probabilities": {0: "batch_size"},
                                        "next_state_h": {0: "batch_size"}, "next_state_c": {0: "batch_size"}})
    manifest = {
        "format": "seq2seq-streams/recurrent-seq2seq", "format_version": 1,
        "architecture": "lstm", "level": "character", "latent_dim": a.latent,
        "encoder": {"file": "encoder.onnx",
                    "inputs": {"ids": "encoder_input_ids"},
                    "outputs": {"state_h": "encoder_state_h", "state_c": "encoder_state_c"}},
        "decoder": {"file": "decoder_step.onnx",
                    "inputs": {"ids": "decoder_input_ids", "state_h": "state_h", "state_c": "state_c"},
                    "outputs": {"scores": "probabilities", "state_h": "next_state_h", "state_c": "next_state_c"}},
        "input_encoding": "embedding_ids",
        "output_scores": "softmax",
        "source": {"characters": in_chars, "first_index": 1, "unknown_index": 0, "padding_index": 0,
                   "padding_side": "left"},
        "target": {"characters": out_chars, "start_token": START, "stop_token": STOP,
                   "start_index": out_index[START], "stop_index": out_index[STOP]},
        "max_length": a.max_length,
    }
    with open(os.path.join(out, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=2)
        f.write("\n")

    with open(a.inputs, encoding="utf-8") as f:
        texts = [line.rstrip("\n") for line in f if line.strip()]
    rs.Stepper = RecurrentStepper
    gen = {"eos_token_id": out_index[STOP], "decoder_start_token_id": out_index[START], "max_length": a.max_length}
    with torch.no_grad():
        for name, over in (("greedy", {"num_beams": 1}), ("beam4", {"num_beams": 4})):
            with open(os.path.join(ref, name + ".jsonl"), "w", encoding="utf-8") as f:
                for text in texts:
                    ids = [in_index.get(ch, 0) for ch in text]
                    o = rs.Options(gen, **over)
                    tokens, sum_lp, score = (rs.greedy if o.num_beams == 1 else rs.beam)(model, ids, o)
                    rec = {"text": text, "input_ids": ids, "options": over, "max_length": o.max_length,
                           "tokens": tokens, "output": "".join(out_chars[t] for t in tokens if t != out_index[STOP]),
                           "sum_logprobs": round(sum_lp, 6), "score": round(score, 6)}
                    f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    size = sum(os.path.getsize(os.path.join(out, x)) for x in os.listdir(out))
    print(f"recurrent: {len(os.listdir(out))} files, {size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
