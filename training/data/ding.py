"""Ding (trans-de-en) example sentences: lines `de | de :: en | en`; sub-entries align one to one.
Keeps the sub-entries that are sentences (start upper-case, end with . ! ?, at least 3 words)."""
import os
import re
from common import WORK, write_pairs

TAGS = re.compile(r"\s*(\{[^}]*\}|\[[^\]]*\])")
SENTENCE = re.compile(r"^[A-ZÄÖÜ\"'].*[.!?]$")


def clean(s):
    return TAGS.sub("", s).strip()


def sub_entries(path):
    """(German, English) of each sub-entry of each line whose two sides have the same number of sub-entries."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or " :: " not in line:
                continue
            de_side, en_side = line.rstrip("\n").split(" :: ", 1)
            de_parts, en_parts = de_side.split(" | "), en_side.split(" | ")
            if len(de_parts) == len(en_parts):
                yield from zip(de_parts, en_parts)


def pairs(path):
    for de, en in sub_entries(path):
        de, en = clean(de), clean(en)
        if ";" in de or ";" in en:  # alternatives, not one sentence
            continue
        if SENTENCE.match(de) and SENTENCE.match(en) and len(en.split()) >= 3 and len(de.split()) >= 3:
            # Ding has one document; the split groups entries by their first letter instead.
            yield "ding:" + de[0].upper(), en, de


if __name__ == "__main__":
    write_pairs("ding", pairs(os.path.join(WORK, "x", "trans-de-en", "usr", "share", "trans", "de-en")))
