"""Compares metrics.py (the port the Java eval is checked against) with sacreBLEU itself, where sacreBLEU can be
imported: PYTHONPATH=DIR-with-sacrebleu-2.x /usr/bin/python3 check_against_sacrebleu.py. Debian has no sacreBLEU and
PyPI is not reachable here, so this is a manual check, not part of the unit tests (which CI runs and which may not
skip)."""
import random
import sys

import metrics


def main():
    try:
        import sacrebleu
    except ImportError:
        sys.exit("sacrebleu is not importable: set PYTHONPATH to a folder with sacrebleu 2.x")
    rng = random.Random(7)
    words = ["Haus", "haus", "das", "Das", "ist", "(gut)", "gut,", "3.5", "1990-2000", "&amp;", "\"x\"", "-", ".", "Öl"]
    refs = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 12))) for _ in range(200)]
    hyps = [" ".join(rng.choice(words) for _ in range(rng.randint(0, 12))) for _ in range(200)]
    pairs = [("BLEU", metrics.corpus_bleu(hyps, refs), sacrebleu.corpus_bleu(hyps, [refs]).score),
             ("chrF", metrics.corpus_chrf(hyps, refs), sacrebleu.corpus_chrf(hyps, [refs]).score),
             ("chrF++", metrics.corpus_chrf(hyps, refs, 2), sacrebleu.corpus_chrf(hyps, [refs], word_order=2).score)]
    bad = [(n, a, b) for n, a, b in pairs if abs(a - b) > 1e-9]
    for n, a, b in pairs:
        print(f"{n}: metrics.py {a:.12f}  sacrebleu {b:.12f}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
