"""Golden vectors for the contract's ``coco18-limbs`` keypoint layout, made by this package's torch
generator (an implementation of the contract independent of psgan's):

    python3 -m psgan_train.limbs_golden --out ../Tests/Fixtures/golden/psgan-tiny-limbs

A random generator of that layout (R=32, L=16, K=42, channels 16/16/12/8, seeded), three cases of 18
COCO-18 keypoints (a pose; one with a missing elbow and knee; one with a wrist and an ankle off the
canvas): ``model.safetensors``, ``cases.json`` (seed, latent, the 18 keypoints given and the 24
``derived`` limb points, float64) and ``expected.safetensors`` (``case{i}.rgb`` ``[3, R, R]``,
floats before quantisation).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch
from safetensors.torch import save_file

from .alpha_golden import write_tiny_model
from .contract import seeded_latent
from .model import LAYOUT_KEYPOINTS, limb_points


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    check = write_tiny_model(out, 2027, LAYOUT_KEYPOINTS["coco18-limbs"], "coco18-limbs")
    cases, expected = [], {}
    gen = torch.Generator().manual_seed(6)
    for i, seed in enumerate([3, 8, 13]):
        kp = torch.rand(18, 3, generator=gen) * torch.tensor([32.0, 32.0, 1.0]) + torch.tensor([0.0, 0.0, 0.1])
        if i == 1:
            kp[3, 2] = 0.0       # right elbow missing: both right arm segments' points missing
            kp[12, 2] = 0.0      # left knee missing
        if i == 2:
            kp[4, 0] = 45.5      # right wrist off the canvas: some forearm points still on it
            kp[13, 1] = -9.25    # left ankle above it
        z = seeded_latent(seed, 16)
        with torch.no_grad():
            y = check(z[None], kp[None])[0]
        expected[f"case{i}.rgb"] = y[:3].contiguous()
        cases.append({"seed": seed, "latent": z.tolist(), "keypoints": kp.tolist(),
                      "derived": limb_points(kp[None])[0].tolist()})
    (out / "cases.json").write_text(json.dumps(cases, indent=1) + "\n")
    save_file(expected, str(out / "expected.safetensors"))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
