#!/usr/bin/env bash
# The recipe of the English→German student: a deep encoder and a one-layer decoder (6+1), trained on the broad
# Debian data (fetch.sh + fetch-catalogs.sh: the default model's sources plus Ding's word and phrase entries,
# about 740 packages' gettext catalogs and the Debian Reference), with a byte-fallback SentencePiece vocabulary.
# The held-out sets are exactly the default model's, so the two are scored on the same text.
# Resumable: rerun it to go on from the last checkpoint (TRAIN_MINUTES more each time).
set -euo pipefail
cd "$(dirname "$0")"
PY=/usr/bin/python3
OUT="${OUT:-work/student/bundle}"
TRAIN_MINUTES="${TRAIN_MINUTES:-115}"
WEIGHTS="${WEIGHTS:-everyday=4,dialogue=3,catalogs=0.35}"
W=work/student

[ "${SKIP_SETUP:-0}" = 1 ] || ./setup.sh
data/fetch.sh
data/fetch-catalogs.sh
(cd data && $PY ding.py && $PY ding_words.py && $PY gettext_catalogs.py && $PY gettext_catalogs.py --catalogs \
   && $PY ddtp.py && $PY debian_reference.py && $PY prepare.py)
mkdir -p "$W"
# the vocabulary leaves the copy pairs out: their spans are what it is meant not to spell
[ -f "$W/spm.model" ] || $PY spm.py --byte-fallback --out "$W/spm" --oversample "$WEIGHTS,copy=0"
OPENBLAS_NUM_THREADS=1 $PY train.py --ckpt-dir "$W/ckpt" --spm "$W/spm.model" --encoder-layers 6 --decoder-layers 1 \
  --oversample "$WEIGHTS" --max-minutes "$TRAIN_MINUTES" | tee -a "$W/train.log"
$PY average.py --out "$W/ckpt/average.pt" $(ls "$W"/ckpt/step-*.pt | sort -t- -k2 -n | tail -3)
$PY export.py --checkpoint "$W/ckpt/average.pt" --spm "$W/spm.model" --out "$OUT" --name s2s-en-de-small \
  --only-merged --fp16-storage
