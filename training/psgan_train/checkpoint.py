"""Reading and writing training checkpoints: one place for the checks and the atomic write."""
from __future__ import annotations

from pathlib import Path

import torch


def load_checkpoint(path: str | Path, map_location: str | torch.device = "cpu") -> dict:
    """A ``psgan_train`` checkpoint as a dict, with clear errors for a missing, unreadable or
    foreign file (FileNotFoundError, ValueError)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no checkpoint at {path}")
    try:
        ck = torch.load(path, map_location=map_location, weights_only=False)
    except Exception as e:  # noqa: BLE001 - any unpickling failure means "not a checkpoint"
        raise ValueError(f"{path}: not a training checkpoint ({e})") from None
    if not isinstance(ck, dict) or "generator" not in ck or "config" not in ck:
        raise ValueError(f"{path}: not a psgan_train checkpoint (no generator/config)")
    return ck


def save_atomic(obj, path: str | Path) -> None:
    """``torch.save`` through a temporary file renamed into place, so ``path`` is always whole."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    torch.save(obj, tmp)
    tmp.replace(path)


def load_shared(module: torch.nn.Module, weights: dict, source: str) -> None:
    """Copy ``weights`` (a smaller model's state dict) into the layers of ``module`` that share their
    names; every source tensor must have a place of the same shape (ValueError naming ``source``
    otherwise). The other layers keep their initial values."""
    own = module.state_dict()
    for name, t in weights.items():
        if name not in own or own[name].shape != t.shape:
            where = f"shape {tuple(own[name].shape)}" if name in own else "no such layer"
            raise ValueError(f"{source}: {name} {tuple(t.shape)} does not fit the grown model ({where}); "
                             "grow only between configs with the same latent size, keypoints and channel schedule")
    module.load_state_dict(weights, strict=False)
