"""One-off: builds corpus.en-de.tsv (committed, so make-replicas.sh does not depend on what is installed) from the
German gettext catalogs (.mo) of the Debian packages installed on this machine: English msgid -> German msgstr, short
entries only, deduplicated, sorted. Reuses training/data/gettext_catalogs.py's reader and cleaning.
usage: make_corpus.py OUT.tsv [MAX_PAIRS]"""
import glob
import hashlib
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "data"))
from common import norm  # noqa: E402
from gettext_catalogs import read_mo, clean, FORMAT_ONLY  # noqa: E402


def main():
    out = sys.argv[1]
    cap = int(sys.argv[2]) if len(sys.argv) > 2 else 6000
    pairs = set()
    for mo in sorted(glob.glob("/usr/share/locale/de/LC_MESSAGES/*.mo")):
        for msgid, msgstr in read_mo(mo):
            if "\x04" in msgid:
                msgid = msgid.split("\x04", 1)[1]
            en, de = norm(clean(msgid)), norm(clean(msgstr))
            if not de or en == de or FORMAT_ONLY.match(en) or not re.search(r"[A-Za-z]{2}", en):
                continue
            if "%" in en or "{" in en or "<" in en or len(en) > 48 or len(de) > 60 or len(en) < 3:
                continue
            pairs.add((en, de))
    ranked = sorted(pairs, key=lambda p: hashlib.sha1((p[0] + "\t" + p[1]).encode()).hexdigest())[:cap]
    with open(out, "w", encoding="utf-8") as f:
        for en, de in sorted(ranked):
            f.write(f"{en}\t{de}\n")
    print(len(pairs), "candidates,", len(ranked), "written")


if __name__ == "__main__":
    main()
