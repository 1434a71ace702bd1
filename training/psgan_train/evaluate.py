"""Quality figures for a generator file on held-out poses (issue 7).

    python3 -m psgan_train.evaluate MODEL.safetensors [--json out.json] [--sheet sheet.png]
        [--poses ../poses/mocap-*.json] [--pose-count 8] [--seeds 0 1 2 3] [--device cpu]

Held-out poses: the procedural pose sampler at seeds ``HELD_OUT_SEED + i`` (training draws its
batches from ``seed * 1_000_003 + i`` and ``seed * 1_000_003 + 7919 * step``, far below 10**12), and
recorded sequences (``poses/mocap-*.json`` by default; no training config lists them).

Figure mask. Images are quantised as psgan writes them (``round((x + 1) / 2 * 255)``, clamped). A
pixel is *background* when all three channels are >= 235 (near-white) and it is 4-connected
through such pixels to the image border; every other pixel is *figure* (so the white eyes or a white
top inside the drawn outline are figure). A keypoint *lands on the figure* when any pixel of the 3x3 block around
``(floor(x), floor(y))`` is figure (a 1-pixel tolerance for the outline's antialiasing).

Figures:

1. Pose consistency: the share of visible keypoints (confidence > 0, inside the canvas) that land
   on the generated figure; and the silhouette IoU between the generated figure mask and the dataset
   renderer's figure mask for the same pose (1 = same silhouette; an empty union counts as 0).
2. Temporal stability: for each recorded sequence, a fixed latent (one character) over T frames;
   the mean absolute frame-to-frame change of the generated frames (RGB in [0, 1]) divided by the
   same change of the dataset renderer's frames (one fixed character) for the same poses
   (``temporal_ratio``; about 1 = moves as much as the pose, >> 1 = flicker, << 1 = frozen). And
   the still test: one pose repeated N frames; ``still_max_change`` is the largest frame-to-frame
   mean absolute change (0 = no flicker).
3. Identity: the same character across poses. For each latent seed, the character is drawn in the
   held-out procedural poses and frames of the recorded sequences; the colour of four body parts
   (head at the nose, torso between neck and hips, upper arms, thighs: the mean over figure pixels
   in a small window) is compared within each character across poses (W, the mean squared
   distance to the character's mean colour) with the spread over all characters and poses (T):
   ``identity = 1 - W / T`` per part, averaged over parts (1 = perfectly stable; 0 = the seed says
   nothing about the colours). The same figure for the dataset renderer drawing each seed's look
   (``identity.looks_from_latent``) in the same poses is the ceiling.
4. Diversity: for each pose, the mean over seed pairs of the mean absolute pixel difference inside
   the union of the two figure masks (0 = all seeds draw the same image); for a model with the
   identity objective's look mapping, the same for the renderer drawing each seed's own look in the
   held-out poses (``diversity.renderer``: how different those looks are). Latent interpolation
   smoothness: along a slerp from seed A to seed B in K steps, the largest step change divided by
   the mean step change (1 = perfectly even; large = a jump).

5. Fidelity (issue 28; models with the look mapping): the model against the dataset renderer
   drawing the same looks in the same held-out poses: PSNR, SSIM, sharpness, silhouette IoU, limb
   coverage (also on keypoints as psgan feeds them), learned-alpha IoU and identity over ten parts
   (``psgan_train.fidelity``); ``--side-by-side`` writes renderer | model pairs.

Everything is deterministic: latents are the contract's seeded latents (SplitMix64), poses come
from fixed seeds and files.
"""
from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
from pathlib import Path
from typing import Callable

import torch

from .avatars import render_batch
from .contract import load_generator_file, seeded_latent
from .fidelity import fidelity
from .identity import LOOK_DIMS
from .masks import BACKGROUND_MIN, figure_mask, to_uint8  # noqa: F401 (part of this module's figures)
from .identity_figure import HELD_OUT_SEED, PARTS, character_colours, identity_poses, identity_score, part_colours  # noqa: F401
from .poses import NAMES as KEYPOINT_NAMES, load_pose_frames

DEFAULT_POSE_FILES = ["mocap-front.json", "mocap-side.json", "mocap-three-quarter.json"]


# ---------------------------------------------------------------- pure figures on image tensors

def keypoint_hits(img: torch.Tensor, kp: torch.Tensor) -> tuple[int, int]:
    """(visible keypoints that land on the figure, visible keypoints) over a batch."""
    on, vis = keypoint_hits_per_joint(img, kp)
    return int(on.sum()), int(vis.sum())


def keypoint_hits_per_joint(img: torch.Tensor, kp: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per keypoint index ``[K]``: (visible keypoints on the figure, visible keypoints) over a batch."""
    mask = figure_mask(img)
    # 3x3 dilation: a keypoint counts when any pixel of its 3x3 block is figure.
    near = torch.nn.functional.max_pool2d(mask.float()[:, None], 3, stride=1, padding=1)[:, 0] > 0
    res = img.shape[-1]
    x, y = torch.floor(kp[..., 0]).long(), torch.floor(kp[..., 1]).long()
    vis = (kp[..., 2] > 0) & (x >= 0) & (x < res) & (y >= 0) & (y < res)
    b = torch.arange(kp.shape[0])[:, None].expand_as(x)
    on = near[b, y.clamp(0, res - 1), x.clamp(0, res - 1)] & vis
    return on.sum(0), vis.sum(0)


def silhouette_iou(a: torch.Tensor, b: torch.Tensor) -> float:
    """Mean over the batch of IoU(figure mask of a, figure mask of b); an empty union scores 0."""
    ma, mb = figure_mask(a), figure_mask(b)
    inter = (ma & mb).flatten(1).sum(1).float()
    union = (ma | mb).flatten(1).sum(1).float()
    iou = torch.where(union > 0, inter / union.clamp(min=1), torch.zeros_like(union))
    return float(iou.mean())


def frame_changes(frames: torch.Tensor) -> torch.Tensor:
    """Mean absolute change (RGB in [0, 1], from the quantised frames) between consecutive frames ``[T-1]``."""
    q = to_uint8(frames).float() / 255
    return (q[1:] - q[:-1]).abs().flatten(1).mean(1)


def pair_distance(a: torch.Tensor, b: torch.Tensor) -> float:
    """Mean absolute difference (RGB in [0, 1]) inside the union of the two figure masks (0 if empty)."""
    union = figure_mask(a[None])[0] | figure_mask(b[None])[0]
    if not union.any():
        return 0.0
    qa, qb = to_uint8(a).float() / 255, to_uint8(b).float() / 255
    return float((qa - qb).abs()[:, union].mean())


def mean_pair_distance(grid: torch.Tensor) -> tuple[float, int]:
    """For images ``[seeds, poses, 3, R, R]``: the mean ``pair_distance`` between every two seeds in
    the same pose, and the number of such pairs (0.0 and 0 for a single seed)."""
    dists = [pair_distance(grid[i, p], grid[j, p]) for p in range(grid.shape[1])
             for i, j in itertools.combinations(range(grid.shape[0]), 2)]
    return (sum(dists) / len(dists) if dists else 0.0), len(dists)


def smoothness_ratio(frames: torch.Tensor) -> float:
    """Largest step change / mean step change along a sequence (1 = even steps; 1 if nothing moves)."""
    d = frame_changes(frames)
    mean = float(d.mean())
    return float(d.max()) / mean if mean > 0 else 1.0


def slerp(a: torch.Tensor, b: torch.Tensor, t: float) -> torch.Tensor:
    """Spherical interpolation between latents a and b (linear if they are parallel)."""
    an, bn = a / a.norm(), b / b.norm()
    omega = math.acos(float((an * bn).sum().clamp(-1, 1)))
    if omega < 1e-6:
        return (1 - t) * a + t * b
    return (math.sin((1 - t) * omega) * a + math.sin(t * omega) * b) / math.sin(omega)


# ---------------------------------------------------------------- poses

def heldout_poses(count: int, resolution: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``count`` procedural held-out poses and the dataset renderer's images for them."""
    imgs, kps = [], []
    for i in range(count):
        im, kp = render_batch(HELD_OUT_SEED + i, 1, resolution)
        imgs.append(im)
        kps.append(kp)
    return torch.cat(imgs), torch.cat(kps)


def sequence_reference(path: str, frames: int, resolution: int, stride: int = 2,
                       character_seed: int = HELD_OUT_SEED) -> tuple[torch.Tensor, torch.Tensor]:
    """The first ``frames`` frames (every ``stride``-th) of a coco18 pose file drawn by the dataset
    renderer as one character (same seed each frame, so same look, mirroring and placement draw).
    The renderer fits each frame to the canvas, so the keypoints are its (refitted) ones."""
    seq = load_pose_frames([path], stride=stride)[:frames]
    if len(seq) < 2:
        raise ValueError(f"{path}: fewer than 2 usable frames")
    imgs, kps = [], []
    for f in seq:
        im, kp = render_batch(character_seed, 1, resolution, frames=f[None], frame_fraction=1.0)
        imgs.append(im)
        kps.append(kp)
    return torch.cat(imgs), torch.cat(kps)


# ---------------------------------------------------------------- the evaluation

GeneratorFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def _run(g: GeneratorFn, z: torch.Tensor, kp: torch.Tensor, device: str, batch: int = 16, coverage: bool = False) -> torch.Tensor:
    """The generator's images ``[B, 3, R, R]`` (with ``coverage``, a model's fourth channel too)."""
    out = []
    with torch.no_grad():
        for i in range(0, len(z), batch):
            y = g(z[i:i + batch].to(device), kp[i:i + batch].to(device)).float().cpu()
            out.append(y if coverage else y[:, :3])
    return torch.cat(out)


def evaluate(g, *, pose_count: int = 8, seeds: list[int] = (0, 1, 2, 3), pose_files: list[str] = (),
             sequence_frames: int = 16, still_frames: int = 8, interp_steps: int = 16,
             interp_seeds: tuple[int, int] = (0, 1), device: str = "cpu") -> dict:
    """Every figure for generator ``g`` (``g(z [B, L], kp [B, 18, 3]) -> [B, 3, R, R]`` in [-1, 1],
    with ``g.resolution`` and ``g.latent_dim``)."""
    res, dim = g.resolution, g.latent_dim
    seeds = list(seeds)
    if len(seeds) < 1:
        raise ValueError("need at least one seed")
    ref, kp = heldout_poses(pose_count, res)
    lat = {s: seeded_latent(s, dim) for s in set(seeds) | set(interp_seeds)}
    # Seeds x poses, seed-major.
    z = torch.stack([lat[s] for s in seeds for _ in range(pose_count)])
    kps = kp.repeat(len(seeds), 1, 1)
    gen = _run(g, z, kps, device)
    on, vis = keypoint_hits_per_joint(gen, kps)
    hits, visible = int(on.sum()), int(vis.sum())
    per_keypoint = {name: {"on_figure": int(on[k]), "visible": int(vis[k])}
                    for k, name in enumerate(KEYPOINT_NAMES[:kps.shape[1]])}
    out: dict = {"pose_consistency": {
        "keypoints_on_figure": hits / visible if visible else 0.0, "keypoints_visible": visible,
        "per_keypoint": per_keypoint,
        "silhouette_iou": silhouette_iou(gen, ref.repeat(len(seeds), 1, 1, 1)),
        "reference_keypoints_on_figure": (lambda h: h[0] / h[1] if h[1] else 0.0)(keypoint_hits(ref, kp)),
    }}
    # Identity: each seed's character across poses, against the renderer drawing its look.
    if dim >= LOOK_DIMS:
        # The renderer draws each look in the held-out poses once, for the identity and fidelity figures.
        looks = identity_poses(seeds, dim, res, pose_count, list(pose_files))
        model_c, renderer_c, drawn = character_colours(lambda z_, kp_: _run(g, z_, kp_, device), seeds, dim, res,
                                                       pose_count, list(pose_files), drawn=looks)
        model_id, ceiling = identity_score(model_c), identity_score(renderer_c)
        out["identity"] = {**model_id, "renderer": ceiling["identity"], "renderer_per_part": ceiling["per_part"],
                           "poses_per_character": model_c.shape[1]}
        # Fidelity (issue 28): the model against the renderer drawing the same looks in the same poses.
        dance = Path(__file__).resolve().parents[2] / "poses" / "dance.json"
        fed = list(pose_files) + ([str(dance)] if dance.exists() else [])
        out["fidelity"], model_images, renderer_images = fidelity(lambda z_, kp_: _run(g, z_, kp_, device, coverage=True), seeds, dim, res,
                                                                  pose_count, list(pose_files), fed, drawn=looks)
        out["_side_by_side"] = (model_images, renderer_images)
    else:
        out["identity"] = {"identity": None, "note": f"latent_dim {dim} < {LOOK_DIMS}: no look mapping"}
    # Diversity: pairwise distances between seeds, per pose.
    grid = gen.reshape(len(seeds), pose_count, *gen.shape[1:])
    mean, pairs = mean_pair_distance(grid)
    out["diversity"] = {"mean_pairwise_l1_in_union_mask": mean, "pairs": pairs}
    if dim >= LOOK_DIMS:
        # The renderer drawing each seed's own look in the procedural held-out poses (the identity
        # figure's drawings): how far apart the seeds' looks are.
        out["diversity"]["renderer"] = mean_pair_distance(drawn[:, :pose_count])[0]
    # Interpolation smoothness (first held-out pose).
    za, zb = lat[interp_seeds[0]], lat[interp_seeds[1]]
    zi = torch.stack([slerp(za, zb, k / interp_steps) for k in range(interp_steps + 1)])
    frames = _run(g, zi, kp[:1].expand(len(zi), -1, -1), device)
    steps = frame_changes(frames)
    out["_interpolation"] = frames
    out["diversity"]["interpolation"] = {"steps": interp_steps, "seeds": list(interp_seeds),
                                         "max_over_mean_step": smoothness_ratio(frames),
                                         "mean_step": float(steps.mean())}
    # Temporal stability.
    seqs = []
    for path in pose_files:
        r, k = sequence_reference(path, sequence_frames, res)
        f = _run(g, lat[seeds[0]].expand(len(k), -1), k, device)
        gen_change, ref_change = float(frame_changes(f).mean()), float(frame_changes(r).mean())
        seqs.append({"file": str(path), "frames": len(k), "generated_change": gen_change,
                     "reference_change": ref_change,
                     "ratio": gen_change / ref_change if ref_change > 0 else None})
    still = _run(g, lat[seeds[0]].expand(still_frames, -1), kp[:1].expand(still_frames, -1, -1), device)
    out["temporal"] = {"sequences": seqs,
                       "temporal_ratio": (sum(s["ratio"] for s in seqs) / len(seqs)
                                          if seqs and all(s["ratio"] is not None for s in seqs) else None),
                       "still_frames": still_frames, "still_max_change": float(frame_changes(still).max())}
    out["_grid"] = grid  # for the contact sheet; dropped from the JSON
    out["_reference"] = ref
    return out


def contact_sheet(grid: torch.Tensor, reference: torch.Tensor | None, path: str, cell: int = 96) -> None:
    """PNG: the dataset renderer's images on top (when given), then one row per seed; one column per
    pose. Cells are the frames enlarged by a whole factor (nearest neighbour) to about ``cell`` pixels."""
    from PIL import Image
    rows = grid if reference is None else torch.cat([reference[None], grid])  # [S (+ 1), P, 3, R, R]
    s, p, _, r, _ = rows.shape
    scale = max(1, round(cell / r))
    q = to_uint8(rows).to(torch.uint8).permute(0, 3, 1, 4, 2).reshape(s * r, p * r, 3)
    img = Image.fromarray(q.numpy())
    img.resize((p * r * scale, s * r * scale), Image.NEAREST).save(path)


def side_by_side(model: torch.Tensor, renderer: torch.Tensor, path: str, cell: int = 96, columns: int = 6,
                 pairs: int = 24) -> None:
    """PNG of renderer | model pairs (the renderer's drawing left, the model's right), ``columns``
    pairs a row, each image enlarged by a whole factor to about ``cell`` pixels; at most ``pairs``
    of them, evenly spaced over the poses and seeds."""
    from PIL import Image
    keep = torch.linspace(0, len(model) - 1, min(pairs, len(model))).round().long().unique()
    model, renderer = model[keep], renderer[keep]
    k = max(1, cell // model.shape[-1])
    res = model.shape[-1] * k
    n = len(model)
    rows = (n + columns - 1) // columns
    sheet = Image.new("RGB", (columns * (2 * res + 8), rows * (res + 8)), "white")
    for i in range(n):
        for j, img in enumerate((renderer[i], model[i])):
            pixels = to_uint8(img[None])[0].permute(1, 2, 0).byte().numpy()
            tile = Image.fromarray(pixels).resize((res, res), Image.NEAREST)
            sheet.paste(tile, ((i % columns) * (2 * res + 8) + j * res, (i // columns) * (res + 8)))
    sheet.save(path)


def sha256(path: str) -> str:
    """Hex SHA-256 of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def load_model(path: str, resolution: int | None = None):
    """The torch generator of a contract file, with clear errors."""
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"no model file at {path}")
    try:
        g = load_generator_file(str(p))
    except ValueError:
        raise
    except Exception as e:  # noqa: BLE001 - unreadable safetensors, missing tensors
        raise ValueError(f"{path}: not a readable psgan generator file ({e})") from None
    if resolution is not None and resolution != g.resolution:
        raise ValueError(f"{path}: model resolution is {g.resolution}, not the requested {resolution}")
    if (g.layout, g.keypoints) not in (("coco18", 18), ("coco18-limbs", 42)):
        raise ValueError(f"{path}: evaluation needs a coco18 or coco18-limbs model (fed COCO-18 keypoints), not {g.layout}/{g.keypoints}")
    return g.eval()


def table(r: dict) -> str:
    """The human summary."""
    pc, tm, dv = r["pose_consistency"], r["temporal"], r["diversity"]
    lines = [f"model      {r['inputs']['model']} ({r['inputs']['resolution']}px, sha256 {r['inputs']['sha256'][:12]})",
             f"{'figure':48} value",
             f"{'pose: keypoints on figure':48} {pc['keypoints_on_figure']:.3f}  (of {pc['keypoints_visible']}; renderer itself {pc['reference_keypoints_on_figure']:.3f})",
             f"{'pose: silhouette IoU vs renderer':48} {pc['silhouette_iou']:.3f}"]
    shares = sorted((c["on_figure"] / c["visible"], name) for name, c in pc.get("per_keypoint", {}).items()
                    if c["visible"])
    weak = [f"{name} {share:.2f}" for share, name in shares[:4] if share < 1]
    if weak:
        lines.append(f"{'pose: weakest keypoints':48} {', '.join(weak)}")
    fd = r.get("fidelity")
    if fd:
        def number(v, digits=3):
            return "n/a" if v is None else f"{v:.{digits}f}"
        lines += [f"{'fidelity: PSNR / SSIM vs renderer':48} {number(fd['psnr'], 2)} dB / {number(fd['ssim'])}",
                  f"{'fidelity: sharpness (model / renderer)':48} {number(fd['sharpness'])}",
                  f"{'fidelity: silhouette IoU':48} {number(fd['silhouette_iou'])}",
                  f"{'fidelity: limb coverage (refit / as psgan feeds)':48} {number(fd['limb_coverage'])} / {number(fd['limb_coverage_fed'])}"
                  f"  ({fd['limbs_counted']} / {fd['limbs_fed_counted']} limbs)"]
        if "alpha_iou" in fd:
            lines.append(f"{'fidelity: learned alpha IoU':48} {number(fd['alpha_iou'])}")
        parts = fd["identity_parts"]
        lines.append(f"{'fidelity: identity over ten parts':48} {number(parts['model']['identity'])}  (renderer {number(parts['renderer']['identity'])})")
    idn = r.get("identity", {})
    if idn.get("identity") is not None:
        parts = ", ".join(f"{k} {v:.2f}" for k, v in idn["per_part"].items())
        lines.append(f"{'identity: colour stability across poses':48} {idn['identity']:.3f}  (renderer {idn['renderer']:.3f}; {parts})")
    for s in tm["sequences"]:
        ratio = "n/a (pose does not move)" if s["ratio"] is None else f"{s['ratio']:.3f}"
        lines.append(f"{'temporal: ' + Path(s['file']).name + ' gen/ref change':48} {ratio}"
                     f"  ({s['generated_change']:.4f} / {s['reference_change']:.4f}, {s['frames']} frames)")
    if tm["temporal_ratio"] is not None:
        lines.append(f"{'temporal: mean ratio':48} {tm['temporal_ratio']:.3f}")
    lines += [f"{'temporal: still pose max change (' + str(tm['still_frames']) + ' frames)':48} {tm['still_max_change']:.6f}",
              f"{'diversity: mean pairwise L1 in union mask':48} {dv['mean_pairwise_l1_in_union_mask']:.4f}  ({dv['pairs']} pairs"
              + (f"; renderer drawing the seeds' looks {dv['renderer']:.4f})" if "renderer" in dv else ")"),
              f"{'diversity: interpolation max/mean step':48} {dv['interpolation']['max_over_mean_step']:.3f}"
              f"  (mean step {dv['interpolation']['mean_step']:.4f}, {dv['interpolation']['steps']} steps)"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """CLI entry point."""
    here = Path(__file__).resolve().parents[2] / "poses"
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", help="generator file (.safetensors, psgan-generator v1)")
    ap.add_argument("--json", help="write every figure and the exact inputs here")
    ap.add_argument("--sheet", help="write a contact sheet PNG (renderer row, then seeds x poses)")
    ap.add_argument("--cell", type=int, default=96, help="contact sheet cell size in pixels (default 96)")
    ap.add_argument("--strip", help="write the interpolation frames (seed 0 to 1) as one PNG row")
    ap.add_argument("--side-by-side", help="write renderer | model pairs for the held-out poses as one PNG (identity models)")
    ap.add_argument("--poses", nargs="*", help=f"coco18 pose files for the temporal figure (default: {', '.join(DEFAULT_POSE_FILES)})")
    ap.add_argument("--pose-count", type=int, default=8, help="held-out procedural poses (default 8)")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3], help="latent seeds (default 0 1 2 3)")
    ap.add_argument("--frames", type=int, default=16, help="frames per pose sequence (default 16)")
    ap.add_argument("--still-frames", type=int, default=8)
    ap.add_argument("--interp-steps", type=int, default=16)
    ap.add_argument("--resolution", type=int, help="refuse a model of any other resolution")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    a = ap.parse_args(argv)
    pose_files = a.poses if a.poses is not None else [str(here / f) for f in DEFAULT_POSE_FILES]
    try:
        if a.pose_count < 1 or a.frames < 2 or a.still_frames < 2 or a.interp_steps < 1:
            raise ValueError("need --pose-count >= 1, --frames >= 2, --still-frames >= 2, --interp-steps >= 1")
        for f in pose_files:
            if not Path(f).exists():
                raise FileNotFoundError(f"no pose file at {f}")
        g = load_model(a.model, a.resolution).to(a.device)
        torch.use_deterministic_algorithms(True, warn_only=True)
        r = evaluate(g, pose_count=a.pose_count, seeds=a.seeds, pose_files=pose_files, sequence_frames=a.frames,
                     still_frames=a.still_frames, interp_steps=a.interp_steps, device=a.device)
    except (ValueError, FileNotFoundError) as e:
        raise SystemExit(f"error: {e}")
    grid, ref, strip = r.pop("_grid"), r.pop("_reference"), r.pop("_interpolation")
    pairs = r.pop("_side_by_side", None)
    r["inputs"] = {"model": str(a.model), "sha256": sha256(a.model), "resolution": g.resolution,
                   "latent_dim": g.latent_dim, "procedural_pose_seeds": [HELD_OUT_SEED, HELD_OUT_SEED + a.pose_count - 1],
                   "pose_files": [str(f) for f in pose_files], "pose_file_sha256": [sha256(f) for f in pose_files],
                   "sequence_frames": a.frames, "sequence_stride": 2,
                   "latent_seeds": a.seeds, "interp_seeds": [0, 1], "still_frames": a.still_frames,
                   "background_min": BACKGROUND_MIN, "device": a.device, "torch": torch.__version__}
    print(table(r))
    if a.json:
        Path(a.json).write_text(json.dumps(r, indent=1) + "\n")
        print(f"wrote {a.json}")
    if a.sheet:
        contact_sheet(grid, ref, a.sheet, a.cell)
        print(f"wrote {a.sheet}")
    if a.strip:
        contact_sheet(strip[None], None, a.strip, a.cell)
        print(f"wrote {a.strip}")
    if a.side_by_side:
        if pairs is None:
            raise SystemExit("error: --side-by-side needs a model with the look mapping (latent_dim >= 29)")
        side_by_side(*pairs, a.side_by_side, a.cell)
        print(f"wrote {a.side_by_side}")


if __name__ == "__main__":
    main()
