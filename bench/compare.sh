#!/usr/bin/env bash
# psgan, ONNX Runtime and OpenVINO side by side, on the same networks, on this machine, in one run.
#   bench/compare.sh                       # generator at 256 and 1024 (paper channels, K=20) and the three upscalers
#   bench/compare.sh --resolution 256 --no-upscalers
# Options go to bench/compare.py (--threads N, --resolution R, --upscaler NAME, --json FILE, ...).
# Builds psgan (release) and installs onnx, onnxruntime, openvino and numpy with pip when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product psgan >/dev/null
python3 -c "import onnx, onnxruntime, openvino, numpy" 2>/dev/null || pip install -q onnx onnxruntime openvino numpy
exec python3 bench/compare.py "$@"
