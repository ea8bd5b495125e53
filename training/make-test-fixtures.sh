#!/usr/bin/env bash
# Regenerates the tiny test bundle (seeded random weights, real SentencePiece vocabulary of 1 000 pieces trained on
# the project's en/de data, committed as fixtures/tiny-spm.model) and the golden files the Java tests compare with.
# Byte-identical on rerun on one machine; across CPUs the goldens' last printed digit may differ (BLAS kernels), which
# check-test-fixtures.sh allows. usage: make-test-fixtures.sh [ROOT]   (ROOT: where models/tiny and golden/ go;
# default testdata)
set -euo pipefail
cd "$(dirname "$0")"
PY=/usr/bin/python3
ROOT="${1:-../testdata}"
OUT="$ROOT/models/tiny"
rm -rf "$OUT"
mkdir -p work
$PY export.py --random --preset tiny --seed 1234 --spm fixtures/tiny-spm.model --out "$OUT" --name tiny-random \
  --max-length 32 --num-beams 4 --quantize-merged-only --weights-out work/tiny.pt 2>&1 | grep -v -i warn
$PY reference_search.py --bundle "$OUT" --weights work/tiny.pt --spm fixtures/tiny-spm.model \
  --inputs ../testdata/parity-inputs.txt --out "$ROOT/golden"
du -sh "$OUT"
