#!/usr/bin/env python3
"""Convert a PyTorch upscaler checkpoint (.pth) to a safetensors file psgan can load.

Usage: python3 tools/convert_checkpoint.py IN.pth OUT.safetensors [--format srgan|srvgg] [--scale N]

Keeps the state_dict's key names unchanged (psgan reads them by name). Real-ESRGAN checkpoints
wrap the weights in 'params' or 'params_ema'; SRGAN's are a bare state_dict. Needs torch and
safetensors (pip install torch safetensors).
"""
import argparse
import hashlib

import torch
from safetensors.torch import save_file

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("input")
parser.add_argument("output")
parser.add_argument("--format", choices=["srgan", "srvgg"], help="default: guessed from the keys")
parser.add_argument("--scale", type=int, help="recorded in the metadata; psgan checks it against the tensors")
args = parser.parse_args()

checkpoint = torch.load(args.input, map_location="cpu", weights_only=True)
for wrapper in ("params_ema", "params", "state_dict"):
    if isinstance(checkpoint, dict) and wrapper in checkpoint:
        checkpoint = checkpoint[wrapper]
        break
state = {k.removeprefix("module."): v.detach().to(torch.float32).contiguous()
         for k, v in checkpoint.items() if torch.is_tensor(v) and v.is_floating_point()}

fmt = args.format or ("srgan" if "block1.0.weight" in state else "srvgg" if "body.0.weight" in state else None)
if fmt is None:
    raise SystemExit(f"{args.input}: neither SRGAN (block1.0.weight) nor SRVGGNetCompact (body.0.weight) keys")
with open(args.input, "rb") as f:
    digest = hashlib.sha256(f.read()).hexdigest()
metadata = {"format": "srgan-generator-2018" if fmt == "srgan" else "srvggnet-compact", "source_sha256": digest}
if args.scale:
    metadata["scale"] = str(args.scale)
save_file(state, args.output, metadata=metadata)
print(f"wrote {args.output}: {len(state)} tensors, format {metadata['format']}")
