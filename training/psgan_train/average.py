"""Weight averaging of two checkpoints of one run: a point between two trade-offs.

    python3 -m psgan_train.average A.pt B.pt --weight 0.5 --out C.pt

The generator and its moving average become ``(1 - w) A + w B`` tensor by tensor (integer tensors
and everything else, the critic, the optimisers, the state, the RNG, are B's), so a run fine-tuned
from A to B (say, reconstruction alone, then the critic) can be resumed or exported from a point
between them. Both must have the same config apart from the keys a ``--resume`` may change, and the
same tensors; ``state["weight_average"]`` records the two files, their steps and ``w``.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import torch

from .checkpoint import load_checkpoint
from .train import LOSS_KEYS, SCHEDULE_KEYS, config_changes, stored_config


def average(a: dict, b: dict, weight: float, names: tuple[str, str] = ("A", "B")) -> dict:
    """The checkpoint ``b`` with its generator (and moving average) replaced by ``(1 - weight) a + weight b``."""
    if not 0 <= weight <= 1:
        raise ValueError(f"weight must be in [0, 1], got {weight}")
    ca, cb = stored_config(a), stored_config(b)
    differ = [k for k in config_changes(ca, cb) if k not in LOSS_KEYS | SCHEDULE_KEYS]
    if differ:
        raise ValueError(f"{names[0]} and {names[1]} are not one run's checkpoints: their configs differ in {differ}")
    out = dict(b)
    for key in ("generator", "generator_ema"):
        if key not in b:
            continue
        if key not in a or set(a[key]) != set(b[key]) or any(a[key][k].shape != b[key][k].shape for k in b[key]):
            raise ValueError(f"{names[0]} and {names[1]} hold different {key} tensors")
        out[key] = {k: torch.lerp(a[key][k], b[key][k], weight) if b[key][k].is_floating_point() else b[key][k]
                    for k in b[key]}
    out["state"] = {**b["state"], "weight_average": {
        "first": names[0], "first_step": a["state"]["step"], "second": names[1], "second_step": b["state"]["step"],
        "weight_of_second": weight}}
    return out


def main(argv: list[str] | None = None) -> None:
    """CLI entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("first", type=Path)
    ap.add_argument("second", type=Path)
    ap.add_argument("--weight", type=float, default=0.5, help="the second checkpoint's share (default 0.5)")
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args(argv)
    try:
        ck = average(load_checkpoint(a.first, map_location="cpu"), load_checkpoint(a.second, map_location="cpu"),
                     a.weight, (str(a.first), str(a.second)))
    except (ValueError, FileNotFoundError) as e:
        raise SystemExit(f"error: {e}")
    tmp = a.out.with_name(a.out.name + ".tmp")
    torch.save(ck, tmp)
    tmp.replace(a.out)
    print(f"wrote {a.out}: {1 - a.weight:g} x {a.first} + {a.weight:g} x {a.second}")


if __name__ == "__main__":
    main()
