"""The generator's reconstruction losses for the identity objective, as named terms.

``generator_terms`` returns each weighted term by name (``recon``, ``colour``, ``edge``,
``coverage``), so the trainer logs every one and their sum is the loss; the adversarial term is the
critic's and stays in ``train``.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


def multiscale_l1(fake: torch.Tensor, real: torch.Tensor, levels: int = 3) -> torch.Tensor:
    """L1 at full size and at 1/2 and 1/4 (average-pooled): the reconstruction term."""
    loss = (fake - real).abs().mean()
    for _ in range(levels - 1):
        if fake.shape[-1] < 8:
            break
        fake, real = F.avg_pool2d(fake, 2), F.avg_pool2d(real, 2)
        loss = loss + (fake - real).abs().mean()
    return loss


def colour_l1(fake: torch.Tensor, real: torch.Tensor, cells: int = 4) -> torch.Tensor:
    """L1 between the images averaged over a ``cells`` x ``cells`` grid: only the colour blocks
    remain, so the term asks for the look's colours whatever the outline's exact place."""
    return (F.adaptive_avg_pool2d(fake, cells) - F.adaptive_avg_pool2d(real, cells)).abs().mean()


def gradient_l1(fake: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
    """L1 between the images' horizontal and vertical differences of neighbouring pixels (the mean
    of the two): zero for the same edges, large for a blurred or missing one, which the
    average-pooled terms of ``multiscale_l1`` cannot see."""
    dx = (fake[..., :, 1:] - fake[..., :, :-1]) - (real[..., :, 1:] - real[..., :, :-1])
    dy = (fake[..., 1:, :] - fake[..., :-1, :]) - (real[..., 1:, :] - real[..., :-1, :])
    return (dx.abs().mean() + dy.abs().mean()) / 2


def generator_terms(fake: torch.Tensor, real: torch.Tensor, recon_weight: float, colour_weight: float = 0.0,
                    edge_weight: float = 0.0, coverage_weight: float = 0.0) -> dict[str, torch.Tensor]:
    """The weighted reconstruction terms of ``fake`` against ``real`` (``[B, 3 or 4, s, s]``; a
    fourth channel is the figure's coverage in [-1, 1], learned with ``coverage_weight`` x
    ``multiscale_l1`` on that channel alone). Terms with weight 0 are left out."""
    rgb_f, rgb_r = fake[:, :3], real[:, :3]
    terms = {"recon": recon_weight * multiscale_l1(rgb_f, rgb_r)}
    if colour_weight > 0:
        terms["colour"] = colour_weight * colour_l1(rgb_f, rgb_r)
    if edge_weight > 0:
        terms["edge"] = edge_weight * gradient_l1(rgb_f, rgb_r)
    if coverage_weight > 0 and fake.shape[1] == 4 and real.shape[1] == 4:
        terms["coverage"] = coverage_weight * multiscale_l1(fake[:, 3:], real[:, 3:])
    return terms
