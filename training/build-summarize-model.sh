#!/usr/bin/env bash
# The recipe of the summarization model (package long description -> one-line synopsis), from nothing to a bundle:
#   data (apt indexes of bookworm main) -> SentencePiece -> training (TRAIN_MINUTES, resumable) -> average of the last
#   three saves -> ONNX export + seq2seq.json -> ROUGE on the held-out packages, next to the lead baseline, through
#   the engine (`eval --rouge`, needs the packaged app: mvn -q -B -DskipTests package).
# Rerun it to resume training from the last checkpoint. WORK_DIR holds vocabulary, checkpoints and outputs.
set -euo pipefail
cd "$(dirname "$0")"
PY=/usr/bin/python3
OUT="${OUT:-../models/s2s-summarize-small}"
WORK_DIR="${WORK_DIR:-work/summarize}"
TRAIN_MINUTES="${TRAIN_MINUTES:-90}"
SRC_TOKENS=64  # the input is cut here in training and, through seq2seq.json, in the engine
LEAD_WORDS="${LEAD_WORDS:-7}"  # the median synopsis length of the training split (stats.tsv)
JAR="${JAR:-../target/seq2seq-streams.jar}"
DATA=work/summarize

(cd data && $PY summaries.py)
mkdir -p "$WORK_DIR"
[ -f "$WORK_DIR/spm.model" ] || $PY spm.py --vocab 8000 --out "$WORK_DIR/spm" --inputs $DATA/train.desc $DATA/train.syn
OPENBLAS_NUM_THREADS=1 $PY train.py --data $DATA --spm "$WORK_DIR/spm.model" --exts desc,syn --dev-sets "" \
  --max-src-len $SRC_TOKENS --warmup 400 --ckpt-dir "$WORK_DIR/ckpt" --max-minutes "$TRAIN_MINUTES" | tee -a "$WORK_DIR/train.log"
$PY average.py --out "$WORK_DIR/average.pt" $(ls "$WORK_DIR"/ckpt/step-*.pt | sort -t- -k2 -n | tail -3)
$PY export.py --checkpoint "$WORK_DIR/average.pt" --spm "$WORK_DIR/spm.model" --out "$OUT" \
  --name "$(basename "$OUT")" --only-merged --fp16-storage --quantize-merged-only --max-length 64
echo "{\"segment_sentences\": false, \"max_input_tokens\": $SRC_TOKENS}" > "$OUT/seq2seq.json"
for split in dev test; do
  for beams in 1 4; do
    for dtype in fp32 q8; do
      java -jar "$JAR" eval --rouge --model "$OUT" --beams $beams --dtype $dtype --src $DATA/$split.desc \
        --ref $DATA/$split.syn --hyp-out "$WORK_DIR/$split.b$beams.$dtype.syn" 2>/dev/null | tee -a "$WORK_DIR/rouge.txt"
    done
  done
  java -jar "$JAR" eval --rouge --src $DATA/$split.desc --ref $DATA/$split.syn --lead "$LEAD_WORDS" | tee -a "$WORK_DIR/rouge.txt"
done
