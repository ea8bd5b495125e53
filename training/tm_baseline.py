"""Translation-memory baseline: for each test source, the training target whose source is most similar by
character 3-gram Dice similarity (the way localization tools fuzzy-match a translation memory).

An inverted index from 3-gram to training sentences makes a look-up cost one pass over the postings of the
query's 3-grams instead of a pass over the whole memory. Ties go to the earliest training pair, so the output
is deterministic.

Usage: tm_baseline.py TRAIN_PREFIX TEST_SOURCE > hypotheses   (TRAIN_PREFIX.en / TRAIN_PREFIX.de)"""
import sys

import numpy as np


def trigrams(text):
    """Distinct character 3-grams of the lower-cased, space-normalised text, padded with a space each side."""
    t = " " + " ".join(text.lower().split()) + " "
    return {t[i:i + 3] for i in range(len(t) - 2)} or {t}


class TranslationMemory:
    def __init__(self, sources, targets):
        self.targets = targets  # target side of the memory, by pair index
        postings = {}
        sizes = np.zeros(len(sources), dtype=np.float64)
        for i, s in enumerate(sources):
            grams = trigrams(s)
            sizes[i] = len(grams)
            for g in grams:
                postings.setdefault(g, []).append(i)
        self.sizes = sizes  # number of distinct 3-grams of each memory source
        self.postings = {g: np.asarray(ids, dtype=np.int32) for g, ids in postings.items()}  # 3-gram -> pair ids

    def best(self, source):
        """(index, Dice similarity) of the memory source closest to `source`; (-1, 0.0) when nothing shares a 3-gram."""
        grams = trigrams(source)
        lists = [self.postings[g] for g in grams if g in self.postings]
        if not lists:
            return -1, 0.0
        shared = np.bincount(np.concatenate(lists), minlength=len(self.sizes))
        dice = 2.0 * shared / (self.sizes + len(grams))
        i = int(np.argmax(dice))  # first maximum: earliest pair wins ties
        return i, float(dice[i])

    def translate(self, source):
        i, _ = self.best(source)
        return self.targets[i] if i >= 0 else ""


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines()


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    tm = TranslationMemory(read_lines(argv[1] + ".en"), read_lines(argv[1] + ".de"))
    out = sys.stdout
    for line in read_lines(argv[2]):
        out.write(tm.translate(line) + "\n")


if __name__ == "__main__":
    main(sys.argv)
