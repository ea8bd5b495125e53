"""Debian package-description translations (DDTP), paired by Description-md5.
Short descriptions pair up; long-description paragraphs pair when both sides have the same paragraph count;
inside a paragraph, sentences pair when the sentence counts match (otherwise the whole paragraph pairs if short)."""
import glob
import os
import re
import subprocess
from common import WORK, write_pairs

SENT_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ\"(])")


def read_translations(pattern):
    path = glob.glob(os.path.join(WORK, "ddtp", "lists", pattern))[0]
    text = subprocess.run(["/usr/lib/apt/apt-helper", "cat-file", path], check=True,
                          capture_output=True).stdout.decode("utf-8", "replace")
    entries = {}
    for block in text.split("\n\n"):
        md5 = pkg = None
        desc = []
        for line in block.split("\n"):
            if line.startswith("Package: "):
                pkg = line[9:]
            elif line.startswith("Description-md5: "):
                md5 = line[17:]
            elif line.startswith("Description-"):
                desc.append(line.split(": ", 1)[1] if ": " in line else "")
            elif line.startswith(" ") and desc:
                desc.append(line[1:])
        if md5 and desc:
            entries[md5] = (pkg, desc)
    return entries


def paragraphs(lines):
    paras, cur = [], []
    for line in lines:
        if line.strip() == ".":
            if cur:
                paras.append(cur)
            cur = []
        else:
            cur.append(line)
    if cur:
        paras.append(cur)
    return paras


def is_list(para):
    return any(re.match(r"^\s*([-*+o]|\d+[.)])\s", l) for l in para)


def rows():
    en, de = read_translations("*Translation-en*"), read_translations("*Translation-de*")
    for md5 in sorted(set(en) & set(de)):
        pkg, en_lines = en[md5]
        _, de_lines = de[md5]
        yield "ddtp:" + pkg, en_lines[0], de_lines[0]
        pe, pd = paragraphs(en_lines[1:]), paragraphs(de_lines[1:])
        if len(pe) != len(pd):
            continue
        for a, b in zip(pe, pd):
            if is_list(a) or is_list(b):
                continue
            a, b = " ".join(a), " ".join(b)
            sa, sb = SENT_END.split(a), SENT_END.split(b)
            if len(sa) == len(sb):
                for x, y in zip(sa, sb):
                    yield "ddtp:" + pkg, x, y


if __name__ == "__main__":
    write_pairs("ddtp", rows())
