#!/usr/bin/env bash
# The recipe of the English→German student: a deep encoder and a one-layer decoder (6+1) with a byte-fallback
# vocabulary, grown from the earlier 3+3 model (student_init.py: its weights read back from its ONNX files) and
# fine-tuned on the broad Debian data (fetch.sh + fetch-catalogs.sh: the default model's sources plus Ding's word and
# phrase entries, about 740 packages' gettext catalogs and the Debian Reference).
# The held-out sets are exactly the earlier model's, so the two are scored on the same text.
# Resumable: rerun it to go on from the last checkpoint (TRAIN_MINUTES more each time).
set -euo pipefail
cd "$(dirname "$0")"
PY=/usr/bin/python3
OUT="${OUT:-work/student/bundle}"
TRAIN_MINUTES="${TRAIN_MINUTES:-85}"
WEIGHTS="${WEIGHTS:-everyday=4,dialogue=3,catalogs=0.35}"
PREVIOUS_COMMIT="${PREVIOUS_COMMIT:-6e513db}"  # the last commit that ships the earlier 3+3 model
JAR="${JAR:-../target/seq2seq-streams.jar}"
W=work/student

[ "${SKIP_SETUP:-0}" = 1 ] || ./setup.sh
data/fetch.sh
data/fetch-catalogs.sh
(cd data && $PY ding.py && $PY ding_words.py && $PY gettext_catalogs.py && $PY gettext_catalogs.py --catalogs \
   && $PY ddtp.py && $PY debian_reference.py && $PY prepare.py)
mkdir -p "$W/previous"
[ -f "$W/previous/models/s2s-en-de-small/config.json" ] ||
  git -C .. archive "$PREVIOUS_COMMIT" models/s2s-en-de-small | tar -x -C "$W/previous"
PREV="$W/previous/models/s2s-en-de-small"
[ -f "$W/init.pt" ] || $PY student_init.py --bundle "$PREV" --out "$W/init.pt" --spm-out "$W/spm" --decoder-from 1
OPENBLAS_NUM_THREADS=1 $PY train.py --ckpt-dir "$W/ckpt" --spm "$W/spm.model" --init "$W/init.pt" \
  --oversample "$WEIGHTS" --lr 7e-4 --warmup 500 --max-minutes "$TRAIN_MINUTES" | tee -a "$W/train.log"
$PY average.py --out "$W/ckpt/average.pt" $(ls "$W"/ckpt/step-*.pt | sort -t- -k2 -n | tail -3)
$PY export.py --checkpoint "$W/ckpt/average.pt" --spm "$W/spm.model" --out "$OUT" --name s2s-en-de-small \
  --only-merged --fp16-storage --source-lang en --target-lang de

# scores of both bundles through the engine, their demo output, the card
[ -f "$JAR" ] || (cd .. && mvn -q -B -DskipTests package)
[ -f "$W/eval-previous/engine.md" ] || EVAL="$W/eval-previous" BEAMS=4 ./score_engine.sh "$PREV"
EVAL="$W/eval-current" BEAMS=4 ./score_engine.sh "$OUT"
grep -v '^#' ../tools/src/main/resources/demo/samples.txt | grep . > "$W/demo.en"
java -jar "$JAR" translate --model "$PREV" --beams 4 --input "$W/demo.en" > "$W/demo.previous.de"
java -jar "$JAR" translate --model "$OUT" --beams 4 --input "$W/demo.en" > "$W/demo.current.de"
$PY student_card.py --bundle "$OUT"
