"""Contract helpers: seeded latents (SplitMix64 + Box-Muller) and loading generator files."""
from __future__ import annotations

import json
import math

import torch
from safetensors import safe_open

from .model import Generator

_MASK = (1 << 64) - 1


def seeded_latent(seed: int, dimension: int) -> torch.Tensor:
    """The contract's ``seed -> z``: SplitMix64 pairs through Box-Muller, float32."""
    state = seed & _MASK

    def nxt() -> int:
        nonlocal state
        state = (state + 0x9E3779B97F4A7C15) & _MASK
        r = state
        r = ((r ^ (r >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        r = ((r ^ (r >> 27)) * 0x94D049BB133111EB) & _MASK
        return r ^ (r >> 31)

    z = []
    while len(z) < dimension:
        u1 = (nxt() >> 11) * 2.0 ** -53
        u2 = (nxt() >> 11) * 2.0 ** -53
        rho = math.sqrt(-2.0 * math.log(1.0 - u1))
        z += [rho * math.cos(2 * math.pi * u2), rho * math.sin(2 * math.pi * u2)]
    return torch.tensor(z[:dimension], dtype=torch.float32)


def load_generator_file(path: str) -> Generator:
    """A torch Generator holding a contract file's weights as stored (no equalized-LR scaling)."""
    with safe_open(path, framework="pt") as f:
        meta = f.metadata() or {}
        if meta.get("format") != "psgan-generator" or meta.get("version") != "1":
            raise ValueError(f"{path}: not a psgan-generator v1 file (metadata {meta})")
        config = json.loads(meta["config"])
        tensors = {k: f.get_tensor(k).float() for k in f.keys()}
    g = Generator(config["resolution"], config["latent_dim"], config["keypoints"],
                  {int(s): c for s, c in config["channels"].items()}, config.get("layout", "coco18"),
                  coverage=bool(config.get("alpha", False)))
    g.load_contract_tensors(tensors)
    return g
