"""Export a training checkpoint to the contract's generator file, and check it through psgan.

    python3 -m psgan_train.export runs/smoke/checkpoint.pt --out smoke.safetensors [--f16] [--psgan PATH]
        [--upscale NAME]

``--upscale`` stores the upscaler psgan applies to the model's frames when a render names none
(the config's ``upscale`` key: ``srgan-x2``, ``srgan-x4`` or ``anime-x4``).

The check runs the same seeded latent and pose through the torch generator and through
``psgan model eval``; their float outputs must agree to a relative L2 error under 1e-4 (F32) or
2e-2 (F16, whose rounded weights the torch side does not see). Without a psgan binary (``--psgan``,
``PSGAN_BIN``, ``.build/{debug,release}/psgan`` upward from here, or ``psgan`` on PATH) the check is
skipped with a message.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from .avatars import render_batch
from .checkpoint import load_checkpoint
from .config import TrainConfig
from .contract import seeded_latent
from .identity import LOOK_DIMS, look_schema
from .train import HISTORY_KEYS, build_models


def load_checkpoint_generator(path: str | Path, raw: bool = False):
    """The generator stored in a training checkpoint (clear errors for missing or foreign files):
    its smoothed generator (``generator_ema``) where it keeps one, unless ``raw``."""
    ck = load_checkpoint(path)
    cfg = TrainConfig(**ck["config"])
    g, _ = build_models(cfg)
    g.load_state_dict(ck["generator" if raw or "generator_ema" not in ck else "generator_ema"])
    g.eval()
    return g, ck


def train_summary(ck: dict) -> dict:
    """What an export records of the training behind it: steps, real images shown, the images of
    ``--extend`` among them, the schedule, data and loss changes made on the way, and the smaller run
    a grown run started from (``grown_from``; its steps are counted in ``steps``)."""
    state = ck.get("state", {})
    batch = ck["config"].get("batch_size", 0)
    out = {"steps": state.get("step", 0), "images_shown": state.get("step", 0) * batch}
    for key in HISTORY_KEYS:
        if key in state:
            out[key] = state[key]
    return out


def export(g, out: str | Path, f16: bool = False, extra: dict | None = None, look: dict | None = None) -> None:
    """Write the contract's safetensors file for generator ``g``, byte for byte the same for the same
    weights (see ``canonical_header``), through a temporary file renamed into place."""
    tensors = g.export_tensors()
    if f16:
        tensors = {k: v.half() for k, v in tensors.items()}
    config = g.config()
    config.update(extra or {})
    out = Path(out)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        metadata = {"format": "psgan-generator", "version": "1", "config": json.dumps(config, sort_keys=True)}
        if look is not None:
            metadata["look"] = json.dumps(look, sort_keys=True)
        save_file(tensors, str(tmp), metadata=metadata)
        canonical_header(tmp)
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o666 & ~umask)  # an ordinary file's mode (the temporary file is private)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)


def add_look(path: str | Path) -> None:
    """Write the look schema (``identity.look_schema``) into an existing identity-objective model
    file's metadata, its tensors untouched (for models exported before files carried it)."""
    path = Path(path)
    raw = path.read_bytes()
    length = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + length])
    meta = header.get("__metadata__", {})
    if meta.get("format") != "psgan-generator":
        raise ValueError(f"{path}: not a psgan generator file")
    if json.loads(meta["config"])["latent_dim"] < LOOK_DIMS:
        raise ValueError(f"{path}: its latent is smaller than the look mapping's {LOOK_DIMS} values")
    meta["look"] = json.dumps(look_schema(), sort_keys=True)
    header["__metadata__"] = meta
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
        text += b" " * (-len(text) % 8)
        tmp.write_bytes(len(text).to_bytes(8, "little") + text + raw[8 + length:])
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def canonical_header(path: Path) -> None:
    """Rewrite a safetensors file's JSON header with sorted keys (tensors and ``__metadata__``).

    ``safetensors`` writes the metadata keys in hash-map order, which changes from run to run, so
    two exports of one checkpoint could differ in their sha256. The data section is kept as is
    (every entry keeps its offsets); the header is padded with spaces to a multiple of 8 bytes, as
    the format recommends.
    """
    raw = path.read_bytes()
    length = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + length])
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(len(text).to_bytes(8, "little") + text + raw[8 + length:])


def find_psgan(explicit: str | None = None) -> str | None:
    """A psgan binary: explicit, $PSGAN_BIN, a SwiftPM build dir above this file, or PATH."""
    for cand in (explicit, os.environ.get("PSGAN_BIN")):
        if cand:
            if not Path(cand).exists():
                raise FileNotFoundError(f"psgan binary not found at {cand}")
            return cand
    for parent in Path(__file__).resolve().parents:
        for kind in ("debug", "release"):
            p = parent / ".build" / kind / "psgan"
            if p.exists():
                return str(p)
    return shutil.which("psgan")


def check_with_psgan(g, model_file: str | Path, psgan: str, seed: int = 7, pose_seed: int = 3) -> float:
    """Relative L2 error between torch and ``psgan model eval`` for one seeded latent and a dataset pose
    (colour and, for a model with the coverage channel, coverage)."""
    _, kp = render_batch(pose_seed, 1, g.resolution)
    kp[0, 5, 2] = 0.0  # one missing keypoint too
    z = seeded_latent(seed, g.latent_dim)
    with torch.no_grad():
        ref = g(z[None], kp)[0]
    with tempfile.TemporaryDirectory() as tmp:
        kp_file, out = Path(tmp) / "kp.json", Path(tmp) / "out.safetensors"
        kp_file.write_text(json.dumps(kp[0].tolist()))
        subprocess.run([psgan, "model", "eval", "--model", str(model_file), "--latent-seed", str(seed),
                        "--keypoints", str(kp_file), "--out", str(out)], check=True, capture_output=True, text=True)
        written = load_file(str(out))
        got = torch.cat([written["rgb"], written["alpha"]]) if "alpha" in written else written["rgb"]
    # A model with a coverage channel: psgan writes it as `alpha`, checked with the colour.
    return ((got - ref).norm() / ref.norm()).item()


def main(argv: list[str] | None = None) -> None:
    """CLI entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint", nargs="?")
    ap.add_argument("--add-look", metavar="MODEL",
                    help="write the look schema into an existing identity model file (no checkpoint needed)")
    ap.add_argument("--out", help="generator file to write (.safetensors)")
    ap.add_argument("--f16", action="store_true", help="store F16 tensors (half the size)")
    ap.add_argument("--psgan", help="psgan binary for the check")
    ap.add_argument("--no-check", action="store_true", help="skip the psgan check")
    ap.add_argument("--upscale", choices=["srgan-x2", "srgan-x4", "anime-x4"],
                    help="upscaler psgan applies by default to this model's frames")
    ap.add_argument("--raw", action="store_true",
                    help="export the trained generator, not its moving average (generator_ema)")
    a = ap.parse_args(argv)
    if a.add_look:
        try:
            add_look(a.add_look)
        except (ValueError, FileNotFoundError, KeyError) as e:
            raise SystemExit(f"error: {e}")
        print(f"wrote the look schema into {a.add_look}")
        return
    if not a.checkpoint or not a.out:
        ap.error("give a checkpoint and --out (or --add-look MODEL)")
    try:
        g, ck = load_checkpoint_generator(a.checkpoint, a.raw)
        extra = {"trained_by": "psgan_train", "train_state": train_summary(ck)}
        if "generator_ema" in ck and not a.raw:
            extra["ema_beta"] = ck["config"]["ema_beta"]
        if a.upscale:
            extra["upscale"] = a.upscale
        # Identity-objective models name a look with their first latent values: the file says how.
        look = look_schema() if ck["config"].get("objective") == "identity" else None
        export(g, a.out, a.f16, extra, look)
        print(f"wrote {a.out}")
        if a.no_check:
            return
        psgan = find_psgan(a.psgan)
        if psgan is None:
            print("check skipped: no psgan binary (build with `swift build`, or pass --psgan)")
            return
    except (ValueError, FileNotFoundError) as e:
        raise SystemExit(f"error: {e}")
    err = check_with_psgan(g, a.out, psgan)
    limit = 2e-2 if a.f16 else 1e-4
    print(f"check: torch vs {psgan}: relative L2 error {err:.3e} (limit {limit:.0e})")
    if not err < limit:
        raise SystemExit("error: export check failed")


if __name__ == "__main__":
    main()
