#!/usr/bin/env bash
# Runs the benchmark of issue 2 on this machine: the default model and a base-size random model (d_model 512, 6+6
# layers, 8 heads, vocab 32 000, EOS suppressed so every output is 31 tokens long; the default model's 8 000-piece
# tokenizer, so that source lengths are those of a real subword vocabulary), this engine and transformers.js
# 4.3.1 side by side (REPEATS rounds, default 3: medians and ranges), plus the GEMM roofline and a long run for memory
# (beam 4 by default).
# Reports: target/bench/report.md and .json; the long run's in target/bench/soak/.
# Usage: bench/run.sh [DEFAULT_MODEL_DIR] [extra bench options...]   (needs /usr/bin/python3 with torch and onnx for the
# base model, node/npm for transformers.js; see training/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
default_model=${1-$(ls -d models/*/ 2>/dev/null | head -1 || true)}
shift || true
base=target/bench-models/base
if [ ! -f "$base/onnx/decoder_model_merged_quantized.onnx" ] || ! cmp -s "$base/tokenizer.json" models/s2s-en-de-small/tokenizer.json; then
  echo "bench/run.sh: exporting the base-size random model to $base" >&2
  mkdir -p target/bench-models
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 training/export.py --random --preset base --no-eos \
    --tokenizer-from models/s2s-en-de-small --vocab 32000 --max-length 33 --out "$base" \
    --weights-out target/bench-models/base.pt >&2
fi
[ -f target/seq2seq-streams.jar ] || mvn -q -B -DskipTests package
models=()
[ -n "$default_model" ] && models+=(--model "${default_model%/}")
models+=(--model "$base")
echo "bench/run.sh: $(uptime)" >&2
# A small fixed heap, so that RSS shows the engine's native memory: the Java heap holds less than 200 MiB here, but
# on this 24 GiB machine the JVM's default initial heap is 384 MiB, which G1 touches in full as it cycles through it.
java -Xms64m -Xmx512m -jar target/seq2seq-streams.jar bench "${models[@]}" --repeats "${REPEATS:-3}" "$@"
# The long run in a process of its own that loads only the base model (the one above has loaded every model and
# variant by then), at beam 4 (SOAK_BEAMS), the configuration that holds the most cache. Report: target/bench/soak/.
java -Xms64m -Xmx512m -jar target/seq2seq-streams.jar bench --model "$base" --dtype fp32 --beams "${SOAK_BEAMS:-4}" \
  --batch 32 --no-node --gemm-seconds 0 --batches-per-config 1 --min-sentences 32 \
  --soak-seconds "${SOAK_SECONDS:-300}" --soak-beams "${SOAK_BEAMS:-4}" --out target/bench/soak
