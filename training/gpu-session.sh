#!/usr/bin/env bash
# One time-limited training session on a lent GPU machine, resumable across machines.
#
#   training/gpu-session.sh CONFIG RUN SECONDS OUTDIR [UPSCALE]
#   INIT_FROM=MODEL.safetensors training/gpu-session.sh ...   # a new run starts from a finished model
#
# Runs from training/. Continues RUN/checkpoint.pt when it is there, else rebuilds it from a packed
# checkpoint in RUN/packed (psgan_train.portable, what an earlier session sent back), else starts
# CONFIG afresh (from the generator file INIT_FROM names, with --init-from, when it is set). Trains until SECONDS have passed; a run that finishes its schedule early goes on
# with --extend (more of its last, full-resolution phase). Then packs the checkpoint (F16, no Adam
# states) into OUTDIR/, exports the F16 generator OUTDIR/RUNNAME.safetensors (suggesting UPSCALE
# when given) and copies the log and the latest samples there.
set -euo pipefail
cd "$(dirname "$0")"
config=$1 run=$2 seconds=$3 out=$4 upscale=${5:-}
start=$(date +%s)
mkdir -p "$run" "$out"
log="$out/train.log"
if [ ! -f "$run/checkpoint.pt" ] && [ -f "$run/packed/state.pt" ]; then
    python3 -m psgan_train.portable unpack "$run/packed" "$run/checkpoint.pt" | tee -a "$log"
fi
resume=()
if [ -f "$run/checkpoint.pt" ]; then
    resume=(--resume)
elif [ -n "${INIT_FROM:-}" ]; then
    resume=(--init-from "$INIT_FROM")
fi
PYTHONUNBUFFERED=1 python3 -m psgan_train.train --config "$config" --out "$run" "${resume[@]}" \
    --max-seconds "$seconds" 2>&1 | tee -a "$log"
left=$(( seconds - ($(date +%s) - start) ))
if [ "$left" -gt 60 ] && ! tail -1 "$log" | grep -q '"stopped": true'; then
    # The schedule is done: spend what is left on the last phase.
    PYTHONUNBUFFERED=1 python3 -m psgan_train.train --config "$config" --out "$run" --resume \
        --extend 10000000 --max-seconds "$(( left - 30 ))" 2>&1 | tee -a "$log"
fi
python3 -m psgan_train.portable pack "$run/checkpoint.pt" "$out"
name=$(basename "$run")
python3 -m psgan_train.export "$run/checkpoint.pt" --out "$out/$name.safetensors" --f16 --no-check \
    ${upscale:+--upscale "$upscale"}
latest=$(ls -t "$run"/samples*.png 2>/dev/null | head -1 || true)
[ -n "$latest" ] && cp "$latest" "$out/samples.png"
echo "session done in $(( $(date +%s) - start )) s"
