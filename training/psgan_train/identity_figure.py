"""The identity figure: how well one latent stays one character across poses (``evaluate``).

For each latent seed the character is drawn in several poses; the colour of four body parts (head
at the nose, torso between neck and hips, upper arms, thighs: the mean over figure pixels in a small
window) is compared within each character across poses (W, the mean squared distance to the
character's mean colour) with the spread over all characters and poses (T): ``1 - W / T`` per part,
averaged over parts. 1 = perfectly stable; 0 = the seed says nothing about the colours.
"""
from __future__ import annotations

from typing import Callable

import torch

from .contract import seeded_latent
from .identity import render_latents
from .masks import figure_mask, to_uint8
from .poses import load_pose_frames

HELD_OUT_SEED = 10 ** 12



#: Body parts and where their colour is read: weights over COCO-18 keypoints (all must be visible).
PARTS = {"head": {0: 1.0}, "torso": {1: 0.4, 8: 0.3, 11: 0.3},
         "arms": ({2: 0.5, 3: 0.5}, {5: 0.5, 6: 0.5}), "legs": ({8: 0.5, 9: 0.5}, {11: 0.5, 12: 0.5})}


def part_colours(img: torch.Tensor, kp: torch.Tensor, parts: dict | None = None) -> torch.Tensor:
    """``[B, parts, 3]`` mean colours (RGB 0..1) of each part (NaN where a keypoint is missing or no
    figure pixel is in the window; a part read at two places averages them). ``parts``: ``PARTS``
    unless given (``fidelity.PARTS10``)."""
    parts = PARTS if parts is None else parts
    res = img.shape[-1]
    mask = figure_mask(img)
    rgb = to_uint8(img).float() / 255
    r = max(1, res // 64)
    out = torch.full((img.shape[0], len(parts), 3), float("nan"))
    for b in range(img.shape[0]):
        for p, spec in enumerate(parts.values()):
            samples = []
            for weights in (spec if isinstance(spec, tuple) else (spec,)):
                if any(kp[b, k, 2] <= 0 for k in weights):
                    continue
                x = int(sum(w * float(kp[b, k, 0]) for k, w in weights.items()))
                y = int(sum(w * float(kp[b, k, 1]) for k, w in weights.items()))
                x0, x1, y0, y1 = max(0, x - r), min(res, x + r + 1), max(0, y - r), min(res, y + r + 1)
                if x0 >= x1 or y0 >= y1:
                    continue
                m = mask[b, y0:y1, x0:x1]
                if m.any():
                    samples.append(rgb[b, :, y0:y1, x0:x1][:, m].mean(1))
            if samples:
                out[b, p] = torch.stack(samples).mean(0)
    return out


def identity_score(colours: torch.Tensor, parts: dict | None = None) -> dict:
    """``colours`` ``[characters, poses, parts, 3]``: per part ``1 - W / T`` (see the module
    docstring) and their mean; parts with no spread at all are left out."""
    per_part = {}
    for p, name in enumerate(PARTS if parts is None else parts):
        c = colours[:, :, p]
        valid = ~torch.isnan(c).any(-1)
        counts = valid.sum(1)
        keep = counts >= 2
        if keep.sum() < 2:
            continue
        within, everything = [], []
        for ch in torch.nonzero(keep).flatten():
            v = c[ch][valid[ch]]
            within.append(((v - v.mean(0)) ** 2).sum(-1))
            everything.append(v)
        allv = torch.cat(everything)
        total = float(((allv - allv.mean(0)) ** 2).sum(-1).mean())
        if total <= 0:
            continue
        per_part[name] = 1 - float(torch.cat(within).mean()) / total
    return {"identity": sum(per_part.values()) / len(per_part) if per_part else None, "per_part": per_part}


def identity_poses(seeds: list[int], dim: int, res: int, pose_count: int, pose_files: list[str],
                   frames_per_file: int = 4) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Latents ``[S*P, L]``, the renderer's images and keypoints for each seed's look in P poses:
    ``pose_count`` held-out procedural poses and ``frames_per_file`` frames of each recorded file."""
    sequences = [load_pose_frames([f], stride=2)[:16:4][:frames_per_file] for f in pose_files]
    zs, imgs, kps = [], [], []
    for s in seeds:
        z = seeded_latent(s, dim)[None]
        for i in range(pose_count):
            im, kp = render_latents(z, HELD_OUT_SEED + i, res)
            zs.append(z); imgs.append(im); kps.append(kp)
        for seq in sequences:
            for f in seq:
                im, kp = render_latents(z, HELD_OUT_SEED, res, frames=f[None], frame_fraction=1.0)
                zs.append(z); imgs.append(im); kps.append(kp)
    return torch.cat(zs), torch.cat(imgs), torch.cat(kps)


def character_colours(generate: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], seeds: list[int], dim: int,
                      res: int, pose_count: int, pose_files: list[str],
                      drawn: tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None = None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Part colours ``[seeds, poses, parts, 3]`` of each seed's character in the held-out poses
    (``identity_poses``): as ``generate(z, keypoints) -> images`` draws it, and as the renderer does
    (the ceiling); ``identity_score`` of either is the identity figure. Third, the renderer's images
    ``[seeds, poses, 3, R, R]`` (the first ``pose_count`` poses of each seed are the procedural ones).
    ``drawn``: ``identity_poses``'s result for the same arguments, when the caller has it already."""
    z, ref, kp = drawn if drawn is not None else identity_poses(seeds, dim, res, pose_count, pose_files)
    per_seed = len(z) // len(seeds)
    shape = (len(seeds), per_seed, len(PARTS), 3)
    return (part_colours(generate(z, kp), kp).reshape(shape), part_colours(ref, kp).reshape(shape),
            ref.reshape(len(seeds), per_seed, *ref.shape[1:]))
