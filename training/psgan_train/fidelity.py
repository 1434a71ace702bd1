"""Fidelity figures (issue 28): the model against the dataset renderer drawing the same look in the
same held-out poses. For an identity-objective model the renderer's drawing is the ground truth.

All images are quantised as psgan writes them (``masks.to_uint8``); figure masks are
``masks.figure_mask`` (near-white background connected to the border).

- ``psnr``: over all pixels and channels, model against renderer (dB).
- ``ssim``: luminance (``0.299 R + 0.587 G + 0.114 B``), 7x7 Gaussian window (sigma 1.5),
  ``C1 = (0.01 * 255)^2``, ``C2 = (0.03 * 255)^2``, the mean over the valid windows.
- ``sharpness``: the mean gradient magnitude (central differences of the luminance) inside the
  renderer's figure, model divided by renderer (1 = as crisp; a blurred drawing is well under).
- ``silhouette_iou``: the figure masks' intersection over union.
- ``limb_coverage``: of the limbs (upper arms, forearms, thighs, shins) whose core the renderer
  draws solidly, the share the model draws solidly too: a limb's core is ten points from 20% to 80%
  of the way between its joints, and it counts as drawn when at least 90% of them are solid figure
  (``solid_mask``: not washed out towards the white, by psgan's matte rule).
  ``limb_coverage_fed`` is the same figure on the keypoints *as psgan feeds them* (the recorded pose
  files fitted onto the model's canvas with one uniform scale, centred, not refitted to the look's
  body; ``evaluate`` uses the recorded files and ``poses/dance.json``, whose arms are raised), where
  every limb with both joints visible is counted, with no renderer.
- ``alpha_iou``: for a model with the coverage channel, its coverage (> 0.5) against the
  renderer's figure mask (IoU).
- ``identity_parts``: ``identity_figure.identity_score`` over ten parts (head, torso, both upper
  arms, forearms, thighs and shins), model and renderer.
"""
from __future__ import annotations

import json
import math
from typing import Callable

import torch
import torch.nn.functional as F

from .contract import seeded_latent
from .identity_figure import identity_poses, identity_score, part_colours
from .masks import figure_mask, to_uint8

#: Ten parts and where their colour is read (weights over COCO-18 keypoints).
PARTS10 = {
    "head": {0: 1.0}, "torso": {1: 0.4, 8: 0.3, 11: 0.3},
    "upper_arm_r": {2: 0.5, 3: 0.5}, "upper_arm_l": {5: 0.5, 6: 0.5},
    "forearm_r": {3: 0.5, 4: 0.5}, "forearm_l": {6: 0.5, 7: 0.5},
    "thigh_r": {8: 0.5, 9: 0.5}, "thigh_l": {11: 0.5, 12: 0.5},
    "shin_r": {9: 0.5, 10: 0.5}, "shin_l": {12: 0.5, 13: 0.5},
}
#: The limbs (joint, joint): upper arms, forearms, thighs, shins.
LIMBS = [(2, 3), (5, 6), (3, 4), (6, 7), (8, 9), (11, 12), (9, 10), (12, 13)]


def luminance(img: torch.Tensor) -> torch.Tensor:
    """``[B, R, R]`` luminance (0..255) of images in [-1, 1]."""
    q = to_uint8(img).float()
    return 0.299 * q[:, 0] + 0.587 * q[:, 1] + 0.114 * q[:, 2]


def psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    """PSNR (dB) of quantised images ``a`` against ``b`` over every pixel and channel."""
    mse = float(((to_uint8(a).float() - to_uint8(b).float()) ** 2).mean())
    return float("inf") if mse == 0 else 10 * math.log10(255 ** 2 / mse)


def ssim(a: torch.Tensor, b: torch.Tensor) -> float:
    """Mean luminance SSIM, 7x7 Gaussian window (sigma 1.5), valid windows only."""
    # In double: the variances are differences of large sums.
    x, y = luminance(a)[:, None].double(), luminance(b)[:, None].double()
    g = torch.exp(-((torch.arange(7, dtype=torch.float64) - 3.0) ** 2) / (2 * 1.5 ** 2))
    w = (g[:, None] * g[None]) / (g.sum() ** 2)
    w = w[None, None]
    mx, my = F.conv2d(x, w), F.conv2d(y, w)
    sxx = F.conv2d(x * x, w) - mx * mx
    syy = F.conv2d(y * y, w) - my * my
    sxy = F.conv2d(x * y, w) - mx * my
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    s = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    return float(s.mean())


def gradient(img: torch.Tensor) -> torch.Tensor:
    """``[B, R, R]`` gradient magnitude (central differences, zero at the border) of the luminance."""
    y = luminance(img)
    gx, gy = torch.zeros_like(y), torch.zeros_like(y)
    gx[:, :, 1:-1] = (y[:, :, 2:] - y[:, :, :-2]) / 2
    gy[:, 1:-1] = (y[:, 2:] - y[:, :-2]) / 2
    return torch.sqrt(gx * gx + gy * gy)


def sharpness(model: torch.Tensor, reference: torch.Tensor) -> float:
    """Mean gradient magnitude inside the reference's figure: model over reference."""
    mask = figure_mask(reference)
    ref = float(gradient(reference)[mask].mean()) if mask.any() else 0.0
    return float(gradient(model)[mask].mean()) / ref if ref > 0 else float("nan")


def iou(a: torch.Tensor, b: torch.Tensor) -> float:
    """Intersection over union of two bool masks (0 for an empty union)."""
    union = int((a | b).sum())
    return int((a & b).sum()) / union if union else 0.0


def on_figure(mask: torch.Tensor, x: float, y: float) -> bool:
    """Whether any pixel of the 3x3 block around ``(floor(x), floor(y))`` is figure."""
    res = mask.shape[-1]
    xi, yi = int(math.floor(x)), int(math.floor(y))
    x0, x1, y0, y1 = max(0, xi - 1), min(res, xi + 2), max(0, yi - 1), min(res, yi + 2)
    return x0 < x1 and y0 < y1 and bool(mask[y0:y1, x0:x1].any())


def limb_coverage(model_mask: torch.Tensor, kp: torch.Tensor, reference_mask: torch.Tensor | None = None) -> tuple[int, int]:
    """(covered, counted) over the limbs (upper arms, forearms, thighs, shins): a limb is counted
    when both its joints are visible (and, with a reference, when the reference draws at least 90% of
    its core as figure); it is covered when the model draws at least 90% of its core as figure. The
    core is ten points from 20% to 80% of the way between the joints, each read at its own pixel."""
    covered = counted = 0
    res = model_mask.shape[-1]

    def core_share(mask: torch.Tensor, a: torch.Tensor, b: torch.Tensor) -> float:
        inside = 0
        for t in torch.linspace(0.2, 0.8, 10).tolist():
            x, y = int(math.floor(float(a[0] + (b[0] - a[0]) * t))), int(math.floor(float(a[1] + (b[1] - a[1]) * t)))
            inside += 0 <= x < res and 0 <= y < res and bool(mask[y, x])
        return inside / 10

    for b in range(kp.shape[0]):
        for i, j in LIMBS:
            if kp[b, i, 2] <= 0 or kp[b, j, 2] <= 0:
                continue
            if reference_mask is not None and core_share(reference_mask[b], kp[b, i], kp[b, j]) < 0.9:
                continue
            counted += 1
            covered += core_share(model_mask[b], kp[b, i], kp[b, j]) >= 0.9
    return covered, counted


def solid_mask(img: torch.Tensor) -> torch.Tensor:
    """``[B, R, R]`` bool: figure pixels (``figure_mask``) that are drawn solidly, not washed out
    towards the white background: psgan's matte rule (``Matte``) for background-like pixels, light
    and grey (whiteness ``(R + G + B) / 765 >= 0.6`` and channels within 32 levels) or very light
    (whiteness >= 0.94), is what a faded limb looks like, and what the matte cuts away."""
    q = to_uint8(img)
    whiteness = q.sum(1).float() / 765
    grey = (q.amax(1) - q.amin(1)) <= 32
    faded = (grey & (whiteness >= 0.6)) | (whiteness >= 0.94)
    return figure_mask(img) & ~faded


def fed_keypoints(path: str, resolution: int, stride: int = 8, count: int = 8) -> torch.Tensor:
    """Keypoints ``[n, 18, 3]`` of a psgan native pose file as psgan feeds them to a model of
    ``resolution``: the file's canvas fitted onto the model's square with one uniform scale,
    centred (``CanvasMapping``), every ``stride``-th frame, at most ``count``."""
    data = json.loads(open(path).read())
    w, h = float(data["canvas"]["width"]), float(data["canvas"]["height"])
    frames = torch.tensor(data["frames"][::stride][:count], dtype=torch.float32).reshape(-1, 18, 3)
    if w == h == resolution:
        return frames
    s = resolution / max(w, h)
    frames[..., 0] = frames[..., 0] * s + (resolution - w * s) / 2
    frames[..., 1] = frames[..., 1] * s + (resolution - h * s) / 2
    return frames


def fidelity(generate: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], seeds: list[int], dim: int, res: int,
             pose_count: int, pose_files: list[str], fed_files: list[str] | None = None,
             drawn: tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None = None) -> tuple[dict, torch.Tensor, torch.Tensor]:
    """The fidelity figures of ``generate(z, keypoints) -> images [N, 3 or 4, R, R]`` (a fourth
    channel is the coverage, in [-1, 1]) for each seed's look in the held-out poses; also the model's
    and the renderer's images (for the side-by-side sheet). ``drawn``: ``identity_poses``'s result
    for the same seeds and poses, when the caller has it already."""
    z, ref, kp = drawn if drawn is not None else identity_poses(seeds, dim, res, pose_count, pose_files)
    out = generate(z, kp)
    img = out[:, :3]
    model_mask, ref_mask = figure_mask(img), figure_mask(ref)
    hits, counted = limb_coverage(solid_mask(img), kp, solid_mask(ref))
    result = {
        "psnr": psnr(img, ref), "ssim": ssim(img, ref), "sharpness": sharpness(img, ref),
        "silhouette_iou": sum(iou(model_mask[i], ref_mask[i]) for i in range(len(img))) / len(img),
        "limb_coverage": hits / counted if counted else None, "limbs_counted": counted,
    }
    if out.shape[1] == 4:
        cover = out[:, 3] > 0.0  # coverage > 0.5 on the [-1, 1] scale
        result["alpha_iou"] = sum(iou(cover[i], ref_mask[i]) for i in range(len(img))) / len(img)
    per_seed = len(z) // len(seeds)
    shape = (len(seeds), per_seed, len(PARTS10), 3)
    result["identity_parts"] = {
        "model": identity_score(part_colours(img, kp, PARTS10).reshape(shape), PARTS10),
        "renderer": identity_score(part_colours(ref, kp, PARTS10).reshape(shape), PARTS10),
    }
    # The keypoints as psgan feeds them: the recorded files fitted onto the canvas, not refitted.
    fed_hits = fed_counted = 0
    for path in (pose_files if fed_files is None else fed_files):
        fed = fed_keypoints(path, res)
        for s in seeds:
            zs = seeded_latent(s, dim)[None].expand(len(fed), -1)
            h, c = limb_coverage(solid_mask(generate(zs, fed)[:, :3]), fed)
            fed_hits, fed_counted = fed_hits + h, fed_counted + c
    result["limb_coverage_fed"] = fed_hits / fed_counted if fed_counted else None
    result["limbs_fed_counted"] = fed_counted
    return result, img, ref
