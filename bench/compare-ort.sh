#!/usr/bin/env bash
# psgan and ONNX Runtime side by side, on the same networks, on this machine, in one run.
#   bench/compare-ort.sh               # generator at 256 and 1024 (paper channels, K=20), the upscalers, the render overlap
# Needs: python3 with onnx, onnxruntime, numpy (installed with pip when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
threads="${THREADS:-2}"
upscale_size="${UPSCALE_SIZE:-256}"
swift build -c release --product psgan >/dev/null
python3 -c "import onnx, onnxruntime, numpy" 2>/dev/null || pip install -q onnx onnxruntime numpy
ort_generator="../shared/bench/ort_psgan.py"
psgan=.build/release/psgan

for res in 256 1024; do
    frames=8; [ "$res" -gt 256 ] && frames=3
    echo "== generator ${res}x${res}, paper channels, K=20, L=512"
    "$psgan" bench --only generator --resolution "$res" --keypoints 20 --frames "$frames" | head -2 | tail -1
    python3 "$ort_generator" --res "$res" --k 20 --threads "$threads" --frames "$frames"
done
echo "== upscalers, ${upscale_size}x${upscale_size} input"
"$psgan" bench --only upscaler --upscale-size "$upscale_size" --upscale-frames 3 | sed -n '2,4p'
python3 bench/ort_upscalers.py --size "$upscale_size" --threads "$threads" --frames 3
echo "== 120-frame 256x256 H.264 render against generating alone"
"$psgan" bench --only render --resolution 256 --keypoints 20 --render-frames 120 | sed -n '2,3p'
