#!/usr/bin/env bash
# Downloads the packages named in catalogs.list and keeps only their German gettext catalogs (.mo):
# training/work/xc/<package>/.../de/LC_MESSAGES/*.mo. Resumable: packages already unpacked are skipped.
# catalogs.list = the bookworm main packages (arch all) whose Contents list a .../de/LC_MESSAGES/*.mo, below 20 MB,
# plus three games with story and dialogue text; the original six catalog sources of fetch.sh are not repeated.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$here/work"
mkdir -p "$work/debs-catalogs" "$work/xc"
cd "$work/debs-catalogs"
todo=()
while read -r p; do
  [ -d "$work/xc/$p" ] || ls "${p}"_*.deb >/dev/null 2>&1 || todo+=("$p")
done < "$here/data/catalogs.list"
# one apt call per 50 packages; a package missing from the mirror is reported and skipped
for ((i = 0; i < ${#todo[@]}; i += 50)); do
  apt-get download -q "${todo[@]:i:50}" 2>&1 | grep -vE "unsandboxed|^Get:|^Fetched" || true
done
for d in *.deb; do
  name="${d%%_*}"
  [ -d "$work/xc/$name" ] && continue
  mkdir -p "$work/xc/$name.part"
  dpkg-deb --fsys-tarfile "$d" | tar -x -C "$work/xc/$name.part" --wildcards '*/de/LC_MESSAGES/*.mo' 2>/dev/null || true
  mv "$work/xc/$name.part" "$work/xc/$name"
  rm -f "$d"  # only the catalogs are kept
done
echo "catalogs: $(ls "$work/xc" | wc -l) packages, $(find "$work/xc" -name '*.mo' | wc -l) German .mo files"
