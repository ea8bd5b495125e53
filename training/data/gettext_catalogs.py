"""Gettext catalogs (.mo) of Debian packages: English msgid -> German msgstr, per catalog.
Two sets: the six packages of fetch.sh (work/x, output gettext.tsv, held-out UI sets come from these) and, with
--catalogs, the broad set of fetch-catalogs.sh (work/xc, output catalogs.tsv, training only).
Strips keyboard-shortcut markers (~ and _ and &), drops plural/context entries' metadata, format-only strings,
and entries that are not translated (msgstr == msgid)."""
import glob
import os
import re
import struct
import sys
from common import WORK, write_pairs

FORMAT_ONLY = re.compile(r"^[\W\d_]*(%[-#0-9.]*[sdifuxXlc]|\{[^}]*\}|\$\w+)?[\W\d_]*$")
MARKUP = re.compile(r"<[^>]{1,40}>")
SHORTCUT = re.compile(r"(?<=\w)~|~(?=\w)|(?<![\w_])_(?=\w)|&(?=\w)")


def read_mo(path):
    """Minimal .mo reader (GNU gettext binary format), both byte orders."""
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic == 0x950412DE else ">"
    _, n, o_orig, o_trans = struct.unpack(order + "4I", data[4:20])
    for i in range(n):
        ol, oo = struct.unpack(order + "2I", data[o_orig + 8 * i:o_orig + 8 * i + 8])
        tl, to = struct.unpack(order + "2I", data[o_trans + 8 * i:o_trans + 8 * i + 8])
        msgid, msgstr = data[oo:oo + ol], data[to:to + tl]
        if not msgid:
            continue  # header
        try:
            yield msgid.decode("utf-8"), msgstr.decode("utf-8")
        except UnicodeDecodeError:
            continue


def clean(s):
    s = s.split("\x00")[0]  # first plural form
    s = MARKUP.sub("", s)
    s = SHORTCUT.sub("", s)
    return s.replace("\\n", " ")


def rows(root, prefix=""):
    for mo in sorted(glob.glob(os.path.join(root, "*", "**", "de", "LC_MESSAGES", "*.mo"), recursive=True)):
        package = os.path.relpath(mo, root).split(os.sep)[0]
        domain = os.path.basename(mo)[:-3]
        for msgid, msgstr in read_mo(mo):
            if "\x04" in msgid:  # msgctxt \x04 msgid
                msgid = msgid.split("\x04", 1)[1]
            en, de = clean(msgid), clean(msgstr)
            if not de.strip() or en.strip() == de.strip() or FORMAT_ONLY.match(en):
                continue
            if not re.search(r"[A-Za-z]{2}", en):
                continue
            yield f"{prefix}{package}/{domain}", en, de


if __name__ == "__main__":
    if "--catalogs" in sys.argv[1:]:
        write_pairs("catalogs", rows(os.path.join(WORK, "xc"), "cat:"))
    else:
        write_pairs("gettext", rows(os.path.join(WORK, "x")))
