#!/usr/bin/env bash
# Writes the motion-capture samples in poses/ from the CMU clip in motion/ (motion/README.md):
# subject 01, trial 01, seconds 3 to 7 at 30 fps, seen from the front, the side and three-quarters above,
# each fitted to a 512 x 512 canvas with a 10 % margin. Needs a built psgan (swift build).
# Credit (CMU's terms): the data was obtained from mocap.cs.cmu.edu; the database was created with
# funding from NSF EIA-0196217.
set -euo pipefail
cd "$(dirname "$0")/.."
psgan="${PSGAN:-.build/debug/psgan}"
bvh=motion/cmu-01_01.bvh
frames="${MOCAP_FRAMES:-90:210}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
make() {  # name, camera options...
    local name="$1"; shift
    "$psgan" pose convert "$bvh" "$@" --resample 30 --frames "$frames" --out "$tmp/$name.json" >/dev/null
    "$psgan" pose convert "$tmp/$name.json" --retarget figure --margin 0.1 --out "poses/$name.json"
}
make mocap-front --azimuth 0
make mocap-side --azimuth 90
make mocap-three-quarter --azimuth=-45 --elevation 20
