#!/usr/bin/env bash
# The classic character-level LSTM encoder-decoder (Keras' lstm_seq2seq: one-hot characters, latent 256) on the
# project's English->German data, exported as a recurrent bundle (docs/models-recurrent.md). Resumable: rerun it to
# continue from the last checkpoint (training/work/recurrent/ckpt/last.pt); each run ends with an export.
#   OUT=../../models/lstm-en-de-char MINUTES=120 EPOCHS=100 training/recurrent/train.sh [more train_recurrent.py flags]
# The data is the default model's (training/work/data/train.{en,de}); made here first when it is missing.
set -euo pipefail
cd "$(dirname "$0")"
PY=/usr/bin/python3
OUT="${OUT:-../../models/lstm-en-de-char}"
MINUTES="${MINUTES:-0}"
EPOCHS="${EPOCHS:-100}"
if [ ! -f ../work/data/train.en ] && ! printf '%s\n' "$@" | grep -q -- '--tsv'; then
  (cd .. && { [ "${SKIP_SETUP:-0}" = 1 ] || ./setup.sh; } && data/fetch.sh \
    && cd data && $PY ding.py && $PY gettext_catalogs.py && $PY ddtp.py && $PY prepare.py)
fi
mkdir -p ../work
OPENBLAS_NUM_THREADS=1 $PY train_recurrent.py --out "$OUT" --max-minutes "$MINUTES" --epochs "$EPOCHS" "$@" \
  | tee -a ../work/recurrent-train.log
