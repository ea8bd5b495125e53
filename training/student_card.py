"""Writes the model card (README.md) of the English→German student bundle from what build-student-model.sh left in
training/work/: pairs per source (work/pairs/*.tsv) and per domain (work/data/train.kind), the checkpoint, the
training log, the engine scores of the previous and the new bundle (score_engine.sh with EVAL=work/student/eval-*)
and both bundles' output of the demo's sample sentences. Nothing in the card is typed by hand.

Usage: student_card.py --bundle models/s2s-en-de-small [--work training/work]"""
import argparse
import os
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from metrics import scores  # noqa: E402
from model_card import bundle_files, lines  # noqa: E402

SOURCES = {  # pairs file -> what the card calls it
    "ding": "Ding dictionary example sentences (trans-de-en)",
    "ding_words": "Ding dictionary word and phrase entries (trans-de-en)",
    "ddtp": "Debian package descriptions (DDTP, bookworm main)",
    "gettext": "gettext catalogs of LibreOffice, GIMP, Inkscape, GnuCash, Freeciv and the Wesnoth campaigns",
    "catalogs": "German gettext catalogs of about 740 further packages (data/catalogs.list)",
    "debian_reference": "Debian Reference (debian-reference-en / -de)",
}
DOMAINS = {"technical": "package descriptions", "ui": "UI catalogs of the six original packages",
           "everyday": "Ding example sentences", "dialogue": "Wesnoth campaign dialogue",
           "dictionary": "Ding word and phrase entries (kept when all their words are common)",
           "catalogs": "further packages' catalogs", "docs": "Debian Reference", "copy": "copy pairs (unknown spans)"}
SETS = ("technical", "ui", "everyday", "dialogue")


def data_tables(work, weights):
    origin, extracted = {}, Counter()
    for name in SOURCES:
        path = os.path.join(work, "pairs", name + ".tsv")
        for row in lines(path) if os.path.exists(path) else []:
            _, en, de = row.split("\t")
            extracted[name] += 1
            origin.setdefault((en, de), name)
    data = os.path.join(work, "data")
    train = Counter(origin.get(p, "other") for p in zip(lines(os.path.join(data, "train.en")),
                                                        lines(os.path.join(data, "train.de"))))
    out = ["| source | extracted pairs | in training (after cleaning, dedup, hold-out) |", "|---|---:|---:|"]
    out += [f"| {SOURCES[s]} | {extracted[s]:,} | {train[s]:,} |" for s in SOURCES if extracted[s]]
    if train["other"]:
        out.append(f"| made by prepare.py (copy pairs) | | {train['other']:,} |")
    out.append(f"| **total** | {sum(extracted.values()):,} | {sum(train.values()):,} |")
    kinds = Counter(lines(os.path.join(data, "train.kind")))
    dom = ["| domain | from | pairs | weight in each epoch |", "|---|---|---:|---:|"]
    dom += [f"| {k} | {DOMAINS.get(k, k)} | {n:,} | {weights.get(k, 1.0):g} |" for k, n in kinds.most_common()]
    held = ["| held-out set | dev pairs | test pairs |", "|---|---:|---:|"]
    held += [f"| {k} | {len(lines(os.path.join(data, f'dev.{k}.en'))):,} | {len(lines(os.path.join(data, f'test.{k}.en'))):,} |"
             for k in SETS]
    return "\n".join(out), "\n".join(dom), "\n".join(held)


def score_table(work, previous, current):
    """chrF and BLEU of both bundles per test set, dtype and beam width, from score_engine.sh's outputs."""
    rows = ["| test set | dtype | beams | chrF before | chrF now | Δ chrF | BLEU before | BLEU now |",
            "|---|---|---:|---:|---:|---:|---:|---:|"]
    summary = {}
    for s in SETS:
        ref = lines(os.path.join(work, "data", f"test.{s}.de"))
        for dtype in ("fp32", "q8"):
            for beams in (1, 4):
                name = f"engine.{s}.{dtype}.b{beams}.de"
                a, b = os.path.join(previous, name), os.path.join(current, name)
                if not (os.path.exists(a) and os.path.exists(b)):
                    continue
                ra, rb = scores(lines(a), ref), scores(lines(b), ref)
                summary[(s, dtype, beams)] = rb["chrF"] - ra["chrF"]
                rows.append(f"| {s} | {dtype} | {beams} | {ra['chrF']:.2f} | {rb['chrF']:.2f} | {rb['chrF'] - ra['chrF']:+.2f} "
                            f"| {ra['BLEU']:.2f} | {rb['BLEU']:.2f} |")
    return "\n".join(rows), summary


def demo_table(work):
    src = [l for l in lines(os.path.join(HERE, "..", "tools", "src", "main", "resources", "demo", "samples.txt"))
           if l and not l.startswith("#")]
    before = lines(os.path.join(work, "student", "demo.previous.de"))
    now = lines(os.path.join(work, "student", "demo.current.de"))
    rows = ["| English (demo sample) | before | now |", "|---|---|---|"]
    seen = set()
    for e, b, n in zip(src, before, now):
        if e not in seen:
            seen.add(e)
            rows.append(f"| {e} | {b} | {n} |")
    return "\n".join(rows)


def log_facts(path, upto):
    f = {"init": None, "dev": [], "tok_s": [], "weights": {}}
    for line in lines(path):
        m = re.match(r"started from .*: dev_loss ([\d.]+)", line)
        if m:
            f["init"] = float(m.group(1))
        m = re.match(r"step (\d+) dev_loss ([\d.]+)", line)
        if m and int(m.group(1)) <= upto:
            f["dev"].append((int(m.group(1)), float(m.group(2))))
        m = re.match(r"step (\d+) epoch \d+ loss [\d.]+ .*tgt_tok/s (\d+)", line)
        if m and int(m.group(1)) <= upto:
            f["tok_s"].append(int(m.group(2)))
        m = re.match(r"weighted (.*): \d+ pairs an epoch", line)
        if m:
            f["weights"] = {k: float(w) for k, w in re.findall(r"(\w+) x([\d.]+)", m.group(1))}
    return f


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--work", default=os.path.join(HERE, "work"))
    a = ap.parse_args()
    import torch
    w = os.path.join(a.work, "student")
    state = torch.load(os.path.join(w, "ckpt", "average.pt"), map_location="cpu")
    cfg = state["config"]
    params = sum(t.numel() for t in state["model"].values())
    facts = log_facts(os.path.join(w, "train.log"), state["step"])
    sources, domains, held = data_tables(a.work, facts["weights"])
    table, delta = score_table(a.work, os.path.join(w, "eval-previous"), os.path.join(w, "eval-current"))
    averaged = ", ".join(f"{s['step']:,}" for s in state.get("averaged", []))
    tok_s = sum(facts["tok_s"]) / max(1, len(facts["tok_s"]))
    last_dev = facts["dev"][-1] if facts["dev"] else (None, None)
    targets = []
    for s, goal in (("everyday", "≥ +9"), ("technical", "≥ 0"), ("ui", "≥ 0"), ("dialogue", "none")):
        d = delta.get((s, "fp32", 4))
        if d is not None:
            targets.append(f"| {s} | {goal} | {d:+.2f} | {delta.get((s, 'q8', 4), float('nan')):+.2f} |")
    name = os.path.basename(os.path.normpath(a.bundle))
    card = f"""# {name}: English→German student (deep encoder, one-layer decoder) with a byte-fallback vocabulary

The default model of seq2seq-streams, trained on one 2-core CPU from parallel text that ships in Debian packages (no
model hub, no downloaded corpora), in the Hugging Face Optimum / transformers.js layout (`model_type` "marian").
It replaces the earlier 3+3 model of the same name: the same width, a deeper encoder and a single decoder layer
(the shape of Bergamot's CPU students: the decoder runs once per generated token, the encoder once per sentence), and
a vocabulary that can write every character.

## Model
- Transformer, pre-norm, d_model {cfg['d_model']}, {cfg['encoder_layers']} encoder + {cfg['decoder_layers']} decoder layers,
  {cfg['heads']} heads, feed-forward {cfg['ffn_dim']}, sinusoidal positions, one embedding matrix shared by encoder
  input, decoder input and output layer; {params / 1e6:.1f} M parameters.
- SentencePiece unigram with byte fallback, {cfg['vocab_size']:,} pieces: pad = 0, `</s>` = 1, unk = 2, the 256 byte
  pieces `<0x00>`…`<0xFF>`, then the earlier model's 7,997 pieces and scores. A character outside the vocabulary
  (emoji, symbols, other scripts) is written as its UTF-8 bytes, so it survives the round trip instead of becoming
  `<unk>`.
- Files: fp32 ONNX with fp16 storage (computed in fp32) and int8 `_quantized.onnx`.

{bundle_files(a.bundle)}
## Training data (English→German, all from Debian bookworm packages)
{sources}

Per domain, with the weight `train.py --oversample` gave each in every epoch:

{domains}

Held out by package or document, exactly the earlier model's sets, so both are scored on the same text:

{held}

## Training
- Not from scratch: `student_init.py` read the earlier 3+3 model's weights back out of its ONNX files, moved its
  embedding rows behind the byte pieces, put its three encoder layers at positions 0, 2 and 4 with identity layers
  (zero output projections) between them, and took its decoder layer 1 as the single decoder layer (of the three
  layers, the one with the lowest dev loss on its own). That start has dev loss {facts['init']}; the earlier model's is 2.52.
- Then {state['step']:,} steps in {state.get('minutes', 0):.0f} minutes on 2 CPU cores, mean {tok_s:,.0f} target tokens/s;
  dev loss {last_dev[1]} at step {last_dev[0]} (cross-entropy per target token, 400 held-out dev pairs).
- The exported weights are the average of the saves at steps {averaged} (`average.py`).
- Adam (0.9, 0.98), inverse-square-root schedule with warm-up, label smoothing 0.1, dropout {cfg.get('dropout')},
  batches of about 4 000 tokens of similar length. Choices were made on the dev sets only.

## Scores on the held-out test sets
Both bundles through this project's engine (`training/score_engine.sh`: the `translate` command, ONNX Runtime Java),
on the full test sets; BLEU and chrF as sacreBLEU 2.x computes them (`training/metrics.py`). "before" is the earlier
3+3 model, "now" this one.

{table}

Against the targets of issue 25 (Δ chrF, beam 4):

| test set | target | fp32 | q8 |
|---|---|---:|---:|
{chr(10).join(targets)}

## The demo's sample sentences (fp32, beam 4)
{demo_table(a.work)}

## Speed
Side by side with the earlier model in one `bench` run: [bench/report-student-speed.md](../../bench/report-student-speed.md).

## Rebuild
```
training/build-student-model.sh      # set-up, data, starting weights, training, averaging, export, scores, this card
```
The data step is deterministic (sorted output, fixed seeds): rerunning gives byte-identical files.

## Limitations
A small model fine-tuned for about {state.get('minutes', 0) / 60:.1f} hours, mostly on short technical and UI text and
dictionary entries: expect literal, sometimes wrong translations of general or long sentences (see the table above).
For real use, point the engine at an `opus-mt-en-de` export instead; it loads unchanged.
"""
    with open(os.path.join(a.bundle, "README.md"), "w", encoding="utf-8") as f:
        f.write(card)
    print(f"wrote {os.path.join(a.bundle, 'README.md')}")


if __name__ == "__main__":
    main()
