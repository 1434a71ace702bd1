"""Give a finished generator a coverage channel (``toalpha``) fitted to the dataset renderer's figure:

    python3 -m psgan_train.fit_alpha ../samples/psgan-identity-128.safetensors --out ../samples/psgan-default-alpha.safetensors

The generator's weights stay as they are; the new 1x1 projection of its final features is the least
squares fit (in closed form) of the renderer's figure mask (+1 figure, -1 background, ``masks.figure_mask``)
over ``--images`` drawings of random looks in training-distribution poses (procedural and recorded,
pose seeds far from ``evaluate``'s held-out ones). Only for models with the look mapping (the
renderer must draw the look the latent names). Prints the learned-alpha IoU on ``evaluate``'s held-out
poses.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from .contract import load_generator_file
from .export import canonical_header
from .identity import LOOK_DIMS, render_latents
from .masks import figure_mask
from .model import Generator


def fit(g: Generator, images: int, seed: int = 5, batch: int = 32) -> tuple[torch.Tensor, torch.Tensor]:
    """The least squares ``toalpha`` weight ``[1, C, 1, 1]`` and bias ``[1]``."""
    gen = torch.Generator().manual_seed(seed)
    c = g.channels[g.resolution]
    xtx, xty = torch.zeros(c + 1, c + 1, dtype=torch.float64), torch.zeros(c + 1, dtype=torch.float64)
    done = 0
    while done < images:
        n = min(batch, images - done)
        z = torch.randn(n, g.latent_dim, generator=gen)
        img, kp = render_latents(z, pose_seed=7_000_000 + done, resolution=g.resolution)
        target = figure_mask(img).double() * 2 - 1
        with torch.no_grad():
            x = g.features(z, kp).double()
        rows = torch.cat([x.permute(0, 2, 3, 1).reshape(-1, c), torch.ones(n * g.resolution ** 2, 1, dtype=torch.float64)], 1)
        xtx += rows.T @ rows
        xty += rows.T @ target.reshape(-1)
        done += n
    solution = torch.linalg.solve(xtx + 1e-6 * torch.eye(c + 1, dtype=torch.float64), xty)
    return solution[:c].float().reshape(1, c, 1, 1), solution[c:].float()


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("--out", required=True)
    ap.add_argument("--images", type=int, default=512)
    a = ap.parse_args(argv)
    g = load_generator_file(a.model).eval()
    if g.latent_dim < LOOK_DIMS:
        raise SystemExit(f"error: {a.model}: no look mapping (latent {g.latent_dim} < {LOOK_DIMS})")
    weight, bias = fit(g, a.images)
    from safetensors import safe_open
    from safetensors.torch import save_file
    with safe_open(a.model, framework="pt") as f:
        meta = dict(f.metadata())
        tensors = {k: f.get_tensor(k) for k in f.keys()}
    dtype = tensors["torgb.weight"].dtype
    tensors["toalpha.weight"], tensors["toalpha.bias"] = weight.to(dtype).contiguous(), bias.to(dtype).contiguous()
    config = json.loads(meta["config"])
    config["alpha"] = True
    config.setdefault("train_state", {})["alpha_fit"] = {"images": a.images, "method": "least squares on the renderer's figure mask"}
    meta["config"] = json.dumps(config, sort_keys=True)
    out = Path(a.out)
    tmp = out.with_name(f".{out.name}.tmp")
    save_file(tensors, str(tmp), metadata=meta)
    canonical_header(tmp)
    tmp.chmod(0o644)
    tmp.replace(out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
