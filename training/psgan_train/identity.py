"""The latent is the character: a fixed, documented mapping from a latent vector to a character's
look, so one latent can be drawn by the dataset renderer in any pose (identity-consistent training).

``looks_from_latent(z)`` reads the first ``LOOK_DIMS`` latent values through the normal CDF
(``u = Phi(z_i)``, uniform for the contract's normal latents) and maps them to the renderer's look:

==========  =====================================================================================
dims        look
==========  =====================================================================================
0, 23, 24   hair colour: red, green, blue each ``0.1 + 0.85 u`` (``linear_colour``)
1           skin tone, continuous along ``SKIN`` (light to dark)
2, 25, 26   top colour, the same way
3, 27, 28   bottom colour, the same way
4           shoes (along four ``CLOTH`` colours), 5 eyes (along ``EYES``)
6, 7        accessory colour (``CLOTH``), socks (three ``CLOTH`` colours)
8           hair style: short, long, twin tails, ponytail (quarters of ``u``)
9 ... 14    skirt (u < 0.5), shorts (u < 0.3), long sleeves (u < 0.5), socks (u < 0.5),
            ribbon (u < 0.5), scarf (u < 0.4)
15          hair length (1.6 + 1.6 u head radii)
16 ... 22   proportions: head, leg, arm, torso, shoulder, hip, limb thickness (the sampler's ranges)
==========  =====================================================================================

Colours and proportions are continuous in the latent, so a slerp between two seeds morphs smoothly;
garment and hair-style choices switch at their thresholds. The remaining latent values are free
for whatever the adversarial term wants (texture, shading detail).

The large colour areas (hair, top, bottom) are linear in ``u``, one latent value per channel,
rather than curves through a palette: the generator has to learn the mapping, and a curve that
turns at every palette colour is one it learns far more slowly (a 32x32 check in docs/training.md:
the torso's identity figure 0.13 with the palette curve, 0.42 with this, at the same step).
"""
from __future__ import annotations

import torch

from .avatars import CLOTH, EYES, FLAG_SHARES, HAIR_LENGTH, PROPORTIONS, SKIN, pose_figures, proportions_from, render_figures
from .poses import Figure

LOOK_DIMS = 29
# Which latent value names each of the renderer's flags and proportions (their ranges: avatars' tables).
FLAG_DIMS = {"skirt": 9, "shorts": 10, "long_sleeve": 11, "socks_on": 12, "ribbon": 13, "scarf": 14}
PROPORTION_DIMS = {"head": 16, "legs": 17, "arms": 18, "torso": 19, "shoulders": 20, "hips": 21, "limbs": 22}


def linear_colour(u: torch.Tensor) -> torch.Tensor:
    """Colours ``[n, 3]`` from ``u`` ``[n, 3]`` in [0, 1]: each channel ``0.1 + 0.85 u`` (no near-black,
    no pure white), so the colour is an affine function of the three latent values' CDFs."""
    return 0.1 + 0.85 * u.clamp(0, 1)


def palette_curve(palette: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """Colours ``[n, 3]`` at positions ``u`` in [0, 1] along the palette's rows, linearly between them."""
    t = u.clamp(0, 1) * (len(palette) - 1)
    i = t.floor().long().clamp(max=len(palette) - 2)
    w = (t - i.float())[:, None]
    return palette[i] * (1 - w) + palette[i + 1] * w


def looks_from_latent(z: torch.Tensor) -> tuple[dict, dict]:
    """The renderer's ``look`` and body ``proportions`` for latents ``z`` ``[n, L]`` (L >= LOOK_DIMS)."""
    if z.dim() != 2 or z.shape[1] < LOOK_DIMS:
        raise ValueError(f"need latents [n, >= {LOOK_DIMS}], got {tuple(z.shape)}")
    u = torch.special.ndtr(z[:, :LOOK_DIMS].float().cpu())
    look = {
        "hair": linear_colour(u[:, [0, 23, 24]]), "skin": palette_curve(SKIN, u[:, 1]),
        "top": linear_colour(u[:, [2, 25, 26]]), "bottom": linear_colour(u[:, [3, 27, 28]]),
        "shoes": palette_curve(CLOTH[[0, 1, 3, 9]], u[:, 4]), "eyes": palette_curve(EYES, u[:, 5]),
        "acc": palette_curve(CLOTH, u[:, 6]), "socks": palette_curve(CLOTH[[2, 3, 7]], u[:, 7]),
        "style": (u[:, 8] * 4).floor().long().clamp(0, 3),
        **{flag: u[:, FLAG_DIMS[flag]] < share for flag, share in FLAG_SHARES.items()},
        "hair_len": HAIR_LENGTH[0] + HAIR_LENGTH[1] * u[:, 15],
    }
    return look, proportions_from({name: u[:, dim] for name, dim in PROPORTION_DIMS.items()})


# The schema's names for the renderer's look and proportion keys, in latent order (docs/characters.md).
HAIR_STYLES = ["short", "long", "twin-tails", "ponytail"]
SCHEMA_FLAG_NAMES = {"long_sleeve": "long_sleeves", "socks_on": "socks"}


def _hex(colour: torch.Tensor) -> str:
    return "#" + "".join(f"{round(float(c) * 255):02x}" for c in colour)


def look_schema() -> dict:
    """The look mapping of ``looks_from_latent`` as data, for the model file's ``look`` metadata:
    which latent values name which attribute, and how (psgan reads it to set a look's latent
    values; ``docs/spec/psgan-model.md``). Every attribute reads ``u = Phi(z_i)`` of its ``dims``:

    - ``colour``: each channel ``offset + scale * u`` (one dim per channel, in 0..1);
    - ``palette``: ``u`` along the palette's colours, linearly between them;
    - ``choice``: ``choices[floor(u * len(choices))]``;
    - ``flag``: true when ``u < below``;
    - ``number``: ``offset + scale * u``.
    """
    def colour(name, dims):
        return {"name": name, "kind": "colour", "dims": dims, "offset": 0.1, "scale": 0.85}

    def palette(name, dim, rows):
        return {"name": name, "kind": "palette", "dims": [dim], "palette": [_hex(c) for c in rows]}

    def flag(name, dim, below):
        return {"name": name, "kind": "flag", "dims": [dim], "below": below}

    def number(name, dim, offset, scale):
        return {"name": name, "kind": "number", "dims": [dim], "offset": offset, "scale": scale}

    return {"version": 1, "look_dims": LOOK_DIMS, "attributes": [
        colour("hair", [0, 23, 24]), palette("skin", 1, SKIN), colour("top", [2, 25, 26]), colour("bottom", [3, 27, 28]),
        palette("shoes", 4, CLOTH[[0, 1, 3, 9]]), palette("eyes", 5, EYES), palette("accessory", 6, CLOTH),
        palette("socks_colour", 7, CLOTH[[2, 3, 7]]),
        {"name": "hair_style", "kind": "choice", "dims": [8], "choices": HAIR_STYLES},
        *[flag(SCHEMA_FLAG_NAMES.get(name, name), dim, FLAG_SHARES[name]) for name, dim in FLAG_DIMS.items()],
        number("hair_length", 15, *HAIR_LENGTH),
        *[number(name, dim, *PROPORTIONS[name]) for name, dim in PROPORTION_DIMS.items()],
    ]}


def render_latents(z: torch.Tensor, pose_seed: int, resolution: int, device: str | torch.device = "cpu",
                   frames: torch.Tensor | None = None, frame_fraction: float = 0.5,
                   figures: Figure | None = None, fed_fraction: float = 0.0, arm_fraction: float = 0.0,
                   alpha: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """The characters latents ``z`` name, drawn by the dataset renderer in poses from ``pose_seed``
    (procedural, or about ``frame_fraction`` of them from recorded ``frames``, placed and posed as
    ``avatars.pose_figures`` says for ``fed_fraction`` and ``arm_fraction``), or in the given
    ``figures``: images ``[n, 3, R, R]`` in [-1, 1] (``[n, 4, R, R]`` with the coverage, ``alpha``)
    and the keypoints the generator sees ``[n, 18, 3]``."""
    look, props = looks_from_latent(z)
    n = z.shape[0]
    if figures is None:
        figures = pose_figures(torch.Generator().manual_seed(int(pose_seed)), n, resolution, props, frames,
                               frame_fraction, fed_fraction, arm_fraction)
    img = render_figures(figures, look, props, resolution, device, alpha)
    return img, figures.conditioning
