"""Ding (trans-de-en) word and phrase entries: the short pairs that ding.py (example sentences only) leaves out.

A Ding line is `de | de | ... :: en | en | ...`, sub-entries aligned one to one; each sub-entry lists alternatives
separated by `;`. Kept: the first German alternative with each English alternative (at most two), after removing
grammar tags ({m}, [Br.], /abbr/) and glosses in parentheses; at most six English words; entries with placeholders
(sth., sb., etw., jdn., ...) are left out because they are not text anyone writes. Sub-entries that ding.py takes
as sentences are skipped, so no pair is in both files."""
import os
import re
from common import WORK, write_pairs
from ding import SENTENCE, sub_entries

TAGS = re.compile(r"\s*(\{[^}]*\}|\[[^\]]*\]|/[^/]*/|\([^)]*\))")
PLACEHOLDER = re.compile(r"\b(sth|sb|etw|jdn|jdm|jds|jd|so|s\.o|s\.th)\b\.?|\.\.\.|…|~")
MAX_WORDS = 6


def clean(s):
    return re.sub(r"\s+", " ", TAGS.sub("", s)).strip(" ,;")


def alternatives(side):
    return [a for a in (clean(x) for x in side.split(";")) if a]


def pairs(path):
    for de_part, en_part in sub_entries(path):
        de_alts, en_alts = alternatives(de_part), alternatives(en_part)
        if not de_alts or not en_alts:
            continue
        de = de_alts[0]
        if SENTENCE.match(de) and len(de.split()) >= 3:
            continue  # ding.py's example sentences
        for en in en_alts[:2]:
            if len(en.split()) > MAX_WORDS or PLACEHOLDER.search(en) or PLACEHOLDER.search(de):
                continue
            if not re.search(r"[A-Za-z]{2}", en):
                continue
            yield "dingw:" + de[0].upper(), en, de


if __name__ == "__main__":
    write_pairs("ding_words", pairs(os.path.join(WORK, "x", "trans-de-en", "usr", "share", "trans", "de-en")))
