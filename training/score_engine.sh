#!/usr/bin/env bash
# Scores a bundle's ONNX files through the Java engine (the app's `translate` command), fp32 and int8, greedy and
# beam 4, on every held-out test set, with metrics.py. Writes work/eval/engine.<set>.<dtype>.b<beams>.de and the
# table work/eval/engine.md (EVAL=DIR writes them there instead). Needs the packaged app (mvn -q -B -DskipTests package).
#   training/score_engine.sh [BUNDLE]        (default: models/s2s-en-de-small)
set -euo pipefail
cd "$(dirname "$0")"
PY=/usr/bin/python3
MODEL="${1:-../models/s2s-en-de-small}"
JAR="${JAR:-../target/seq2seq-streams.jar}"
SETS="${SETS:-technical ui everyday dialogue}"
EVAL="${EVAL:-work/eval}"
mkdir -p "$EVAL"
for set in $SETS; do
  for dtype in ${DTYPES:-fp32 q8}; do
    for beams in ${BEAMS:-1 4}; do
      out="$EVAL/engine.$set.$dtype.b$beams.de"
      java -jar "$JAR" translate --model "$MODEL" --dtype "$dtype" --beams "$beams" --workers 1 --threads 2 \
        --input "work/data/test.$set.en" > "$out" 2> "$out.log"
    done
  done
done
SETS="$SETS" EVAL="$EVAL" $PY - <<'PYEOF' | tee "$EVAL/engine.md"
import os
from metrics import scores
print("| test set | dtype | beams | BLEU | chrF | chrF++ |\n|---|---|---:|---:|---:|---:|")
ev = os.environ["EVAL"]
for s in os.environ["SETS"].split():
    ref = open(f"work/data/test.{s}.de", encoding="utf-8").read().splitlines()
    for name in sorted(os.listdir(ev)):
        if name.startswith(f"engine.{s}.") and name.endswith(".de"):
            _, _, dtype, beams, _ = name.split(".")
            hyp = open(os.path.join(ev, name), encoding="utf-8").read().splitlines()
            r = scores(hyp, ref)
            print(f"| {s} | {dtype} | {beams[1:]} | {r['BLEU']:.2f} | {r['chrF']:.2f} | {r['chrF++']:.2f} |")
PYEOF
