#!/usr/bin/env bash
# Regenerates every replica bundle (marian, m2m100, nllb, t5, bart, recurrent) and its reference outputs into OUTDIR,
# byte-identically on rerun (seeded; one thread; the training text is the committed corpus.en-de.tsv):
#   OUTDIR/<family>/             the bundle (<= 2 MB), in the family's real layout
#   OUTDIR/<family>.reference/   greedy.jsonl, beam4.jsonl (PyTorch reference search, Hugging Face semantics),
#                                transformersjs-greedy.jsonl (transformers.js 4.3.1, transformer families),
#                                tokenizer.json (converted, where the real layout has none: marian, m2m100)
# usage: make-replicas.sh OUTDIR   (INPUTS=file of input lines, default testdata/parity-inputs.txt;
#        TJS_NODE_MODULES=node_modules with @huggingface/transformers 4.3.1; SKIP_NODE=1 skips the Node checks)
# Needs /usr/bin/python3 with torch, sentencepiece, onnx, regex (training/setup.sh + python3-regex) and node 20.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
HERE="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$1"
OUT="$(cd "$1" && pwd)"
INPUTS="${INPUTS:-$HERE/../../testdata/parity-inputs.txt}"
PY=/usr/bin/python3
export PYTHONHASHSEED=0
cd "$HERE"
for f in marian m2m100 nllb t5 bart; do
  $PY replicas.py --family "$f" --out "$OUT" --inputs "$INPUTS" 2>&1 | grep -v -i -e warn -e '_C\._jit' || true
  [ -f "$OUT/$f/config.json" ] || { echo "replica $f failed" >&2; exit 1; }
done
$PY recurrent.py --out "$OUT" --inputs "$INPUTS" 2>&1 | grep -v -i -e warn -e '_C\._jit' -e '^epoch' || true
[ -f "$OUT/recurrent/manifest.json" ] || { echo "replica recurrent failed" >&2; exit 1; }
if [ "${SKIP_NODE:-0}" != 1 ]; then
  for f in marian m2m100 nllb t5 bart; do
    tj=""; [ -f "$OUT/$f.reference/tokenizer.json" ] && tj="$OUT/$f.reference/tokenizer.json"
    node tjs-greedy.mjs "$OUT/$f" "$OUT/$f.reference/greedy.jsonl" "$OUT/$f.reference/transformersjs-greedy.jsonl" $tj \
      2>&1 | grep -v -e '^WARNING' -e 'Recommended'
  done
  node recurrent-check.mjs "$OUT/recurrent" "$OUT/recurrent.reference/greedy.jsonl"
fi
du -sh "$OUT"/* | grep -v reference
