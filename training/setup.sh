#!/usr/bin/env bash
# Installs what the training recipe needs on a fresh Debian bookworm machine (no PyPI: Debian packages only).
# Use /usr/bin/python3 afterwards (another python3 may come first on PATH without these modules).
set -euo pipefail
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  python3-torch python3-numpy python3-sentencepiece python3-onnx python3-regex libopenblas0-pthread gettext >/dev/null
/usr/bin/python3 -c "import torch, sentencepiece, onnx; print('torch', torch.__version__, 'onnx', onnx.__version__)"
