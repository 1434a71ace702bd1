"""The figure mask the evaluation figures share: frames quantised as psgan writes them, and the
figure told from the near-white background connected to the border (see ``evaluate``)."""
from __future__ import annotations

import torch

BACKGROUND_MIN = 235  # a pixel is background when all channels >= this (0..255)


def to_uint8(img: torch.Tensor) -> torch.Tensor:
    """Images in [-1, 1] to 0..255 integers, as psgan quantises them."""
    return torch.round((img.float().clamp(-1, 1) + 1) / 2 * 255).to(torch.int32)


def figure_mask(img: torch.Tensor) -> torch.Tensor:
    """``[B, R, R]`` bool: True where the pixel is not background. Background is the near-white
    pixels (all channels >= BACKGROUND_MIN) 4-connected to the image border, so white parts enclosed
    by the figure's outline (eye whites, a white top) count as figure."""
    white = (to_uint8(img) >= BACKGROUND_MIN).all(1).float()[:, None]
    bg = torch.zeros_like(white)
    for edge in ((slice(None), 0), (slice(None), -1), (0, slice(None)), (-1, slice(None))):
        bg[(..., *edge)] = white[(..., *edge)]
    pool = torch.nn.functional.max_pool2d
    while True:
        before = bg
        for _ in range(32):  # 4-connected growth through white pixels
            bg = torch.maximum(pool(bg, (3, 1), 1, (1, 0)), pool(bg, (1, 3), 1, (0, 1))) * white
        if torch.equal(bg, before):
            return bg[:, 0] == 0
