"""The PSGAN generator (exactly the contract in docs/spec/psgan-model.md) and its critic.

Equalized learning rate: every conv/dense layer stores unit-normal weights and multiplies them at
run time by ``gain / sqrt(fan_in)`` (gain sqrt(2) for convs, sqrt(2)/4 for the 4x4 dense layer as
in Progressive GAN's G_paper, 1 for to-RGB layers). ``export`` folds that constant into the stored
weights, so the file needs no runtime scaling.

During progressive growing the generator runs up to ``level`` (4 * 2**level pixels) and, while
``alpha < 1``, fades in the newest block against the upsampled to-RGB of the previous scale.
Every scale has its own to-RGB layer for training; export keeps only the final one.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


def lrelu(x: torch.Tensor) -> torch.Tensor:
    """Leaky ReLU with slope 0.2."""
    return F.leaky_relu(x, 0.2)


def pixel_norm(x: torch.Tensor) -> torch.Tensor:
    """Normalise each pixel's channel vector to unit RMS (epsilon 1e-8)."""
    return x / torch.sqrt(torch.mean(x * x, dim=1, keepdim=True) + 1e-8)


def condition_maps(keypoints: torch.Tensor, resolution: int) -> list[torch.Tensor]:
    """Pose condition maps per the contract, finest first: [P_R, P_R/2, ..., P_4].

    ``keypoints``: ``[B, K, 3]`` (x, y, confidence) in R x R canvas pixels. P_R is -1 everywhere
    except +1 at ``(floor(y), floor(x))`` for each present, on-canvas keypoint; coarser maps are
    2x2 max pools of the next finer one.
    """
    b, k, _ = keypoints.shape
    x = torch.floor(keypoints[..., 0].double())
    y = torch.floor(keypoints[..., 1].double())
    ok = (keypoints[..., 2] > 0) & (x >= 0) & (x < resolution) & (y >= 0) & (y < resolution)
    maps = torch.full((b * k, resolution * resolution), -1.0, device=keypoints.device)
    index = (y.clamp(0, resolution - 1) * resolution + x.clamp(0, resolution - 1)).long().reshape(-1)
    rows = torch.arange(b * k, device=keypoints.device)
    okf = ok.reshape(-1)
    maps[rows[okf], index[okf]] = 1.0
    full = maps.reshape(b, k, resolution, resolution)
    out = [full]
    while out[-1].shape[-1] > 4:
        out.append(F.max_pool2d(out[-1], 2))
    return out


# The ``coco18-limbs`` layout: COCO-18's 18 keypoints, then three points on each limb segment (a
# quarter, half and three quarters of the way), segment by segment in this order, so that the
# finest pose maps show a limb as dots a few pixels apart instead of only its two ends.
LIMB_SEGMENTS = [(2, 3), (3, 4), (5, 6), (6, 7), (8, 9), (9, 10), (11, 12), (12, 13)]
LIMB_FRACTIONS = (0.25, 0.5, 0.75)
LAYOUT_KEYPOINTS = {"coco18": 18, "coco18-limbs": 18 + 3 * len(LIMB_SEGMENTS)}


def limb_points(keypoints: torch.Tensor) -> torch.Tensor:
    """The derived points of the ``coco18-limbs`` layout for COCO-18 ``keypoints`` ``[B, 18, 3]``:
    ``[B, 24, 3]``, point ``a + (b - a) * t`` computed in float64 (exact for float32 inputs, so any
    implementation floors it to the same pixel), present (confidence ``min(c_a, c_b)``) when both
    ends are."""
    k = keypoints.double()
    out = []
    for a, b in LIMB_SEGMENTS:
        pa, pb = k[:, a], k[:, b]
        present = (pa[:, 2] > 0) & (pb[:, 2] > 0)
        for t in LIMB_FRACTIONS:
            xy = pa[:, :2] + (pb[:, :2] - pa[:, :2]) * t
            c = torch.where(present, torch.minimum(pa[:, 2], pb[:, 2]), torch.zeros_like(pa[:, 2]))
            out.append(torch.cat([xy, c[:, None]], 1))
    return torch.stack(out, 1)


def condition_keypoints(keypoints: torch.Tensor, layout: str) -> torch.Tensor:
    """The keypoints the pose maps are drawn from: ``keypoints`` as given, with the derived limb
    points appended (float64) for ``coco18-limbs``."""
    if layout != "coco18-limbs" or keypoints.shape[1] != 18:
        return keypoints
    return torch.cat([keypoints.double(), limb_points(keypoints)], 1)


class EqConv(nn.Module):
    """Conv2d with equalized learning rate: unit-normal weights scaled by gain/sqrt(fan_in)."""

    def __init__(self, cin: int, cout: int, kernel: int, gain: float = math.sqrt(2)):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(cout, cin, kernel, kernel))
        self.bias = nn.Parameter(torch.zeros(cout))
        self.scale = gain / math.sqrt(cin * kernel * kernel)
        self.pad = kernel // 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.weight * self.scale, self.bias, padding=self.pad)

    def folded(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The weight with the runtime scale folded in, and the bias."""
        return (self.weight * self.scale).detach(), self.bias.detach()


class EqDense(nn.Module):
    """Linear layer with equalized learning rate."""

    def __init__(self, cin: int, cout: int, gain: float):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(cout, cin))
        self.bias = nn.Parameter(torch.zeros(cout))
        self.scale = gain / math.sqrt(cin)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight * self.scale, self.bias)


def channel_schedule(resolution: int, base: int, maximum: int) -> dict[int, int]:
    """Progressive GAN channel counts: min(maximum, base / s * 4 ... ) halving as s doubles."""
    out, s = {}, 4
    while s <= resolution:
        out[s] = int(min(maximum, max(4, base * 4 // s)))
        s *= 2
    return out


class Generator(nn.Module):
    """PSGAN generator; ``forward(z, keypoints)`` at full size matches the contract exactly."""

    def __init__(self, resolution: int, latent_dim: int, keypoints: int, channels: dict[int, int],
                 layout: str = "coco18", coverage: bool = False):
        super().__init__()
        # ``coverage``: a fourth output, the figure's coverage (``toalpha`` beside ``torgb``, the
        # contract's optional ``alpha`` config key); ``forward`` then returns 4 channels.
        self.coverage = coverage
        self.resolution, self.latent_dim, self.keypoints, self.layout = resolution, latent_dim, keypoints, layout
        self.channels = {int(s): int(c) for s, c in channels.items()}
        self.scales = [4 * 2 ** i for i in range(int(math.log2(resolution)) - 1)]
        c4 = self.channels[4]
        self.dense = EqDense(latent_dim, c4 * 16, gain=math.sqrt(2) / 4)
        self.dense_bias = nn.Parameter(torch.zeros(c4))
        self.b4 = EqConv(c4 + keypoints, c4, 3)
        self.conv0 = nn.ModuleList()
        self.conv1 = nn.ModuleList()
        for s in self.scales[1:]:
            self.conv0.append(EqConv(self.channels[s // 2] + keypoints, self.channels[s], 3))
            self.conv1.append(EqConv(self.channels[s], self.channels[s], 3))
        self.torgb = nn.ModuleList(EqConv(self.channels[s], 3, 1, gain=1.0) for s in self.scales)
        if coverage:
            self.toalpha = nn.ModuleList(EqConv(self.channels[s], 1, 1, gain=1.0) for s in self.scales)

    @property
    def max_level(self) -> int:
        """Index of the final scale (0 is 4x4)."""
        return len(self.scales) - 1

    def config(self) -> dict:
        """The contract's ``config`` object."""
        config = {"resolution": self.resolution, "latent_dim": self.latent_dim, "keypoints": self.keypoints,
                  "layout": self.layout, "channels": {str(s): c for s, c in self.channels.items()}}
        if self.coverage:
            config["alpha"] = True
        return config

    def features(self, z: torch.Tensor, keypoints: torch.Tensor) -> torch.Tensor:
        """The final features ``[B, C(R), R, R]`` the ``torgb`` (and ``toalpha``) projections read."""
        maps = condition_maps(condition_keypoints(keypoints, self.layout), self.resolution)[::-1]
        z = z / torch.sqrt(torch.mean(z * z, dim=1, keepdim=True) + 1e-8)
        c4 = self.channels[4]
        x = self.dense(z).reshape(-1, c4, 4, 4) + self.dense_bias.reshape(1, c4, 1, 1)
        x = pixel_norm(lrelu(x))
        x = pixel_norm(lrelu(self.b4(torch.cat([x, maps[0]], 1))))
        for i in range(self.max_level):
            x = F.interpolate(x, scale_factor=2, mode="nearest")
            x = pixel_norm(lrelu(self.conv0[i](torch.cat([x, maps[i + 1]], 1))))
            x = pixel_norm(lrelu(self.conv1[i](x)))
        return x

    def forward(self, z: torch.Tensor, keypoints: torch.Tensor, level: int | None = None,
                alpha: float = 1.0) -> torch.Tensor:
        """RGB ``[B, 3, s, s]`` at scale ``4 * 2**level``; keypoints in full-resolution pixels."""
        level = self.max_level if level is None else level
        maps = condition_maps(condition_keypoints(keypoints, self.layout), self.resolution)[::-1]  # coarsest first
        z = z / torch.sqrt(torch.mean(z * z, dim=1, keepdim=True) + 1e-8)
        c4 = self.channels[4]
        x = self.dense(z).reshape(-1, c4, 4, 4) + self.dense_bias.reshape(1, c4, 1, 1)
        # The contract adds the dense bias per channel; EqDense's own per-row bias stays zero and is
        # not trained (see _dense_bias_frozen) so that export is exact.
        x = pixel_norm(lrelu(x))
        x = pixel_norm(lrelu(self.b4(torch.cat([x, maps[0]], 1))))
        previous = x
        for i in range(level):
            previous = x
            x = F.interpolate(x, scale_factor=2, mode="nearest")
            x = pixel_norm(lrelu(self.conv0[i](torch.cat([x, maps[i + 1]], 1))))
            x = pixel_norm(lrelu(self.conv1[i](x)))
        rgb = self.torgb[level](x)
        if self.coverage:
            rgb = torch.cat([rgb, self.toalpha[level](x)], 1)
        if level > 0 and alpha < 1.0:
            skip = self.torgb[level - 1](previous)
            if self.coverage:
                skip = torch.cat([skip, self.toalpha[level - 1](previous)], 1)
            rgb = alpha * rgb + (1 - alpha) * F.interpolate(skip, scale_factor=2, mode="nearest")
        return rgb

    def freeze_dense_row_bias(self) -> None:
        """Keep the dense layer's per-row bias at zero (the contract has one bias per channel)."""
        self.dense.bias.requires_grad_(False)
        with torch.no_grad():
            self.dense.bias.zero_()

    def export_tensors(self) -> dict[str, torch.Tensor]:
        """The contract's tensors, equalized-LR constants folded in, float32, contiguous."""
        t = {"dense.weight": (self.dense.weight * self.dense.scale).detach(),
             "dense.bias": self.dense_bias.detach()}
        t["b4.conv.weight"], t["b4.conv.bias"] = self.b4.folded()
        for i, s in enumerate(self.scales[1:]):
            t[f"b{s}.conv0.weight"], t[f"b{s}.conv0.bias"] = self.conv0[i].folded()
            t[f"b{s}.conv1.weight"], t[f"b{s}.conv1.bias"] = self.conv1[i].folded()
        t["torgb.weight"], t["torgb.bias"] = self.torgb[self.max_level].folded()
        if self.coverage:
            t["toalpha.weight"], t["toalpha.bias"] = self.toalpha[self.max_level].folded()
        return {k: v.float().contiguous().cpu() for k, v in t.items()}

    def load_contract_tensors(self, tensors: dict[str, torch.Tensor]) -> None:
        """Load a contract file's tensors as they are (no scaling): sets every layer's scale to 1."""
        with torch.no_grad():
            self.dense.weight.copy_(tensors["dense.weight"]); self.dense.scale = 1.0
            self.dense.bias.zero_()
            self.dense_bias.copy_(tensors["dense.bias"])
            layers = [("b4.conv", self.b4)] + [(f"b{s}.conv0", self.conv0[i]) for i, s in enumerate(self.scales[1:])] \
                + [(f"b{s}.conv1", self.conv1[i]) for i, s in enumerate(self.scales[1:])] \
                + [("torgb", self.torgb[self.max_level])] \
                + ([("toalpha", self.toalpha[self.max_level])] if self.coverage else [])
            for name, layer in layers:
                layer.weight.copy_(tensors[f"{name}.weight"]); layer.bias.copy_(tensors[f"{name}.bias"])
                layer.scale = 1.0


class Discriminator(nn.Module):
    """WGAN critic mirroring the generator: from-RGB, pose maps concatenated at every scale,
    minibatch standard deviation before the final 4x4 block."""

    def __init__(self, resolution: int, keypoints: int, channels: dict[int, int], layout: str = "coco18"):
        super().__init__()
        self.resolution, self.keypoints, self.layout = resolution, keypoints, layout
        self.channels = {int(s): int(c) for s, c in channels.items()}
        self.scales = [4 * 2 ** i for i in range(int(math.log2(resolution)) - 1)]
        self.fromrgb = nn.ModuleList(EqConv(3, self.channels[s], 1) for s in self.scales)
        self.conv0 = nn.ModuleList()
        self.conv1 = nn.ModuleList()
        for s in self.scales[1:]:
            self.conv0.append(EqConv(self.channels[s] + keypoints, self.channels[s], 3))
            self.conv1.append(EqConv(self.channels[s], self.channels[s // 2], 3))
        c4 = self.channels[4]
        self.final_conv = EqConv(c4 + keypoints + 1, c4, 3)
        self.final_dense = EqDense(c4 * 16, c4, gain=math.sqrt(2))
        self.out = EqDense(c4, 1, gain=1.0)

    def forward(self, rgb: torch.Tensor, keypoints: torch.Tensor, level: int, alpha: float = 1.0) -> torch.Tensor:
        """Critic scores ``[B]`` for images at scale ``4 * 2**level``."""
        maps = condition_maps(condition_keypoints(keypoints, self.layout), self.resolution)[::-1]
        x = lrelu(self.fromrgb[level](rgb))
        for i in range(level, 0, -1):
            x = lrelu(self.conv0[i - 1](torch.cat([x, maps[i]], 1)))
            x = lrelu(self.conv1[i - 1](x))
            x = F.avg_pool2d(x, 2)
            if i == level and alpha < 1.0:
                skip = lrelu(self.fromrgb[level - 1](F.avg_pool2d(rgb, 2)))
                x = alpha * x + (1 - alpha) * skip
        std = torch.sqrt(x.var(dim=0, unbiased=False) + 1e-8).mean()
        x = torch.cat([x, maps[0], std.expand(x.shape[0], 1, 4, 4)], 1)
        x = lrelu(self.final_conv(x))
        x = lrelu(self.final_dense(x.flatten(1)))
        return self.out(x).squeeze(1)
