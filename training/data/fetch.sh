#!/usr/bin/env bash
# Downloads the raw English/German sources with apt's own client (no other network access needed).
# Output: training/work/debs/*.deb, training/work/x/<package>/ (unpacked), training/work/ddtp/lists/ (DDTP indexes).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$here/work"
mkdir -p "$work/debs" "$work/x" "$work/ddtp/lists/partial"
cd "$work/debs"
pkgs=(trans-de-en debian-reference-en debian-reference-de libreoffice-l10n-de gimp-data inkscape gnucash-common freeciv-data)
for c in did dm dw ei httt l low nr sof sota sotbe thot trow tsg ttb utbs; do pkgs+=("wesnoth-1.16-$c"); done
for p in "${pkgs[@]}"; do ls "${p}"_*.deb >/dev/null 2>&1 || apt-get download -q "$p" 2>&1 | grep -v "unsandboxed" || true; done
for d in *.deb; do
  name="${d%%_*}"
  [ -d "$work/x/$name" ] || dpkg-deb -x "$d" "$work/x/$name"
done
# DDTP: the package-description translations of bookworm main, fetched into a private lists folder.
echo "deb http://deb.debian.org/debian bookworm main" > "$work/ddtp/sources.list"
apt-get -q -o Dir::Etc::SourceList="$work/ddtp/sources.list" -o Dir::Etc::SourceParts=/nonexistent \
  -o Dir::State::Lists="$work/ddtp/lists" -o Acquire::Languages=en,de \
  -o Acquire::IndexTargets::deb::Packages::DefaultEnabled=false update >/dev/null
echo "fetched: $(ls "$work/debs" | wc -l) packages, DDTP: $(ls "$work/ddtp/lists" | grep -c Translation)"
