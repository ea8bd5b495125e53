"""Trains the shared English+German SentencePiece unigram vocabulary on the training split.
Ids: pad=0, eos=1 (</s>), unk=2, no bos (Marian convention; the decoder starts from pad)."""
import argparse
import os
import random
import sentencepiece as spm

WORK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "work")


def weighted_inputs(inputs, spec, out):
    """The input files with each line repeated (or sampled) by its kind's weight, written next to the model."""
    kind_file = os.path.join(os.path.dirname(inputs[0]), "train.kind")
    with open(kind_file, encoding="utf-8") as f:
        kinds = f.read().splitlines()
    weights = {k: float(n) for k, n in (item.split("=") for item in spec.split(","))}
    rng = random.Random(1)
    copies = [int(w) + (1 if rng.random() < w - int(w) else 0) for w in (weights.get(k, 1.0) for k in kinds)]
    written = []
    for i, path in enumerate(inputs):
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        if len(lines) != len(kinds):
            raise SystemExit(f"spm.py: {path} has {len(lines)} lines, {kind_file} {len(kinds)}")
        target = f"{out}.input{i}.txt"
        with open(target, "w", encoding="utf-8") as f:
            for line, n in zip(lines, copies):
                f.writelines([line + "\n"] * n)
        written.append(target)
    return written


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vocab", type=int, default=8000)
    ap.add_argument("--byte-fallback", action="store_true",
                    help="characters outside the vocabulary become UTF-8 byte pieces instead of <unk>")
    ap.add_argument("--out", default=os.path.join(WORK, "spm"))
    ap.add_argument("--inputs", nargs="+",
                    default=[os.path.join(WORK, "data", "train.en"), os.path.join(WORK, "data", "train.de")])
    ap.add_argument("--oversample", default="", metavar="KIND=N,...",
                    help="weigh the lines by kind (data/train.kind) as train.py --oversample does, so the vocabulary "
                         "fits the mix the model is trained on")
    a = ap.parse_args()
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    if a.oversample:
        a.inputs = weighted_inputs(a.inputs, a.oversample, a.out)
    spm.SentencePieceTrainer.train(
        input=",".join(a.inputs), model_prefix=a.out, vocab_size=a.vocab, model_type="unigram",
        character_coverage=0.9995, pad_id=0, eos_id=1, unk_id=2, bos_id=-1,
        pad_piece="<pad>", eos_piece="</s>", unk_piece="<unk>",
        normalization_rule_name="nmt_nfkc", input_sentence_size=400000, shuffle_input_sentence=True,
        seed_sentencepiece_size=400000, byte_fallback=a.byte_fallback, num_threads=2, minloglevel=2)
    print("wrote", a.out + ".model")


if __name__ == "__main__":
    main()
