"""Cleans the extracted pairs and splits them into train / dev / test, holding out whole packages or documents.

Held-out sets, one per kind of text (scores are reported per set):
  technical = DDTP package descriptions, UI = gettext catalogs of applications,
  dialogue = one Wesnoth campaign, everyday = Ding example sentences (one dictionary: held out by entry initial).
Training-only sources (never held out, so the held-out sets stay what they were; a pair whose English or German
is in any held-out set is dropped): dictionary = Ding word and phrase entries, only those whose English words all
occur at least twice in the training sentences of the four kinds above, and so do its German words
(common words, not the dictionary's technical compounds); catalogs = the broad set of gettext catalogs; docs = the Debian Reference;
copy = training pairs with an emoji, symbol or other-script span put in on both sides (see copy_pairs).
Deterministic: groups are chosen by a hash of their id, rows are sorted; rerunning gives byte-identical files."""
import hashlib
import random
import os
import re
from collections import defaultdict
from common import OUT, WORK

DATA = os.path.join(WORK, "data")
MAX_CHARS = 300
TEST_CAP = 500  # sentences per held-out test set: enough for stable chrF, fast enough to decode with beam 4
DEV_CAP = 300


HELD_OUT_SOURCES = ("ddtp", "gettext", "ding")
TRAIN_ONLY_SOURCES = {"ding_words": "dictionary", "catalogs": "catalogs", "debian_reference": "docs"}
WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
WORD_DE = re.compile(r"[a-zäöüß]+")
COMMON = 2  # a dictionary pair is kept when each of its words occurs this often in the training sentences


def common(en, de, counts):
    return all(counts[w] >= COMMON for w in WORD.findall(en.lower())) and \
        all(counts["de:" + w] >= COMMON for w in WORD_DE.findall(de.lower()))


def kind(doc):
    if doc.startswith("dingw:"):
        return "dictionary"
    if doc.startswith("cat:"):
        return "catalogs"
    if doc.startswith("debref:"):
        return "docs"
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
    groups = read_groups(HELD_OUT_SOURCES)
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
    held_tgt = {de for d, s in split_of.items() for _, de in groups[d]}
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
    counts_words = defaultdict(int)
    for en, de, _ in train:
        for w in WORD.findall(en.lower()) + ["de:" + w for w in WORD_DE.findall(de.lower())]:
            counts_words[w] += 1
    extra = read_groups(TRAIN_ONLY_SOURCES)
    for doc in sorted(extra):
        for en, de in extra[doc]:
            if en in held_src or de in held_tgt or (en, de) in seen_train:
                continue
            if kind(doc) == "dictionary" and not common(en, de, counts_words):
                continue
            seen_train.add((en, de))
            train.append((en, de, kind(doc)))
    train += copy_pairs([(en, de) for en, de, k in train if k in ("everyday", "dialogue", "ui")])
    train.sort()
    write(os.path.join(DATA, "train"), [(en, de) for en, de, _ in train])
    with open(os.path.join(DATA, "train.kind"), "w", encoding="utf-8") as f:  # for train.py --oversample
        f.writelines(k + "\n" for _, _, k in train)
    counts = {"train": len(train)}
    for k in sorted({k for _, _, k in train}):
        counts[f"train.{k}"] = sum(1 for _, _, kk in train if kk == k)
    for (split, k), rows in sorted(held.items()):
        rows.sort()
        seen = set()
        rows = [r for r in rows if not (r[1] in seen or seen.add(r[1]))]
        write(os.path.join(DATA, f"{split}.{k}"), [(en, de) for _, en, de in rows])
        counts[f"{split}.{k}"] = len(rows)
    for k, v in counts.items():
        print(f"{k}\t{v}")


# Text the vocabulary cannot spell (emoji, other scripts, symbols) is written as UTF-8 byte pieces; the model only
# learns to copy them if it sees it done. These pairs are real training pairs with such a span put in at the same
# place on both sides (start, end, or before the final punctuation).
COPY_PAIRS = 6000
COPY_SPANS = [(0x1F600, 0x1F64F, 1, 2), (0x1F300, 0x1F5FF, 1, 2), (0x4E00, 0x9FFF, 2, 4), (0x0627, 0x064A, 3, 6),
              (0x0430, 0x044F, 3, 7), (0x03B1, 0x03C9, 3, 6), (0x3041, 0x3093, 2, 4), (0x05D0, 0x05EA, 3, 5)]
COPY_SYMBOLS = "→★©™€£¥§°±×÷✓✗♥☺"


def copy_span(rng):
    if rng.random() < 0.15:
        return rng.choice(COPY_SYMBOLS)
    lo, hi, shortest, longest = rng.choice(COPY_SPANS)
    return "".join(chr(rng.randint(lo, hi)) for _ in range(rng.randint(shortest, longest)))


def copy_pairs(pairs):
    rng = random.Random(7)
    out = []
    for en, de in rng.sample(sorted(pairs), min(COPY_PAIRS, len(pairs))):
        span, where = copy_span(rng), rng.random()
        if where < 0.3:
            en, de = f"{span} {en}", f"{span} {de}"
        elif where < 0.6 or en[-1:] not in ".!?" or de[-1:] != en[-1:]:
            en, de = f"{en} {span}", f"{de} {span}"
        else:
            en, de = f"{en[:-1]} {span}{en[-1]}", f"{de[:-1]} {span}{de[-1]}"
        out.append((en, de, "copy"))
    return out


def read_groups(sources):
    groups = defaultdict(list)
    for name in sources:
        path = os.path.join(OUT, name + ".tsv")
        if not os.path.exists(path):
            if name in HELD_OUT_SOURCES:
                raise SystemExit(f"prepare.py: {path} is missing: run the extractor data/{name}.py first")
            print(f"prepare.py: {path} is missing: training without it")
            continue
        with open(path, encoding="utf-8") as f:
            for line in f:
                doc, en, de = line.rstrip("\n").split("\t")
                if ok(en, de):
                    groups[doc].append((en, de))
    return groups


def write(prefix, pairs):
    with open(prefix + ".en", "w", encoding="utf-8") as fe, open(prefix + ".de", "w", encoding="utf-8") as fd:
        for en, de in pairs:
            fe.write(en + "\n")
            fd.write(de + "\n")


if __name__ == "__main__":
    main()
