"""Fixtures for psgan's look tests, made by this package's renderer (the independent side):

    python3 -m psgan_train.look_fixtures --out ../Tests/Fixtures/looks

- ``forward.json``: for seeds 0-5 (the contract's seeded latents, 64 values), the look
  ``looks_from_latent`` gives: colours as 0..1 floats, the hair style's name, the flags, the numbers
  (psgan's ``LookSchema.look(of:)`` must agree).
- ``drawn-N.png`` and ``drawn-N_keypoints.json``: the renderer's drawing (128x128, white background)
  of a known look in a standing pose and that pose's keypoints as OpenPose JSON (COCO-18), with the
  look's hair, top, bottom and skin colours in ``drawn.json`` (``psgan character from-image`` must
  read them back). ``drawn-2`` folds both arms across the torso (elbows on the torso's middle,
  forearms across it, as in a side view's swing), where the top is only the torso's uncovered part.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch
from PIL import Image

from .contract import seeded_latent
from .avatars import pose_figures
from .identity import HAIR_STYLES, look_schema, looks_from_latent, render_latents
from .poses import Figure


def forward(seeds=range(6), dim: int = 64) -> list[dict]:
    z = torch.stack([seeded_latent(s, dim) for s in seeds])
    look, props = looks_from_latent(z)
    out = []
    for i, seed in enumerate(seeds):
        entry = {"seed": seed}
        for attribute in look_schema()["attributes"]:
            name = attribute["name"]
            key = {"accessory": "acc", "socks_colour": "socks", "hair_style": "style", "long_sleeves": "long_sleeve",
                   "socks": "socks_on", "hair_length": "hair_len"}.get(name, name)
            if attribute["kind"] in ("colour", "palette"):
                entry[name] = [round(float(c), 6) for c in look[key][i]]
            elif attribute["kind"] == "choice":
                entry[name] = HAIR_STYLES[int(look[key][i])]
            elif attribute["kind"] == "flag":
                entry[name] = bool(look[key][i])
            else:
                props_key = {"legs": None, "arms": None, "shoulders": "shoulder", "hips": "hip", "limbs": "limb"}.get(name, name)
                if name == "hair_length":
                    entry[name] = round(float(look["hair_len"][i]), 6)
                elif name == "legs":
                    entry[name] = round(float(props["thigh"][i] / 0.2), 6)
                elif name == "arms":
                    entry[name] = round(float(props["upper_arm"][i] / 0.15), 6)
                else:
                    entry[name] = round(float(props[props_key][i]), 6)
        out.append(entry)
    return out


def fold_arms(fig: Figure) -> Figure:
    """``fig`` with both arms folded across the torso: each elbow on the neck-to-hips line, 45% of
    the way down, each wrist past the other side, at 65%."""
    kp = fig.kp.clone()
    neck, hip = kp[:, 1, :2], (kp[:, 8, :2] + kp[:, 11, :2]) / 2
    width = (kp[:, 2, :2] - kp[:, 5, :2]).abs()[:, :1]
    for elbow, wrist, side in ((3, 4, 1.0), (6, 7, -1.0)):
        kp[:, elbow, :2] = neck + (hip - neck) * 0.45 + side * width * torch.tensor([0.1, 0.0])
        kp[:, wrist, :2] = neck + (hip - neck) * 0.65 - side * width * torch.tensor([0.6, 0.0])
    return Figure(kp, fig.head, fig.head_r, fig.yaw, fig.unit, fig.hip)


def drawn(out: Path, cases: list[tuple[int, dict, bool]]) -> list[dict]:
    """Each case: a seed, the latent values to set (dim -> z) for a known look, and whether the
    arms are folded across the torso."""
    records = []
    for n, (seed, values, folded) in enumerate(cases):
        z = seeded_latent(seed, 64)
        for dim, value in values.items():
            z[dim] = value
        figures = None
        if folded:
            _, props = looks_from_latent(z[None])
            figures = fold_arms(pose_figures(torch.Generator().manual_seed(11 + n), 1, 128, props))
        img, kp = render_latents(z[None], pose_seed=11 + n, resolution=128, figures=figures)
        pixels = ((img[0].permute(1, 2, 0).clamp(-1, 1) + 1) * 127.5).round().byte().numpy()
        Image.fromarray(pixels).save(out / f"drawn-{n}.png")
        points = []
        for x, y, c in kp[0].tolist():
            points += [round(x, 3), round(y, 3), 1.0 if c > 0 else 0.0]
        (out / f"drawn-{n}_keypoints.json").write_text(json.dumps({"version": 1.3, "people": [{"pose_keypoints_2d": points}]}) + "\n")
        look, _ = looks_from_latent(z[None])
        records.append({"image": f"drawn-{n}.png", "keypoints": f"drawn-{n}_keypoints.json", "seed": seed,
                        **{name: [round(float(c), 6) for c in look[name][0]] for name in ("hair", "top", "bottom", "skin")}})
    return records


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "forward.json").write_text(json.dumps(forward(), indent=1) + "\n")
    # Known looks: hair, top and bottom colours far apart (dims 0/23/24, 2/25/26, 3/27/28), short
    # hair and no scarf so the sampled parts are plain.
    # The third folds the arms across the torso, with short sleeves (dim 11), so skin crosses the top.
    cases = [(3, {0: 1.0, 23: -1.0, 24: -1.0, 2: -1.0, 25: -0.5, 26: 1.2, 3: 0.8, 27: 0.8, 28: 0.8, 8: -1.5, 14: 1.5}, False),
             (9, {0: -0.5, 23: 0.7, 24: -1.2, 2: 1.1, 25: 0.9, 26: -0.9, 3: -1.0, 27: -0.8, 28: 0.3, 8: 0.1, 14: 1.5}, False),
             (4, {0: -1.2, 23: -1.0, 24: 0.9, 2: 1.0, 25: -1.0, 26: -1.0, 3: -1.2, 27: -1.2, 28: -1.2, 8: -1.5, 14: 1.5,
                  11: 1.5}, True)]
    (out / "drawn.json").write_text(json.dumps(drawn(out, cases), indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
