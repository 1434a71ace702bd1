"""Pack a training checkpoint into small F16 files that travel, and unpack them to resume.

    python3 -m psgan_train.portable pack runs/gpu128/checkpoint.pt DIR
    python3 -m psgan_train.portable unpack DIR runs/gpu128/checkpoint.pt

A full checkpoint (weights, Adam states, F32) of a 128x128 model is over 150 MB, more than a lent
machine sends back in one file. ``pack`` writes each network (``generator``, ``generator_ema``
when kept, ``discriminator``) as F16 to its own file, and the config, the schedule state and the
RNG state to ``state.pt``, and leaves out the optimiser states. ``unpack`` rebuilds a checkpoint
(F32 weights) that ``train --resume`` continues with fresh Adam states. Both write through a
temporary name.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import torch

from .checkpoint import load_checkpoint, save_atomic

NETWORKS = ("generator", "generator_ema", "discriminator")


def pack(checkpoint: str | Path, folder: str | Path) -> list[Path]:
    """Write the checkpoint's networks (F16) and state into ``folder``; returns the files written."""
    folder = Path(folder)
    ck = load_checkpoint(checkpoint)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in NETWORKS:
        if name in ck:
            half = {k: v.half() if v.is_floating_point() else v for k, v in ck[name].items()}
            save_atomic(half, folder / f"{name}.pt")
            written.append(folder / f"{name}.pt")
    save_atomic({"config": ck["config"], "state": ck["state"], "rng": ck["rng"]}, folder / "state.pt")
    written.append(folder / "state.pt")
    return written


def _load_part(path: Path) -> dict:
    """One file of a pack, as a dict (a clear error for anything else)."""
    try:
        part = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as e:  # noqa: BLE001 - any unpickling failure means "not a pack file"
        raise ValueError(f"{path}: not a packed checkpoint file ({e})") from None
    if not isinstance(part, dict):
        raise ValueError(f"{path}: not a packed checkpoint file (not a dict)")
    return part


def unpack(folder: str | Path, checkpoint: str | Path) -> None:
    """Rebuild a checkpoint (F32 weights, no optimiser states) from a packed ``folder``."""
    folder, checkpoint = Path(folder), Path(checkpoint)
    for needed in ("state.pt", "generator.pt", "discriminator.pt"):
        if not (folder / needed).exists():
            raise FileNotFoundError(f"{folder}: no {needed} (not a packed checkpoint)")
    ck = _load_part(folder / "state.pt")
    for name in NETWORKS:
        if (folder / f"{name}.pt").exists():
            sd = _load_part(folder / f"{name}.pt")
            ck[name] = {k: v.float() if v.is_floating_point() else v for k, v in sd.items()}
    checkpoint.parent.mkdir(parents=True, exist_ok=True)
    save_atomic(ck, checkpoint)


def main(argv: list[str] | None = None) -> None:
    """CLI entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pack", help="checkpoint -> folder of F16 files")
    p.add_argument("checkpoint"); p.add_argument("folder")
    u = sub.add_parser("unpack", help="folder -> checkpoint without optimiser states")
    u.add_argument("folder"); u.add_argument("checkpoint")
    a = ap.parse_args(argv)
    try:
        if a.command == "pack":
            for f in pack(a.checkpoint, a.folder):
                print(f"wrote {f} ({f.stat().st_size / 1e6:.1f} MB)")
        else:
            unpack(a.folder, a.checkpoint)
            print(f"wrote {a.checkpoint}")
    except (ValueError, FileNotFoundError) as e:
        raise SystemExit(f"error: {e}")


if __name__ == "__main__":
    main()
