"""Start a training run from a finished generator file (``train --init-from MODEL``).

A model file (``docs/spec/psgan-model.md``) keeps the final network with its equalized-LR scale
folded in; the trainer stores unit-scale weights, so each layer's weight is divided by the trainer's
scale for it. The run's config may give wider layers than the file (``channels``) at any scale above
4x4, by a whole factor: each stored channel is copied that many times and the layers reading it take
``1 / factor`` of its weights, which leaves the network's output exactly as it was (pixel norm sees
each value repeated, so its mean square is unchanged). A little noise on the copies' incoming
weights (``noise``) lets them learn apart. A ``coco18`` file may start a ``coco18-limbs`` run: the
derived limb points' pose maps join with zero weights, so the output is again unchanged.
"""
from __future__ import annotations

import hashlib
import json

import torch

from .contract import load_generator_file
from .model import EqConv, Generator


def _widen(layer: EqConv, weight: torch.Tensor, bias: torch.Tensor, in_features: int, features_factor: int,
           gen: torch.Generator, noise: float) -> None:
    """Set trainer ``layer`` from a stored (folded) ``weight [co, ci, k, k]`` and ``bias``: output
    channels repeated up to the layer's width, the first ``in_features`` inputs (the previous
    features, widened ``features_factor`` times) repeated and divided by it, the remaining inputs
    (pose maps) as they are; noise on the copies of each output channel beyond the first."""
    co, ci = layer.weight.shape[:2]
    src_co = weight.shape[0]
    feats, maps = weight[:, :in_features], weight[:, in_features:]
    # More pose maps than the file (``coco18`` to ``coco18-limbs``): the new ones start at zero weight.
    extra = ci - in_features * features_factor - maps.shape[1]
    if extra > 0:
        maps = torch.cat([maps, torch.zeros(src_co, extra, *maps.shape[2:])], 1)
    wide_in = torch.cat([feats.repeat(1, features_factor, 1, 1) / features_factor, maps], 1)
    if wide_in.shape[1] != ci:
        raise ValueError(f"input channels {wide_in.shape[1]} do not fit the layer's {ci}")
    wide = wide_in.repeat(co // src_co, 1, 1, 1) / layer.scale
    if co > src_co and noise > 0:
        wide[src_co:] += noise * torch.randn(wide[src_co:].shape, generator=gen)
    with torch.no_grad():
        layer.weight.copy_(wide)
        layer.bias.copy_(bias.repeat(co // src_co))


def init_from_model(g: Generator, path: str, noise: float = 0.02, seed: int = 0) -> dict:
    """Load the generator file at ``path`` into the trainer's ``g`` (widened where ``g`` is wider);
    returns what the run's state records (``initialised_from``). ValueError naming the file when the
    two do not fit (resolution, latent size, keypoints, a narrower or not whole-factor wider layer)."""
    src = load_generator_file(path)
    for key in ("resolution", "latent_dim"):
        if getattr(src, key) != getattr(g, key):
            raise ValueError(f"{path}: {key} {getattr(src, key)} does not match the config's {getattr(g, key)}")
    limbs_added = (src.layout, g.layout) == ("coco18", "coco18-limbs")
    if (src.layout, src.keypoints) != (g.layout, g.keypoints) and not limbs_added:
        raise ValueError(f"{path}: keypoints {src.keypoints} ({src.layout}) do not match the config's "
                         f"{g.keypoints} ({g.layout}); only coco18 may grow into coco18-limbs")
    factor = {}
    for s, c in g.channels.items():
        have = src.channels[s]
        if c < have or c % have or (s == 4 and c != have):
            raise ValueError(f"{path}: {have} channels at {s}px cannot become the config's {c} "
                             "(the same, or a whole multiple above 4x4)")
        factor[s] = c // have
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        g.dense.weight.copy_(src.dense.weight / g.dense.scale)
        g.dense.bias.zero_()
        g.dense_bias.copy_(src.dense_bias)
    _widen(g.b4, src.b4.weight, src.b4.bias, src.channels[4], 1, gen, noise)
    for i, s in enumerate(g.scales[1:]):
        _widen(g.conv0[i], src.conv0[i].weight, src.conv0[i].bias, src.channels[s // 2], factor[s // 2], gen, noise)
        _widen(g.conv1[i], src.conv1[i].weight, src.conv1[i].bias, src.channels[s], factor[s], gen, noise)
    top = g.resolution
    _widen(g.torgb[g.max_level], src.torgb[src.max_level].weight, src.torgb[src.max_level].bias,
           src.channels[top], factor[top], gen, 0.0)
    if g.coverage:
        if src.coverage:
            _widen(g.toalpha[g.max_level], src.toalpha[src.max_level].weight, src.toalpha[src.max_level].bias,
                   src.channels[top], factor[top], gen, 0.0)
        else:  # no coverage yet: start from "all figure" nowhere in particular (trained from zero)
            with torch.no_grad():
                g.toalpha[g.max_level].weight.zero_(); g.toalpha[g.max_level].bias.zero_()
    from safetensors import safe_open
    with safe_open(path, framework="pt") as f:
        meta = f.metadata() or {}
    sha = hashlib.sha256(open(path, "rb").read()).hexdigest()
    config = json.loads(meta.get("config", "{}"))
    return {"model": str(path), "sha256": sha, "channels": {str(s): c for s, c in src.channels.items()},
            "widened": {str(s): f for s, f in factor.items() if f > 1}, "train_state": config.get("train_state")}
