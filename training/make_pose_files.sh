#!/usr/bin/env bash
# Writes the recorded training poses that configs/cpu64-views.json lists, into training/runs/poses/:
# CMU take 01_01 (motion/cmu-01_01.bvh) from 8 s to its end (frames 240: at 30 fps), seen from six camera azimuths (front,
# both sides, both three-quarter views, and back three-quarter). The sample files poses/mocap-*.json
# come from 3 s to 7 s of the same take (tools/make_mocap_poses.sh), so that stretch stays held out.
# Usage: training/make_pose_files.sh   (needs a built psgan: swift build; PSGAN=path to choose one)
set -euo pipefail
cd "$(dirname "$0")"
psgan="${PSGAN:-../.build/release/psgan}"
[ -x "$psgan" ] || psgan=../.build/debug/psgan
bvh=../motion/cmu-01_01.bvh
mkdir -p runs/poses
for azimuth in 0 60 90 -60 -90 135; do
    "$psgan" pose convert "$bvh" --azimuth="$azimuth" --resample 30 --frames 240: \
        --out "runs/poses/cmu-01_01-from8s-az$azimuth.json"
done
