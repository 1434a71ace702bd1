"""Write a contact sheet PNG of dataset samples with their keypoints and bones drawn over them.

    python3 -m psgan_train.contact_sheet --out sheet.png --seed 0 [--count 12] [--resolution 256]
"""
from __future__ import annotations

import argparse
import colorsys

import numpy as np
from PIL import Image, ImageDraw

from .avatars import render_batch
from .poses import BONES, load_pose_frames


def contact_sheet(seed: int, count: int, resolution: int, columns: int = 4, keypoints: bool = True,
                  frames=None) -> Image.Image:
    """A grid of ``count`` samples from ``seed``, keypoints drawn as coloured dots joined by bones."""
    images, kps = render_batch(seed, count, resolution, frames=frames)
    arr = ((images.clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).cpu().numpy()
    rows = (count + columns - 1) // columns
    sheet = Image.new("RGB", (columns * resolution, rows * resolution), "white")
    colours = [tuple(int(255 * v) for v in colorsys.hsv_to_rgb(i / 18, 1, 0.9)) for i in range(18)]
    for i in range(count):
        tile = Image.fromarray(np.ascontiguousarray(arr[i]))
        if keypoints:
            draw = ImageDraw.Draw(tile)
            k = kps[i].tolist()
            for a, b in BONES:
                if k[a][2] > 0 and k[b][2] > 0:
                    draw.line([k[a][0], k[a][1], k[b][0], k[b][1]], fill=(40, 40, 40), width=1)
            rad = max(1.5, resolution / 128)
            for j, (x, y, c) in enumerate(k):
                if c > 0:
                    draw.ellipse([x - rad, y - rad, x + rad, y + rad], fill=colours[j], outline=(0, 0, 0))
        sheet.paste(tile, ((i % columns) * resolution, (i // columns) * resolution))
    return sheet


def main(argv: list[str] | None = None) -> None:
    """CLI entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="PNG to write")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--count", type=int, default=12)
    ap.add_argument("--resolution", type=int, default=256)
    ap.add_argument("--columns", type=int, default=4)
    ap.add_argument("--no-keypoints", action="store_true", help="images only")
    ap.add_argument("--poses", nargs="*", default=[], help="psgan native coco18 pose files (e.g. from a BVH) "
                    "to take about half the poses from")
    a = ap.parse_args(argv)
    frames = load_pose_frames(a.poses) if a.poses else None
    contact_sheet(a.seed, a.count, a.resolution, a.columns, not a.no_keypoints, frames).save(a.out, optimize=True)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
