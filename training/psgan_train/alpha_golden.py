"""Golden vectors for the contract's optional coverage channel (``toalpha``), made by this package's
torch generator (an implementation of the contract independent of psgan's):

    python3 -m psgan_train.alpha_golden --out ../Tests/Fixtures/golden/psgan-tiny-alpha

A random generator with ``alpha`` (R=32, L=16, K=18, channels 16/16/12/8, seeded), two cases (a
seeded latent in a pose; another seed with a missing and an off-canvas keypoint): ``model.safetensors``,
``cases.json`` (seed, latent, keypoints) and ``expected.safetensors`` (``case{i}.rgb`` ``[3, R, R]``
and ``case{i}.alpha`` ``[1, R, R]``, floats before quantisation).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch
from safetensors.torch import save_file

from .contract import seeded_latent
from .export import canonical_header
from .model import Generator


TINY_CHANNELS = {4: 16, 8: 16, 16: 12, 32: 8}


def write_tiny_model(out: Path, seed: int, keypoints: int = 18, layout: str = "coco18", coverage: bool = False) -> Generator:
    """A random tiny generator (R=32, L=16, ``TINY_CHANNELS``, every parameter N(0, 0.5) after
    ``torch.manual_seed(seed)``) written to ``out/model.safetensors``; returned as loaded back from
    the written tensors (as psgan reads the file), in eval mode."""
    torch.manual_seed(seed)
    g = Generator(32, 16, keypoints, TINY_CHANNELS, layout=layout, coverage=coverage)
    with torch.no_grad():
        for p in g.parameters():
            p.normal_(0, 0.5)
    g.freeze_dense_row_bias()
    g.eval()
    tensors = g.export_tensors()
    save_file(tensors, str(out / "model.safetensors"), metadata={"format": "psgan-generator", "version": "1",
                                                                 "config": json.dumps(g.config(), sort_keys=True)})
    canonical_header(out / "model.safetensors")
    check = Generator(32, 16, keypoints, TINY_CHANNELS, layout=layout, coverage=coverage)
    check.load_contract_tensors(tensors)
    return check.eval()


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    # The contract's model file loads back into a fresh generator exactly (as psgan reads it).
    check = write_tiny_model(out, 2026, coverage=True)
    cases, expected = [], {}
    gen = torch.Generator().manual_seed(5)
    for i, seed in enumerate([7, 11]):
        kp = torch.rand(18, 3, generator=gen) * torch.tensor([32.0, 32.0, 1.0])
        kp[:, 2] = 1.0
        if i == 1:
            kp[3, 2] = 0.0       # missing
            kp[5, 0] = 40.0      # off the canvas
        z = seeded_latent(seed, 16)
        with torch.no_grad():
            y = check(z[None], kp[None])[0]
        expected[f"case{i}.rgb"] = y[:3].contiguous()
        expected[f"case{i}.alpha"] = y[3:].contiguous()
        cases.append({"seed": seed, "latent": z.tolist(), "keypoints": kp.tolist()})
    (out / "cases.json").write_text(json.dumps(cases, indent=1) + "\n")
    save_file(expected, str(out / "expected.safetensors"))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
