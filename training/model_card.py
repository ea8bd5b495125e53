"""Writes the model card (README.md) of an exported bundle from what the recipe left in training/work/:
extracted pairs per source (work/pairs/*.tsv), the train/dev/test files (work/data/), the checkpoint (size, steps,
minutes), the training log (tokens/s, dev loss) and the scores of evaluate.py (work/eval/scores.json).
Rerun it after evaluate.py; nothing in the card is typed by hand.

Usage: model_card.py --bundle models/s2s-en-de-small [--name s2s-en-de-small]"""
import argparse
import json
import os
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(HERE, "work")
SOURCES = {  # extractor file -> how the card names the source
    "ddtp": "Debian package descriptions (DDTP, bookworm main)",
    "gettext": "gettext UI catalogs (LibreOffice, GIMP, Inkscape, GnuCash, Freeciv)",
    "wesnoth": "gettext catalogs of the Wesnoth 1.16 campaigns (dialogue)",
    "ding": "Ding dictionary example sentences (trans-de-en)",
}
SET_SOURCE = {"technical": "DDTP descriptions of held-out packages", "ui": "gettext catalogs of held-out packages",
              "everyday": "Ding example sentences of held-out entries", "dialogue": "one held-out Wesnoth campaign"}


def lines(path):
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines()


def data_section(work):
    """Markdown table: pairs extracted per source and how many of them are in the training set."""
    origin, extracted = {}, Counter()
    for name in ("ddtp", "gettext", "ding"):
        path = os.path.join(work, "pairs", name + ".tsv")
        if not os.path.exists(path):
            continue
        for row in lines(path):
            doc, en, de = row.split("\t")
            src = "wesnoth" if doc.startswith("wesnoth") else name
            extracted[src] += 1
            origin.setdefault((en, de), src)
    train = Counter(origin.get(p, "?") for p in zip(lines(os.path.join(work, "data", "train.en")),
                                                    lines(os.path.join(work, "data", "train.de"))))
    out = ["| source | extracted pairs | in training (after cleaning, dedup, hold-out) |", "|---|---:|---:|"]
    for src in sorted(extracted):
        label = SOURCES.get(src, src)
        out.append(f"| {label} | {extracted[src]:,} | {train[src]:,} |")
    out.append(f"| **total** | {sum(extracted.values()):,} | {sum(train.values()):,} |")
    held = ["| held-out set | from | dev pairs | test pairs |", "|---|---|---:|---:|"]
    for k in SET_SOURCE:
        dev = os.path.join(work, "data", f"dev.{k}.en")
        test = os.path.join(work, "data", f"test.{k}.en")
        if os.path.exists(test):
            held.append(f"| {k} | {SET_SOURCE[k]} | {len(lines(dev)) if os.path.exists(dev) else 0:,} | "
                        f"{len(lines(test)):,} |")
    return "\n".join(out) + "\n\n" + "\n".join(held) + "\n"


def training_facts(log_path, upto_step):
    """Steps, tokens/s (mean of the report lines), last dev loss, bf16, from train.log."""
    facts = {"tok_s": [], "dev_loss": None, "dev_step": None, "bf16": None, "train_pairs": None, "loss": None,
             "oversampled": None, "oversampled_from": None}
    if not os.path.exists(log_path):
        return facts
    for line in lines(log_path):
        m = re.match(r"step (\d+) epoch \d+ loss ([\d.]+) .*tgt_tok/s (\d+)", line)
        if m and int(m.group(1)) <= upto_step:
            facts["tok_s"].append(int(m.group(3)))
            facts["loss"] = float(m.group(2))
        m = re.match(r"step (\d+) dev_loss ([\d.]+)", line)
        if m and int(m.group(1)) <= upto_step:  # the log may go on past the exported checkpoint
            facts["dev_step"], facts["dev_loss"] = int(m.group(1)), float(m.group(2))
        m = re.match(r"oversampled (.*)", line)
        if m:
            facts["oversampled"], facts["oversampled_from"] = m.group(1), "next"
        m = re.match(r"resumed from step (\d+)", line)
        if m and facts["oversampled_from"] == "next":
            facts["oversampled_from"] = int(m.group(1))
        m = re.match(r"train pairs (\d+), dev pairs (\d+), bf16 (\w+)", line)
        if m:
            facts["train_pairs"], facts["dev_pairs"], facts["bf16"] = int(m.group(1)), int(m.group(2)), m.group(3)
    return facts


def domain_line(facts):
    """The card's line on the phase with the smaller domains weighted up (train.py --oversample), if there was one."""
    if not facts["oversampled"] or not isinstance(facts["oversampled_from"], int):
        return ""
    return (f"- From step {facts['oversampled_from']:,} on, the smaller domains weighted up: {facts['oversampled']}\n"
            "  (`train.py --oversample`).\n")


def averaged_line(state):
    """The card's line on checkpoint averaging (average.py), if the exported weights are an average."""
    if not state.get("averaged"):
        return ""
    steps = ", ".join(f"{s['step']:,}" for s in state["averaged"])
    return f"- The exported weights are the average of the saves at steps {steps} (`average.py`).\n"


def bundle_files(bundle):
    """Markdown table of the bundle's files (README.md aside) and their sizes."""
    sizes = {}
    for root, _, files in os.walk(bundle):
        for f in files:
            p = os.path.join(root, f)
            sizes[os.path.relpath(p, bundle)] = os.path.getsize(p)
    sizes.pop("README.md", None)
    rows = [f"| {rel} | {size / 1e6:.1f} |" for rel, size in sorted(sizes.items())]
    return "\n".join(["| file | MB |", "|---|---:|"] + rows + [f"| **total** | {sum(sizes.values()) / 1e6:.1f} |"]) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--name", default=None)
    ap.add_argument("--work", default=WORK)
    ap.add_argument("--checkpoint", default=None)
    a = ap.parse_args()
    name = a.name or os.path.basename(os.path.normpath(a.bundle))
    ckpt = a.checkpoint or os.path.join(a.work, "ckpt", "last.pt")

    sys.path.insert(0, HERE)
    import torch
    state = torch.load(ckpt, map_location="cpu")
    cfg = state["config"]
    params = sum(t.numel() for k, t in state["model"].items())
    facts = training_facts(os.path.join(a.work, "train.log"), state.get("step", 0))
    scores_path = os.path.join(a.work, "eval", "scores.json")
    scores = json.load(open(scores_path)) if os.path.exists(scores_path) else None
    tok_s = sum(facts["tok_s"]) / len(facts["tok_s"]) if facts["tok_s"] else 0
    score_md = open(os.path.join(a.work, "eval", "scores.md")).read() if scores else "(not scored yet)\n"
    engine_path = os.path.join(a.work, "eval", "engine.md")
    engine_md = ("\nThe shipped files through this project's engine (ONNX Runtime Java, `training/score_engine.sh`), fp32 and "
                 "int8, on the full test sets:\n\n" + open(engine_path).read()) if os.path.exists(engine_path) else ""

    card = f"""# {name}: English→German Transformer trained from scratch on Debian-packaged text

The default model of seq2seq-streams. A small Marian-style encoder-decoder, trained on one 2-core CPU in one
session from parallel text that ships in Debian packages (no model hub, no downloaded corpora), exported in the
Hugging Face Optimum / transformers.js layout (`model_type` "marian").

## Model
- Transformer, pre-norm, d_model {cfg['d_model']}, {cfg['encoder_layers']}+{cfg['decoder_layers']} layers,
  {cfg['heads']} heads, feed-forward {cfg['ffn_dim']}, sinusoidal positions, one embedding matrix shared by encoder
  input, decoder input and output layer; {params / 1e6:.1f} M parameters.
- SentencePiece unigram, shared English/German vocabulary of {cfg['vocab_size']:,} pieces
  (pad = {cfg['pad_id']}, `</s>` = {cfg['eos_id']}, unk = 2; the decoder starts from pad).
- Files: fp32 ONNX and int8 `_quantized.onnx` (weight MatMuls as DynamicQuantizeLinear → MatMulInteger).

{bundle_files(a.bundle)}
## Training data (English→German, all from Debian bookworm packages)
{data_section(a.work)}
Held out by package or document (no package's text is on both sides; held-out English never appears in training).

## Training
- {state.get('step', 0):,} steps in {state.get('minutes', 0):.0f} minutes on 2 CPU cores (bf16 autocast: {facts['bf16']}),
  shared with other work on the same machine; mean {tok_s:,.0f} target tokens/s.
{domain_line(facts)}{averaged_line(state)}- Adam (0.9, 0.98), inverse-square-root schedule with warm-up, label smoothing 0.1, dropout {cfg.get('dropout')},
  batches of about 4 000 tokens of similar length.
- Last training loss (smoothed) {facts['loss']}; dev loss {facts['dev_loss']} at step {facts['dev_step']}
  (cross-entropy per target token, on {facts.get('dev_pairs')} held-out dev pairs).

## Scores on the held-out test sets
BLEU, chrF and chrF++ as sacreBLEU 2.x computes them (13a tokenizer; chrF n=6, β=2; chrF++ word n=2; corpus level),
with `training/metrics.py`, checked against sacreBLEU itself. "greedy" and "beam4" decode the checkpoint in PyTorch
with its weights rounded as the fp32 files store them (fp16 storage, fp32 compute), pad banned, at most
2 × source tokens + 10 new tokens, beam hypotheses ranked by log-probability / length; the engine's greedy output
of the fp32 and int8 files matched this decoding on a sample. "tm-baseline" is a translation memory: the training
target of the training source most similar to the test source (character 3-gram Dice).

<!-- scores -->
{score_md}<!-- /scores -->
{engine_md}
## Rebuild and rescore
```
training/build-default-model.sh                          # set-up, data, SentencePiece, training, export, scores
/usr/bin/python3 training/evaluate.py --checkpoint training/work/ckpt/average.pt --fp16-weights  # rescore (greedy, beam 4, TM baseline)
training/score_engine.sh models/{name}                   # the fp32 and int8 files through the engine
/usr/bin/python3 training/model_card.py --bundle models/{name} # rewrite this card from training/work/
```
The data step is deterministic (sorted output, fixed seeds): rerunning gives byte-identical files.

## Limitations
A small model trained for about {state.get('minutes', 0) / 60:.1f} hours on about 100 000 pairs of mostly short,
technical and UI text: expect literal, often wrong translations of general or long sentences. For real use, point
the engine at an `opus-mt-en-de` export instead; it loads unchanged.
"""
    with open(os.path.join(a.bundle, "README.md"), "w", encoding="utf-8") as f:
        f.write(card)
    print(f"wrote {os.path.join(a.bundle, 'README.md')}")


if __name__ == "__main__":
    main()
