#!/usr/bin/env bash
# Writes bench/sentences.en, the benchmark's inputs: 64 English sentences of 5-30 words from each held-out test set
# (technical, ui, dialogue, everyday), every k-th qualifying line so each set is sampled over its whole length.
# Usage: bench/make-sentences.sh DATA_DIR   (the training recipe's data folder, holding test.<set>.en)
set -euo pipefail
data=${1:?usage: make-sentences.sh DATA_DIR}
out="$(dirname "$0")/sentences.en"
: > "$out"
for set in technical ui dialogue everyday; do
  awk 'NF >= 5 && NF <= 30' "$data/test.$set.en" > "$out.tmp"
  n=$(wc -l < "$out.tmp")
  awk -v n="$n" 'BEGIN { k = int(n / 64); if (k < 1) k = 1 } (NR - 1) % k == 0 && c < 64 { print; c++ }' "$out.tmp" >> "$out"
done
rm -f "$out.tmp"
wc -l "$out" >&2
