#!/usr/bin/env bash
# The whole recipe of the default English→German model, from nothing to a bundle in models/:
#   set-up → data (apt sources) → SentencePiece → training (TRAIN_MINUTES, then DOMAIN_MINUTES with the two small
#   domains oversampled; resumable) → ONNX export → scores.
# About 2 hours on a 2-core machine. Rerun it to resume training from the last checkpoint.
set -euo pipefail
cd "$(dirname "$0")"
PY=/usr/bin/python3
OUT="${OUT:-../models/s2s-en-de-small}"
TRAIN_MINUTES="${TRAIN_MINUTES:-100}"
DOMAIN_MINUTES="${DOMAIN_MINUTES:-60}"

[ "${SKIP_SETUP:-0}" = 1 ] || ./setup.sh
data/fetch.sh
(cd data && $PY ding.py && $PY gettext_catalogs.py && $PY ddtp.py && $PY prepare.py)
[ -f work/spm.model ] || $PY spm.py
OPENBLAS_NUM_THREADS=1 $PY train.py --max-minutes "$TRAIN_MINUTES" | tee -a work/train.log
# then the two smaller domains (Ding example sentences, Wesnoth dialogue) weighted up three times
[ "$DOMAIN_MINUTES" = 0 ] || OPENBLAS_NUM_THREADS=1 $PY train.py --max-minutes "$DOMAIN_MINUTES" \
  --oversample everyday=3,dialogue=3 | tee -a work/train.log
# the weights of the last three saves averaged (train.py --keep 3)
$PY average.py --out work/ckpt/average.pt $(ls work/ckpt/step-*.pt | sort -t- -k2 -n | tail -3)
$PY export.py --checkpoint work/ckpt/average.pt --spm work/spm.model --out "$OUT" --name s2s-en-de-small --only-merged --fp16-storage \
  --source-lang en --target-lang de
$PY evaluate.py --checkpoint work/ckpt/average.pt --bundle "$OUT" --fp16-weights
$PY model_card.py --checkpoint work/ckpt/average.pt --bundle "$OUT"
