"""Trains the shared English+German SentencePiece unigram vocabulary on the training split.
Ids: pad=0, eos=1 (</s>), unk=2, no bos (Marian convention; the decoder starts from pad)."""
import argparse
import os
import sentencepiece as spm

WORK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "work")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vocab", type=int, default=8000)
    ap.add_argument("--out", default=os.path.join(WORK, "spm"))
    ap.add_argument("--inputs", nargs="+",
                    default=[os.path.join(WORK, "data", "train.en"), os.path.join(WORK, "data", "train.de")])
    a = ap.parse_args()
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    spm.SentencePieceTrainer.train(
        input=",".join(a.inputs), model_prefix=a.out, vocab_size=a.vocab, model_type="unigram",
        character_coverage=0.9995, pad_id=0, eos_id=1, unk_id=2, bos_id=-1,
        pad_piece="<pad>", eos_piece="</s>", unk_piece="<unk>",
        normalization_rule_name="nmt_nfkc", input_sentence_size=400000, shuffle_input_sentence=True,
        seed_sentencepiece_size=400000, num_threads=2, minloglevel=2)
    print("wrote", a.out + ".model")


if __name__ == "__main__":
    main()
