#!/usr/bin/env bash
# Regenerates the tiny test bundle and its goldens into a temporary folder and compares them with the committed
# ones (testdata/): every bundle file byte for byte; the golden files record for record, with the same texts, ids,
# options and tokens, and scores within 1e-5 (the last printed digit follows the CPU's BLAS kernels). Exit 1 and a
# list of differences otherwise. Run by .ci/run.
set -euo pipefail
cd "$(dirname "$0")"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
./make-test-fixtures.sh "$TMP" >/dev/null
/usr/bin/python3 compare_fixtures.py ../testdata "$TMP"
