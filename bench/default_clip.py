"""The README's default clip, whole process with model load, for two psgan binaries side by side.

    python3 bench/default_clip.py --baseline-rev REV           # builds REV in a git worktree, then compares
    python3 bench/default_clip.py --baseline PATH/TO/psgan     # an already built binary
    python3 bench/default_clip.py --baseline-rev REV --poses poses/mocap-front.json   # another pose file
    python3 bench/default_clip.py --baseline-rev 24c0d3b --frames 0:45 --model samples/psgan-identity-128.safetensors
        # the first 45 frames (none repeats another), the same model file for both binaries

The default clip's dance is a 45-frame cycle played twice, so half its frames repeat an earlier one
and are reused, not generated again; `--poses poses/mocap-front.json` (120 captured frames, none
repeated) measures a clip where every frame is generated.

Runs `psgan render --poses poses/dance.json --out dance.mp4` (the bundled 128x128 model and its
suggested anime-x4 upscaler: 90 frames at 512x512, H.264) with each binary in turn, for several
rounds, and prints each one's wall-clock seconds per round, its best, and the speed-up of this tree's
binary (`--psgan`, default .build/release/psgan) over the baseline.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def build_revision(rev: str) -> str:
    """Builds `psgan` at git revision `rev` in a worktree under the temporary folder: its binary."""
    tree = os.path.join(tempfile.gettempdir(), f'psgan-baseline-{rev}')
    if not os.path.isdir(tree):
        subprocess.run(['git', '-C', ROOT, 'worktree', 'add', '--detach', tree, rev], check=True, capture_output=True)
    subprocess.run(['swift', 'build', '-c', 'release', '--product', 'psgan'], cwd=tree, check=True, capture_output=True)
    return os.path.join(tree, '.build', 'release', 'psgan')


def render(binary: str, poses: str, out: str, extra: list[str]) -> float:
    """Wall-clock seconds of one default-clip render of `poses` (with `extra` options)."""
    start = time.monotonic()
    subprocess.run([binary, 'render', '--poses', poses, '--out', out, '--quiet', *extra],
                   cwd=ROOT, check=True, capture_output=True)
    return time.monotonic() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument('--baseline', help='the other psgan binary')
    group.add_argument('--baseline-rev', help='a git revision to build and compare with')
    ap.add_argument('--psgan', default=os.path.join(ROOT, '.build', 'release', 'psgan'))
    ap.add_argument('--rounds', type=int, default=3)
    ap.add_argument('--poses', default=os.path.join(ROOT, 'poses', 'dance.json'), help='pose file (default: the README\'s dance)')
    ap.add_argument('--frames', help='render only these frames (psgan render --frames, e.g. 0:45)')
    ap.add_argument('--model', help='the generator file both binaries render with (default: each its own bundled one)')
    a = ap.parse_args()
    extra = (['--frames', a.frames] if a.frames else []) + (['--model', os.path.abspath(a.model)] if a.model else [])
    baseline = a.baseline or build_revision(a.baseline_rev)
    binaries = {'baseline': baseline, 'this tree': a.psgan}
    times = {name: [] for name in binaries}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(a.rounds):
            for name, binary in binaries.items():
                times[name].append(render(binary, os.path.abspath(a.poses), os.path.join(folder, 'clip.mp4'), extra))
    frames = len(json.load(open(a.poses))['frames'])
    if a.frames:
        start, _, end = a.frames.partition(':')
        frames = len(range(frames)[int(start or 0):int(end) if end else None])
    for name, binary in binaries.items():
        best = min(times[name])
        print(f'{name:10s} {binary}: best {best:.2f} s ({frames / best:.2f} frames/s); rounds '
              + ', '.join(f'{t:.2f}' for t in times[name]))
    print(f'speed-up (best against best): {min(times["baseline"]) / min(times["this tree"]):.2f}x')


if __name__ == '__main__':
    sys.exit(main())
