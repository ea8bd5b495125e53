"""Cleans the extracted pairs and splits them into train / dev / test, holding out whole packages or documents.

Held-out sets, one per kind of text (scores are reported per set):
  technical = DDTP package descriptions, UI = gettext catalogs of applications,
  dialogue = one Wesnoth campaign, everyday = Ding example sentences (one dictionary: held out by entry initial).
Deterministic: groups are chosen by a hash of their id, rows are sorted; rerunning gives byte-identical files."""
import hashlib
import os
import re
from collections import defaultdict
from common import OUT, WORK

DATA = os.path.join(WORK, "data")
MAX_CHARS = 300
TEST_CAP = 500  # sentences per held-out test set: enough for stable chrF, fast enough to decode with beam 4
DEV_CAP = 300


def kind(doc):
    if doc.startswith("ddtp:"):
        return "technical"
    if doc.startswith("ding:"):
        return "everyday"
    if doc.startswith("wesnoth"):
        return "dialogue"
    return "ui"


def ok(en, de):
    if len(en) > MAX_CHARS or len(de) > MAX_CHARS or len(en) < 2 or len(de) < 2:
        return False
    r = (len(de) + 5) / (len(en) + 5)
    if r < 0.5 or r > 2.5:
        return False
    if re.search(r"https?://|\w+@\w+\.\w|[<>]{2}|\\[nt]", en + de):
        return False
    return True


def h(s):
    return int(hashlib.md5(s.encode()).hexdigest()[:8], 16)


def main():
    groups = defaultdict(list)
    for name in ("ddtp", "gettext", "ding"):
        with open(os.path.join(OUT, name + ".tsv"), encoding="utf-8") as f:
            for line in f:
                doc, en, de = line.rstrip("\n").split("\t")
                if ok(en, de):
                    groups[doc].append((en, de))
    # Which documents are held out (test first, then dev) for each kind, by a stable hash order.
    by_kind = defaultdict(list)
    for doc in groups:
        by_kind[kind(doc)].append(doc)
    split_of = {}
    for k, docs in by_kind.items():
        docs.sort(key=lambda d: (h(d), d))
        for target, cap in (("test", TEST_CAP), ("dev", DEV_CAP)):
            n = 0
            for d in docs:
                if d in split_of:
                    continue
                if n >= cap:
                    break
                split_of[d] = target
                n += len(groups[d])
    # Held-out English text never appears in training, even from another package (DDTP repeats descriptions).
    held_src = {en for d, s in split_of.items() for en, _ in groups[d]}
    os.makedirs(DATA, exist_ok=True)
    train, held = [], defaultdict(list)
    seen_train = set()
    for doc in sorted(groups):
        split = split_of.get(doc, "train")
        for en, de in groups[doc]:
            if split == "train":
                if en in held_src or (en, de) in seen_train:
                    continue
                seen_train.add((en, de))
                train.append((en, de, kind(doc)))
            else:
                held[(split, kind(doc))].append((doc, en, de))
    train.sort()
    write(os.path.join(DATA, "train"), [(en, de) for en, de, _ in train])
    with open(os.path.join(DATA, "train.kind"), "w", encoding="utf-8") as f:  # for train.py --oversample
        f.writelines(k + "\n" for _, _, k in train)
    counts = {"train": len(train)}
    for (split, k), rows in sorted(held.items()):
        rows.sort()
        seen = set()
        rows = [r for r in rows if not (r[1] in seen or seen.add(r[1]))]
        write(os.path.join(DATA, f"{split}.{k}"), [(en, de) for _, en, de in rows])
        counts[f"{split}.{k}"] = len(rows)
    for k, v in counts.items():
        print(f"{k}\t{v}")


def write(prefix, pairs):
    with open(prefix + ".en", "w", encoding="utf-8") as fe, open(prefix + ".de", "w", encoding="utf-8") as fd:
        for en, de in pairs:
            fe.write(en + "\n")
            fd.write(de + "\n")


if __name__ == "__main__":
    main()
