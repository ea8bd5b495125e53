"""Shared helpers for the extractors: output as tab-separated (source, en, de) lines, sorted, so reruns are byte-identical."""
import os
import re
import unicodedata

WORK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "work")
OUT = os.path.join(WORK, "pairs")

_ws = re.compile(r"\s+")


def norm(text):
    """NFC, one space between words, no tabs/newlines (they are our field/record separators)."""
    return _ws.sub(" ", unicodedata.normalize("NFC", text)).strip()


def write_pairs(name, rows):
    """rows: iterable of (doc, en, de); doc is the package/document id used for the held-out split."""
    os.makedirs(OUT, exist_ok=True)
    seen = set()
    out = []
    for doc, en, de in rows:
        en, de = norm(en), norm(de)
        if not en or not de or (en, de) in seen:
            continue
        seen.add((en, de))
        out.append(f"{doc}\t{en}\t{de}\n")
    out.sort()
    path = os.path.join(OUT, name + ".tsv")
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(out)
    print(f"{name}: {len(out)} pairs -> {path}")
