"""Writes golden BLEU / chrF / chrF++ figures for ports of metrics.py (the Java `eval` command's tests compare with
them): seeded random corpora over words that exercise the 13a tokenizer (entities, numbers, dashes, quotes,
non-ASCII) and chrF++'s punctuation splitting, plus a few fixed edge cases (empty hypothesis, no match, exact match).

Usage: metrics_golden.py OUT.json   (same seed, same file, byte for byte)"""
import json
import random
import sys

from metrics import corpus_bleu, corpus_chrf

WORDS = ["Haus", "haus", "das", "Das", "ist", "(gut)", "gut,", "3.5", "3,5", "1990-2000", "&amp;", "&quot;x&quot;",
         "\"x\"", "-", ".", "Öl", "Straße", "e.g.", "z.B.", "...", "a/b", "{t}", "$5", "–", "„Ja“", "ça", "日本"]
# Python-only whitespace (no-break spaces, U+0085, U+3000 ...), characters beyond the BMP, 13a's <skipped> and entities,
# punctuation at both word ends: where a port that uses its own language's string functions goes wrong
HARD = ["a\u00a0b", "x\u2009y", "z\u3000", "\u0085q", "w\x1cv", "\t", "😀", "𝔘𝔫𝔦", "(hi)", "'s", "<skipped>", "&lt;b&gt;",
        "&amp;amp;", "1-2", "-1", "3-", "a.b", ".5", "5.", ",", "e'", "Über", "İ", "ß", "—", "…", "\u200b", "x\u00a0"]


def corpus(rng, n, max_words, min_words):
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(min_words, max_words))) for _ in range(n)]


def case(name, hyps, refs):
    return {"name": name, "hypotheses": hyps, "references": refs, "BLEU": corpus_bleu(hyps, refs),
            "chrF": corpus_chrf(hyps, refs), "chrF++": corpus_chrf(hyps, refs, 2)}


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    rng = random.Random(20261126)
    cases = [
        case("exact match", ["Das ist gut."], ["Das ist gut."]),
        case("no match", ["x y z"], ["a b c"]),
        case("empty hypothesis", [""], ["Das ist gut."]),
        case("short hypothesis", ["Das"], ["Das ist gut."]),
        case("the cat", ["The cat is on the mat."], ["The cat sat on the mat."]),
    ]
    for i in range(5):
        refs = corpus(rng, 50, 15, 1)
        hyps = [r if rng.random() < 0.2 else h for r, h in zip(refs, corpus(rng, 50, 15, 0))]
        cases.append(case(f"random {i}", hyps, refs))
    hard = WORDS[:8] + HARD
    for i in range(3):
        refs = [" ".join(rng.choice(hard) for _ in range(rng.randint(1, 12))) + rng.choice(["", " ", "\u00a0", "\t"])
                for _ in range(40)]
        hyps = [r if rng.random() < 0.2 else " ".join(rng.choice(hard) for _ in range(rng.randint(0, 12)))
                for r in refs]
        cases.append(case(f"python whitespace and astral {i}", hyps, refs))
    with open(argv[1], "w", encoding="utf-8") as f:
        json.dump({"generator": "training/metrics_golden.py", "cases": cases}, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv)
