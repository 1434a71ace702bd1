"""How well a model wears an asked look from pose to pose (issue 32's bar): docs/characters.md's table.

    python3 tools/look_takes.py [--model samples/psgan-default.safetensors] [--psgan .build/release/psgan]

Renders `mika` (seed 5; hair #d03030, top #2040c0, bottom #f0f0f0) at the model's size without
upscaling, in each sample take fitted onto the model's canvas as psgan feeds it (`psgan pose convert
--retarget canvas`), and reads every fifth frame back with `psgan character from-image` (its part
sampler at the frame's keypoints): per take, the frames whose torso is within 48 levels of the asked
top and whose hair is within 64 of the asked hair (levels: the largest channel difference of 255).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TAKES = ['dance', 'jump', 'walk', 'mocap-front']
LOOK = {'hair': '#d03030', 'top': '#2040c0', 'bottom': '#f0f0f0'}


def levels(a: str, b: str) -> int:
    return max(abs(int(a[i:i + 2], 16) - int(b[i:i + 2], 16)) for i in (1, 3, 5))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--model', default=os.path.join(ROOT, 'samples', 'psgan-default.safetensors'))
    ap.add_argument('--psgan', default=os.path.join(ROOT, '.build', 'release', 'psgan'))
    ap.add_argument('--every', type=int, default=5)
    ap.add_argument('--size', type=int, default=128, help="the model's resolution")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        character = os.path.join(tmp, 'mika.json')
        json.dump({'name': 'mika', 'seed': 5, 'look': LOOK}, open(character, 'w'))
        print('| take | torso within 48 levels of `#2040c0` | hair within 64 levels of `#d03030` |')
        print('| --- | --- | --- |')
        for take in TAKES:
            poses = os.path.join(tmp, f'{take}.json')
            subprocess.run([a.psgan, 'pose', 'convert', os.path.join(ROOT, 'poses', f'{take}.json'), '--retarget', 'canvas',
                            '--size', f'{a.size}x{a.size}', '--out', poses], check=True, capture_output=True)
            frames_dir = os.path.join(tmp, f'{take}-frames')
            subprocess.run([a.psgan, 'render', '--model', a.model, '--poses', poses, '--character', character, '--upscale', 'none',
                            '--codec', 'png', '--frame-per-pose', '--out', frames_dir, '--quiet'], check=True, capture_output=True)
            frames = json.load(open(poses))['frames']
            top_ok = hair_ok = count = 0
            top_worst = hair_worst = 0
            for f in range(0, len(frames), a.every):
                kp = os.path.join(tmp, 'kp.json')
                json.dump({'people': [{'pose_keypoints_2d': [v for point in frames[f] for v in point]}]}, open(kp, 'w'))
                out = os.path.join(tmp, 'read.json')
                subprocess.run([a.psgan, 'character', 'from-image', os.path.join(frames_dir, f'frame_{f:06d}.png'),
                                '--keypoints', kp, '--model', a.model, '--out', out], check=True, capture_output=True)
                look = json.load(open(out))['look']
                t, h = levels(look['top'], LOOK['top']), levels(look['hair'], LOOK['hair'])
                top_ok += t <= 48; hair_ok += h <= 64; count += 1
                top_worst, hair_worst = max(top_worst, t), max(hair_worst, h)
            print(f'| `poses/{take}.json` | {top_ok} of {count} (worst {top_worst}) | {hair_ok} of {count} (worst {hair_worst}) |')


if __name__ == '__main__':
    sys.exit(main())
