"""Where training images come from: the dataset renderer (random looks, or each latent's own look
for the identity objective), or a folder of a studio's own images with OpenPose keypoints.

Every source returns batches ``(images [B, 3, R, R] in [-1, 1], keypoints [B, 18, 3], latents or
None)``; the latents are the ones the identity objective must draw the images from.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import torch

from .avatars import render_batch
from .checkpoint import save_atomic
from .config import TrainConfig
from .identity import render_latents
from .poses import load_pose_frames

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")


def load_folder(directory: str | Path, resolution: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A folder of images, each with an OpenPose ``NAME_keypoints.json`` beside it (the first
    person, 18 keypoints, COCO-18 order): images padded to square on white (centred) and resized to
    ``resolution``, keypoints moved and scaled with them. Raises ValueError naming the file for an
    image without keypoints, keypoints of another count, or an unreadable file."""
    from PIL import Image
    directory = Path(directory)
    if not directory.is_dir():
        raise ValueError(f"{directory}: not a folder")
    paths = sorted(p for p in directory.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not paths:
        raise ValueError(f"{directory}: no images ({', '.join(IMAGE_SUFFIXES)})")
    images, keypoints = [], []
    for path in paths:
        kp_path = path.with_name(path.stem + "_keypoints.json")
        if not kp_path.exists():
            raise ValueError(f"{path}: no keypoints file {kp_path.name} beside it")
        try:
            people = json.loads(kp_path.read_text()).get("people") or []
            values = people[0]["pose_keypoints_2d"] if people else None
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as e:
            raise ValueError(f"{kp_path}: not an OpenPose keypoints file ({e})") from None
        if not values or len(values) != 18 * 3:
            raise ValueError(f"{kp_path}: expected 18 keypoints of the first person (COCO-18), "
                             f"found {len(values or []) // 3}")
        try:
            im = Image.open(path).convert("RGB")
        except OSError as e:
            raise ValueError(f"{path}: cannot read the image ({e})") from None
        w, h = im.size
        side = max(w, h)
        square = Image.new("RGB", (side, side), (255, 255, 255))
        ox, oy = (side - w) // 2, (side - h) // 2
        square.paste(im, (ox, oy))
        square = square.resize((resolution, resolution), Image.LANCZOS)
        t = torch.frombuffer(bytearray(square.tobytes()), dtype=torch.uint8).reshape(resolution, resolution, 3)
        images.append(t.permute(2, 0, 1).float() / 127.5 - 1)
        kp = torch.tensor(values, dtype=torch.float32).reshape(18, 3)
        scale = resolution / side
        present = kp[:, 2] > 0
        kp[:, 0] = torch.where(present, (kp[:, 0] + ox) * scale, 0)
        kp[:, 1] = torch.where(present, (kp[:, 1] + oy) * scale, 0)
        keypoints.append(kp)
    return torch.stack(images), torch.stack(keypoints)


def _to_uint8(img: torch.Tensor) -> torch.Tensor:
    """[-1, 1] images as uint8 levels (psgan's quantisation), a quarter of float32's memory."""
    return ((img.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)


def _from_uint8(img: torch.Tensor) -> torch.Tensor:
    return img.float() / 127.5 - 1


def pool_key(cfg: TrainConfig) -> str:
    """What a rendered pool depends on, hashed: the same key is the same pool."""
    frames = [hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in cfg.pose_files]
    keys = {k: getattr(cfg, k) for k in ("resolution", "latent_dim", "seed", "dataset_pool", "objective",
                                         "pose_fraction", "fed_fraction", "arm_fraction", "coverage")}
    blob = json.dumps({**keys, "pose_files": frames, "version": 2}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


class DataSource:
    """Real images (and the identity objective's latents) at full resolution: a pool rendered (or
    loaded) once, or fresh renders per step. A rendered pool is held as uint8 (with the coverage as
    a fourth channel when the config trains one) and, with ``cache_dir``, kept there as
    ``pool-KEY.pt`` (``pool_key``) so that a resumed run does not render it again."""

    def __init__(self, cfg: TrainConfig, device: torch.device, log=print, cache_dir: Path | None = None):
        self.cfg, self.device = cfg, device
        self.pool = None
        self.frames = load_pose_frames(cfg.pose_files) if cfg.pose_files else None
        if self.frames is not None:
            log(f"{len(self.frames)} recorded pose frames from {len(cfg.pose_files)} file(s)")
        if cfg.data_dir:
            images, kps = load_folder(cfg.data_dir, cfg.resolution)
            log(f"{len(images)} images from {cfg.data_dir}")
            self.pool = (_to_uint8(images).to(device), kps.to(device), None)
        elif cfg.dataset_pool > 0:
            cache = Path(cache_dir) / f"pool-{pool_key(cfg)}.pt" if cache_dir is not None else None
            if cache is not None and cache.exists():
                stored = torch.load(cache, map_location=device)
                self.pool = (stored["images"], stored["keypoints"], stored["latents"])
                log(f"pool of {len(self.pool[0])} images from {cache}")
                return
            imgs, kps, zs = [], [], []
            chunk = 512 if device.type == "cuda" else 64
            for i in range(0, cfg.dataset_pool, chunk):
                n = min(chunk, cfg.dataset_pool - i)
                im, kp, z = self.render(cfg.seed * 1_000_003 + i, n)
                imgs.append(_to_uint8(im)); kps.append(kp.to(device))
                if z is not None:
                    zs.append(z.to(device))
            self.pool = (torch.cat(imgs), torch.cat(kps), torch.cat(zs) if zs else None)
            if cache is not None:
                save_atomic({"images": self.pool[0].cpu(), "keypoints": self.pool[1].cpu(),
                             "latents": None if self.pool[2] is None else self.pool[2].cpu()}, cache)

    def render(self, seed: int, n: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """``n`` fresh training images from ``seed``. For the identity objective each latent is
        drawn in two poses (consecutive rows), so batches see one character in several poses."""
        cfg = self.cfg
        if cfg.objective != "identity":
            im, kp = render_batch(seed, n, cfg.resolution, self.device, self.frames, cfg.pose_fraction)
            return im, kp, None
        g = torch.Generator().manual_seed(int(seed))
        z = torch.randn((n + 1) // 2, cfg.latent_dim, generator=g).repeat_interleave(2, 0)[:n]
        im, kp = render_latents(z, seed, cfg.resolution, self.device, self.frames, cfg.pose_fraction,
                                fed_fraction=cfg.fed_fraction, arm_fraction=cfg.arm_fraction, alpha=cfg.coverage)
        return im, kp, z

    def batch(self, step: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """Batch number ``step`` (deterministic): images ``[B, 3 or 4, R, R]`` in [-1, 1], keypoints,
        latents (identity objective) or None."""
        if self.pool is not None:
            idx = torch.randint(0, len(self.pool[0]), (self.cfg.batch_size,), generator=gen).to(self.device)
            z = self.pool[2][idx] if self.pool[2] is not None else None
            return _from_uint8(self.pool[0][idx]), self.pool[1][idx], z
        im, kp, z = self.render(self.cfg.seed * 1_000_003 + 7919 * (step + 1), self.cfg.batch_size)
        return im, kp.to(self.device), (z.to(self.device) if z is not None else None)
