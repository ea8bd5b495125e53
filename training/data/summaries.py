"""Summarization data: the English package descriptions of Debian bookworm main, long description -> synopsis.

Input: `Translation-en` (Package, Description-md5, Description-en) and the amd64 `Packages` index (for each
package's source package), fetched with apt's own client into a private lists folder (training/work/summarize/lists).
Output (training/work/summarize/): {train,dev,test}.desc (the long description as one line: paragraphs joined,
whitespace collapsed) and .syn (the one-line synopsis), line by line; stats.tsv (counts, the inputs' hashes).

Held out by source package: whole source packages (by a stable hash order) go to test, then dev, so no source
package has text on two sides. Deduplicated: a (description, synopsis) pair once; a long description that a held-out
package has never appears in train (many binary packages of other sources repeat a description); each held-out
description once. Deterministic: rerunning on the same lists gives byte-identical files (stats.tsv names them)."""
import argparse
import hashlib
import os
import statistics
import subprocess
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import WORK, norm  # noqa: E402

OUT = os.path.join(WORK, "summarize")
LISTS = os.path.join(OUT, "lists")
TEST_CAP = 1000  # descriptions per held-out set: enough for a stable ROUGE mean, quick to decode
DEV_CAP = 500
MAX_DESC_CHARS = 2000  # longer descriptions are mostly lists of features; the model reads only the start anyway


def fetch():
    """apt-get update into a private lists folder: Translation-en and the amd64 Packages of bookworm main."""
    os.makedirs(os.path.join(LISTS, "partial"), exist_ok=True)
    sources = os.path.join(OUT, "sources.list")
    with open(sources, "w", encoding="utf-8") as f:
        f.write("deb http://deb.debian.org/debian bookworm main\n")
    subprocess.run(["apt-get", "-q", "-o", "Dir::Etc::SourceList=" + sources, "-o", "Dir::Etc::SourceParts=/nonexistent",
                    "-o", "Dir::State::Lists=" + LISTS, "-o", "Acquire::Languages=en", "-o", "APT::Architectures=amd64",
                    "update"], check=True, stdout=subprocess.DEVNULL)


def index_file(suffix):
    names = sorted(n for n in os.listdir(LISTS) if "_bookworm_main_" in n and suffix in n)
    if not names:
        sys.exit(f"summaries.py: no *{suffix}* in {LISTS}: run with --fetch")
    return os.path.join(LISTS, names[0])


def read_index(path):
    """The stanzas of an apt index (compressed as apt stored it), each a list of lines."""
    text = subprocess.run(["/usr/lib/apt/apt-helper", "cat-file", path], check=True,
                          capture_output=True).stdout.decode("utf-8", "replace")
    return [block.split("\n") for block in text.split("\n\n") if block.strip()]


def field(stanza, name):
    prefix = name + ": "
    for line in stanza:
        if line.startswith(prefix):
            return line[len(prefix):]
    return None


def source_of_packages(stanzas):
    """binary package -> source package name ("Source: name (version)"; no Source field: the package itself)."""
    out = {}
    for st in stanzas:
        pkg = field(st, "Package")
        src = field(st, "Source")
        out[pkg] = src.split(" ")[0] if src else pkg
    return out


def descriptions(stanzas):
    """(package, synopsis, long description as one line) of each Translation-en entry with a long description."""
    for st in stanzas:
        pkg = field(st, "Package")
        body, synopsis = [], None
        for line in st:
            if line.startswith("Description-en: "):
                synopsis = line[len("Description-en: "):]
            elif synopsis is not None and line.startswith(" "):
                body.append(line[1:])
        if synopsis is None:
            continue
        # " ." lines separate paragraphs; joined with a space, as a reader of the one-line input would expect
        desc = norm(" ".join(line for line in body if line.strip() != "."))
        synopsis = norm(synopsis)
        if desc and synopsis and len(desc) <= MAX_DESC_CHARS:
            yield pkg, synopsis, desc


def h(s):
    return int(hashlib.md5(s.encode()).hexdigest()[:8], 16)


def split(rows):
    """rows: (source, package, synopsis, desc) -> {"train"|"dev"|"test": [(desc, synopsis)]}"""
    by_source = defaultdict(list)
    for src, _, syn, desc in rows:
        by_source[src].append((desc, syn))
    order = sorted(by_source, key=lambda s: (h(s), s))
    split_of, seen_held = {}, set()
    for target, cap in (("test", TEST_CAP), ("dev", DEV_CAP)):
        n = 0
        for src in order:
            if n >= cap:
                break
            if src in split_of:
                continue
            split_of[src] = target
            n += len({d for d, _ in by_source[src]} - seen_held)
            seen_held |= {d for d, _ in by_source[src]}
    out = {"train": [], "dev": [], "test": []}
    seen = set()
    for src in sorted(by_source):
        part = split_of.get(src, "train")
        for desc, syn in sorted(by_source[src]):
            if part == "train":
                if desc in seen_held or (desc, syn) in seen:
                    continue
                seen.add((desc, syn))
            elif desc in seen:
                continue  # a held-out description once, with the synopsis its source package gives it first
            else:
                seen.add(desc)
            out[part].append((desc, syn))
    for part in out:
        out[part].sort()
    return out


def write(parts, inputs, extracted):
    stats = [("descriptions with a long description", str(extracted))]
    for part, pairs in parts.items():
        for ext, col in (("desc", 0), ("syn", 1)):
            path = os.path.join(OUT, f"{part}.{ext}")
            with open(path, "w", encoding="utf-8") as f:
                f.writelines(p[col] + "\n" for p in pairs)
        stats.append((part, str(len(pairs))))
    words = [len(syn.split()) for _, syn in parts["train"]]
    stats.append(("train synopsis words, median", str(int(statistics.median(words)))))
    for path in inputs:
        with open(path, "rb") as f:
            stats.append(("input " + os.path.basename(path), hashlib.sha256(f.read()).hexdigest()))
    with open(os.path.join(OUT, "stats.tsv"), "w", encoding="utf-8") as f:
        f.writelines(f"{k}\t{v}\n" for k, v in stats)
    return stats


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fetch", action="store_true", help="(re)fetch the apt indexes first")
    a = ap.parse_args()
    if a.fetch or not os.path.isdir(LISTS):
        fetch()
    translations, packages = index_file("Translation-en"), index_file("Packages")
    source = source_of_packages(read_index(packages))
    rows = [(source.get(pkg, pkg), pkg, syn, desc) for pkg, syn, desc in descriptions(read_index(translations))]
    for k, v in write(split(rows), [translations, packages], len(rows)):
        print(f"{k}\t{v}")


if __name__ == "__main__":
    main()
