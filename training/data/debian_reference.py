"""The Debian Reference (debian-reference-en / -de): paragraphs, headings, list items and table cells of each
chapter. Both languages are rendered from one DocBook source, so a chapter's blocks align one to one; a chapter
whose block counts differ is skipped rather than guessed. Blocks left untranslated (English on both sides) and
code-only cells are dropped."""
import glob
import html
import os
import re
from common import WORK, write_pairs

BLOCK = re.compile(r"<(p|td|li|h[1-4]|dt)\b[^>]*>(.*?)</\1>", re.S)
TAG = re.compile(r"<[^>]+>")


def blocks(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return [html.unescape(TAG.sub("", m.group(2))) for m in BLOCK.finditer(text)]


def rows(root):
    for en_path in sorted(glob.glob(os.path.join(root, "*.en.html"))):
        de_path = en_path[:-len(".en.html")] + ".de.html"
        if not os.path.exists(de_path):
            continue
        en_blocks, de_blocks = blocks(en_path), blocks(de_path)
        if len(en_blocks) != len(de_blocks):
            print(f"debian_reference: {os.path.basename(en_path)}: {len(en_blocks)} vs {len(de_blocks)} blocks, skipped")
            continue
        chapter = os.path.basename(en_path).split(".")[0]
        for en, de in zip(en_blocks, de_blocks):
            en, de = re.sub(r"^[\d.]+ ", "", en.strip()), re.sub(r"^[\d.]+ ", "", de.strip())
            if en != de and len(re.findall(r"[A-Za-z]{2,}", en)) >= 2:
                yield "debref:" + chapter, en, de


if __name__ == "__main__":
    root = os.path.join(WORK, "x", "debian-reference-en", "usr", "share", "debian-reference")
    de_root = os.path.join(WORK, "x", "debian-reference-de", "usr", "share", "debian-reference")
    for de in glob.glob(os.path.join(de_root, "*.de.html")):  # the two packages unpack into separate folders
        target = os.path.join(root, os.path.basename(de))
        if not os.path.exists(target):
            os.symlink(de, target)
    write_pairs("debian_reference", rows(root))
