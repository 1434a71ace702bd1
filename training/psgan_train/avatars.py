"""Procedural anime-style characters drawn from exact COCO-18 keypoints.

Shapes are signed-distance fields (capsules, tapered capsules, ellipses, convex quads) evaluated
over the pixel grid for a whole batch at once with torch, painted back to front with flat cel
shading (a lit and a shadow tone, the lit part is the shape intersected with itself shifted toward
the light) and dark outlines on a white background. ``render_batch(seed, n, resolution)`` is
deterministic from its seed and runs on any torch device.
"""
from __future__ import annotations

import torch

from .poses import Figure, figures_as_fed, figures_from_frames, raise_arms, sample_figures

OUTLINE = torch.tensor([0.13, 0.10, 0.16])
HAIR = torch.tensor([[0.12, 0.10, 0.12], [0.40, 0.24, 0.14], [0.93, 0.80, 0.45], [0.96, 0.62, 0.74],
                     [0.38, 0.55, 0.90], [0.80, 0.82, 0.88], [0.78, 0.22, 0.20], [0.55, 0.38, 0.75],
                     [0.35, 0.70, 0.50], [0.98, 0.55, 0.25]])
SKIN = torch.tensor([[1.00, 0.89, 0.80], [0.98, 0.82, 0.70], [0.90, 0.70, 0.55], [0.72, 0.52, 0.38],
                     [0.52, 0.36, 0.26]])
CLOTH = torch.tensor([[0.90, 0.25, 0.30], [0.25, 0.40, 0.80], [0.95, 0.95, 0.95], [0.20, 0.20, 0.28],
                      [0.95, 0.75, 0.30], [0.45, 0.70, 0.45], [0.70, 0.45, 0.80], [0.95, 0.55, 0.65],
                      [0.35, 0.75, 0.85], [0.55, 0.35, 0.25], [0.85, 0.85, 0.60]])
EYES = torch.tensor([[0.25, 0.45, 0.85], [0.20, 0.60, 0.35], [0.55, 0.25, 0.15], [0.75, 0.20, 0.30],
                     [0.55, 0.30, 0.75], [0.85, 0.60, 0.15]])
LIGHT = torch.tensor([-0.6, -0.8])


# ---------------------------------------------------------------- signed distances, [B, H, W]

def sd_capsule(p: torch.Tensor, a: torch.Tensor, b: torch.Tensor, ra: torch.Tensor, rb: torch.Tensor) -> torch.Tensor:
    """Tapered capsule from a (radius ra) to b (radius rb); p is [H, W, 2], a/b [B, 2], radii [B]."""
    a, b = a[:, None, None], b[:, None, None]
    pa, ba = p[None] - a, b - a
    h = ((pa * ba).sum(-1) / (ba * ba).sum(-1).clamp(min=1e-6)).clamp(0, 1)
    return torch.linalg.vector_norm(pa - ba * h[..., None], dim=-1) - (ra[:, None, None] * (1 - h) + rb[:, None, None] * h)


def sd_ellipse(p: torch.Tensor, c: torch.Tensor, rx: torch.Tensor, ry: torch.Tensor) -> torch.Tensor:
    """Approximate ellipse distance (exact for circles)."""
    q = (p[None] - c[:, None, None]) / torch.stack([rx, ry], -1)[:, None, None]
    return (torch.linalg.vector_norm(q, dim=-1) - 1) * torch.minimum(rx, ry)[:, None, None]


def sd_quad(p: torch.Tensor, corners: torch.Tensor) -> torch.Tensor:
    """Convex quad (corners [B, 4, 2] in either winding): max of the edge half-plane distances."""
    centre = corners.mean(1)
    d = None
    for i in range(4):
        a, b = corners[:, i], corners[:, (i + 1) % 4]
        e = b - a
        nrm = torch.stack([e[:, 1], -e[:, 0]], -1) / torch.linalg.vector_norm(e, dim=-1, keepdim=True).clamp(min=1e-6)
        flip = torch.sign(((centre - a) * nrm).sum(-1, keepdim=True))
        nrm = -nrm * flip  # outward
        di = ((p[None] - a[:, None, None]) * nrm[:, None, None]).sum(-1)
        d = di if d is None else torch.maximum(d, di)
    return d


class Canvas:
    """A batch of RGB images being painted; ``paint`` fills a shape with outline and cel shading."""

    def __init__(self, n: int, resolution: int, device: torch.device):
        self.res = resolution
        coords = torch.arange(resolution, device=device, dtype=torch.float32) + 0.5
        yy, xx = torch.meshgrid(coords, coords, indexing="ij")
        self.p = torch.stack([xx, yy], -1)
        self.img = torch.ones(n, 3, resolution, resolution, device=device)
        # The figure's exact coverage: every paint covers ``cov`` of what lies under it.
        self.alpha = torch.zeros(n, 1, resolution, resolution, device=device)
        self.line = max(1.0, resolution / 170)

    def _put(self, cov: torch.Tensor, colour: torch.Tensor) -> None:
        cov = cov[:, None]
        self.img = self.img * (1 - cov) + colour[:, :, None, None] * cov
        self.alpha = self.alpha * (1 - cov) + cov

    def fill(self, pair: tuple, colour: torch.Tensor, **kw) -> None:
        """Paint a (sdf, light-shifted sdf) pair."""
        self.paint(pair[0], colour, pair[1], **kw)

    def paint(self, d: torch.Tensor, colour: torch.Tensor, shift: torch.Tensor | None = None,
              enabled: torch.Tensor | None = None, outline: bool = True) -> None:
        """Paint SDF ``d`` with ``colour`` [B, 3]; ``shift`` (the SDF moved toward the light) marks the lit part."""
        if enabled is not None:
            d = torch.where(enabled[:, None, None], d, torch.full_like(d, 1e4))
            if shift is not None:
                shift = torch.where(enabled[:, None, None], shift, torch.full_like(shift, 1e4))
        n = d.shape[0]
        if outline:
            self._put((0.5 - d).clamp(0, 1), OUTLINE.to(d).expand(n, 3))
            inner = d + self.line
        else:
            inner = d
        if shift is None:
            self._put((0.5 - inner).clamp(0, 1), colour)
        else:
            self._put((0.5 - inner).clamp(0, 1), colour * torch.tensor([0.78, 0.74, 0.86]).to(d))
            lit = torch.maximum(inner, shift + self.line)
            self._put((0.5 - lit).clamp(0, 1), colour)


def _pick(g: torch.Generator, table: torch.Tensor, n: int) -> torch.Tensor:
    return table[torch.randint(0, len(table), (n,), generator=g)]


# The one table of look and proportion ranges, shared by the random sampler (``u`` uniform) and the
# identity mapping (``u = Phi(z)``, ``identity.looks_from_latent``) and written into the look schema:
# each number is ``low + span * u``.
PROPORTIONS = {  # body units (the torso about 0.3); legs and arms scale their two segments
    "head": (0.12, 0.04), "legs": (0.85, 0.3), "arms": (0.9, 0.2), "torso": (0.27, 0.06),
    "shoulders": (0.08, 0.04), "hips": (0.055, 0.025), "limbs": (0.032, 0.01),
}
HAIR_LENGTH = (1.6, 1.6)  # head radii
# Garments and accessories: present when ``u`` is below the share.
FLAG_SHARES = {"skirt": 0.5, "shorts": 0.3, "long_sleeve": 0.5, "socks_on": 0.5, "ribbon": 0.5, "scarf": 0.4}


def proportions_from(u: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The renderer's body proportions for ``u`` in [0, 1] per ``PROPORTIONS`` entry."""
    v = {k: low + span * u[k] for k, (low, span) in PROPORTIONS.items()}
    return {"head": v["head"], "torso": v["torso"], "shoulder": v["shoulders"], "hip": v["hips"],
            "upper_arm": 0.15 * v["arms"], "forearm": 0.14 * v["arms"],
            "thigh": 0.2 * v["legs"], "shin": 0.19 * v["legs"], "limb": v["limbs"]}


def sample_proportions(g: torch.Generator, n: int) -> dict[str, torch.Tensor]:
    """Random body proportions in body units (the torso length is about 0.3)."""
    order = ["head", "legs", "arms", "torso", "shoulders", "hips", "limbs"]  # the draws' order (reproducible data)
    return proportions_from({k: torch.rand(n, generator=g) for k in order})


def render_batch(seed: int, n: int, resolution: int = 256, device: str | torch.device = "cpu",
                 frames: torch.Tensor | None = None, frame_fraction: float = 0.5
                 ) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` characters from ``seed``: images ``[n, 3, R, R]`` in [-1, 1] and keypoints ``[n, 18, 3]``
    (x, y, confidence) in canvas pixels. The same seed gives the same batch on any device.

    With ``frames`` (recorded COCO-18 poses, ``poses.load_pose_frames``), about ``frame_fraction``
    of the batch takes its pose from a random frame instead of the procedural generator."""
    if resolution < 16 or n < 1:
        raise ValueError(f"need resolution >= 16 and n >= 1 (got {resolution}, {n})")
    g = torch.Generator().manual_seed(int(seed))
    props = sample_proportions(g, n)
    fig = pose_figures(g, n, resolution, props, frames, frame_fraction)
    look = {
        "hair": _pick(g, HAIR, n), "skin": _pick(g, SKIN, n), "top": _pick(g, CLOTH, n),
        "bottom": _pick(g, CLOTH, n), "shoes": _pick(g, CLOTH[[0, 1, 3, 9]], n), "eyes": _pick(g, EYES, n),
        "acc": _pick(g, CLOTH, n), "socks": _pick(g, CLOTH[[2, 3, 7]], n),
        "style": torch.randint(0, 4, (n,), generator=g),  # 0 short, 1 long, 2 twin tails, 3 ponytail
        **{flag: torch.rand(n, generator=g) < share for flag, share in FLAG_SHARES.items()},
        "hair_len": HAIR_LENGTH[0] + HAIR_LENGTH[1] * torch.rand(n, generator=g),
    }
    return render_figures(fig, look, props, resolution, device), fig.kp


def _choose(use: torch.Tensor, a: Figure, b: Figure) -> Figure:
    """Per sample, ``b`` where ``use`` else ``a`` (conditioning keypoints included)."""
    def pick(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return torch.where(use.reshape(-1, *([1] * (x.dim() - 1))), y, x)
    given = None
    if a.given is not None or b.given is not None:
        given = pick(a.conditioning, b.conditioning)
    return Figure(*(pick(x, y) for x, y in zip((a.kp, a.head, a.head_r, a.yaw, a.unit, a.hip),
                                              (b.kp, b.head, b.head_r, b.yaw, b.unit, b.hip))), given=given)


def pose_figures(g: torch.Generator, n: int, resolution: int, props: dict, frames: torch.Tensor | None = None,
                 frame_fraction: float = 0.5, fed_fraction: float = 0.0, arm_fraction: float = 0.0) -> Figure:
    """``n`` procedural poses for bodies of ``props``, about ``frame_fraction`` of them replaced by
    random (randomly mirrored) recorded ``frames`` when given: of those, about ``arm_fraction`` of
    the arms turned to a random direction (``poses.raise_arms``) and about ``fed_fraction`` placed
    as psgan feeds a pose file (``poses.figures_as_fed``), the rest refitted."""
    fig = sample_figures(g, n, resolution, props)
    if frames is not None and len(frames):
        pick = torch.randint(0, len(frames), (n,), generator=g)
        chosen = frames[pick]
        if arm_fraction > 0:
            chosen = raise_arms(g, chosen, arm_fraction)
        rec = figures_from_frames(g, chosen, resolution, props)
        use = torch.rand(n, generator=g) < frame_fraction
        if fed_fraction > 0:
            fed = figures_as_fed(g, chosen, resolution, props)
            rec = _choose(torch.rand(n, generator=g) < fed_fraction, rec, fed)
        fig = _choose(use, fig, rec)
    return fig


def render_figures(fig: Figure, look: dict, props: dict, resolution: int, device: str | torch.device = "cpu",
                   alpha: bool = False) -> torch.Tensor:
    """Posed ``fig`` drawn with ``look`` and body ``props``: images ``[n, 3, R, R]`` in [-1, 1]; with
    ``alpha``, ``[n, 4, R, R]``, the fourth channel the figure's exact coverage (0 background, 1
    figure, antialiased edges between) on the same [-1, 1] scale."""
    device = torch.device(device)
    fig = Figure(*(t.to(device) for t in (fig.kp, fig.head, fig.head_r, fig.yaw, fig.unit, fig.hip)))
    look = {k: v.to(device) for k, v in look.items()}
    img, cover = _draw(fig, look, props["limb"].to(device), resolution, device)
    return (torch.cat([img, cover], 1) if alpha else img) * 2 - 1


def _draw(fig: Figure, look: dict, limb_u: torch.Tensor, res: int, device: torch.device
          ) -> tuple[torch.Tensor, torch.Tensor]:
    c = Canvas(fig.kp.shape[0], res, device)
    p = c.p
    kp = fig.kp[..., :2]
    J = {name: kp[:, i] for i, name in enumerate(
        ["nose", "neck", "rsh", "rel", "rwr", "lsh", "lel", "lwr", "rhip", "rkn", "ran", "lhip", "lkn", "lan",
         "reye", "leye", "rear", "lear"])}
    r = fig.head_r
    limb = limb_u * fig.unit
    light = LIGHT.to(device) * (0.35 * limb)[:, None]
    hd = fig.head

    def cap(a, b, ra, rb, s=True):
        d = sd_capsule(p, a, b, ra, rb)
        return d, (sd_capsule(p, a - light, b - light, ra, rb) if s else None)

    def union(*pairs):
        """One shape from several (sdf, shifted sdf) pairs, so joints get no outline across them."""
        return (torch.stack([q[0] for q in pairs]).amin(0), torch.stack([q[1] for q in pairs]).amin(0))

    style, hair = look["style"], look["hair"]
    down = torch.tensor([0.0, 1.0], device=device)
    # Back hair.
    long_end = hd + down * (r * look["hair_len"])[:, None]
    c.fill(cap(hd, long_end, r * 1.05, r * 0.9), hair, enabled=style == 1)
    side = torch.stack([r, torch.zeros_like(r)], -1)
    for sgn in (-1, 1):
        top = hd + side * 0.95 * sgn - down * (r * 0.3)[:, None]
        tail = top + side * 0.35 * sgn + down * (r * look["hair_len"] * 0.8)[:, None]
        c.fill(cap(top, tail, r * 0.32, r * 0.22), hair, enabled=style == 2)
    pony = hd - down * (r * 0.6)[:, None] + side * 1.0
    c.fill(cap(pony, pony + side * 0.6 + down * (r * 1.6)[:, None], r * 0.35, r * 0.15), hair, enabled=style == 3)
    c.paint(sd_ellipse(p, hd - down * (r * 0.05)[:, None], r * 1.12, r * 1.08), hair)
    # Legs: skin, then socks, trousers/shorts, shoes.
    lr = limb * 1.1
    for hip, kn, an in (("rhip", "rkn", "ran"), ("lhip", "lkn", "lan")):
        c.fill(union(cap(J[hip], J[kn], lr * 1.15, lr), cap(J[kn], J[an], lr, lr * 0.8)), look["skin"])
        c.fill(cap(J[kn] * 0.8 + J[an] * 0.2, J[an], lr * 1.05, lr * 0.85), look["socks"],
                enabled=look["skirt"] & look["socks_on"])
        trousers = ~look["skirt"]
        c.fill(union(cap(J[hip], J[kn], lr * 1.3, lr * 1.15), cap(J[kn], J[an], lr * 1.15, lr * 1.0)), look["bottom"],
               enabled=trousers & ~look["shorts"])
        c.fill(cap(J[hip], J[kn] * 0.6 + J[hip] * 0.4, lr * 1.3, lr * 1.2), look["bottom"], enabled=trousers & look["shorts"])
        toe = J[an] + down * (lr * 0.6)[:, None] + torch.stack([torch.sin(fig.yaw), torch.zeros_like(r)], -1) * (lr * 1.2)[:, None]
        c.fill(cap(J[an], toe, lr * 0.95, lr * 0.9), look["shoes"])
    # Skirt: a quad from the waist to below the hips, flaring with the legs.
    waist_r = J["rhip"] * 0.7 + J["rsh"] * 0.3
    waist_l = J["lhip"] * 0.7 + J["lsh"] * 0.3
    hem_r = J["rhip"] + (J["rkn"] - J["rhip"]) * 0.75 - (J["lhip"] - J["rhip"]) * 0.35
    hem_l = J["lhip"] + (J["lkn"] - J["lhip"]) * 0.75 + (J["lhip"] - J["rhip"]) * 0.35
    corners = torch.stack([waist_r, waist_l, hem_l, hem_r], 1)
    shifted = corners - light[:, None]
    c.paint(sd_quad(p, corners), look["bottom"], sd_quad(p, shifted), enabled=look["skirt"])
    # Torso: a quad shoulders-to-hips, rounded by a small negative offset.
    tr = limb * 0.9
    tq = torch.stack([J["rsh"], J["lsh"], J["lhip"], J["rhip"]], 1)
    centre = tq.mean(1, keepdim=True)
    tq = centre + (tq - centre) * 0.92
    c.paint(sd_quad(p, tq) - tr[:, None, None], look["top"], sd_quad(p, tq - light[:, None]) - tr[:, None, None])
    # Neck and head.
    c.fill(cap(J["neck"], hd, limb * 0.8, limb * 0.8), look["skin"])
    for ear in ("rear", "lear"):
        c.paint(sd_ellipse(p, J[ear], r * 0.2, r * 0.28), look["skin"])
    c.paint(sd_ellipse(p, hd, r, r * 1.02), look["skin"],
            sd_ellipse(p, hd - light * 1.5, r, r * 1.02))
    c.paint(sd_ellipse(p, J["neck"] + down * (limb * 0.3)[:, None], limb * 1.4, limb * 0.7), look["acc"],
            enabled=look["scarf"])
    # Arms over the torso.
    ar = limb * 0.85
    for sh, el, wr in (("rsh", "rel", "rwr"), ("lsh", "lel", "lwr")):
        c.fill(union(cap(J[sh], J[el], ar, ar * 0.9), cap(J[el], J[wr], ar * 0.9, ar * 0.75)), look["skin"])
        c.fill(cap(J[sh], J[sh] * 0.45 + J[el] * 0.55, ar * 1.25, ar * 1.1), look["top"], enabled=~look["long_sleeve"])
        c.fill(union(cap(J[sh], J[el], ar * 1.25, ar * 1.05), cap(J[el], J[wr], ar * 1.05, ar * 0.95)), look["top"],
               enabled=look["long_sleeve"])
        hand = J[wr] + (J[wr] - J[el]) / torch.linalg.vector_norm(J[wr] - J[el], dim=-1, keepdim=True).clamp(min=1e-3) * (ar * 0.6)[:, None]
        c.paint(sd_ellipse(p, hand, ar * 1.0, ar * 1.0), look["skin"])
    # Face: eyes (white, iris, highlight), mouth hint, then bangs over the forehead.
    for eye in ("reye", "leye"):
        e = J[eye]
        c.paint(sd_ellipse(p, e, r * 0.17, r * 0.24), torch.ones_like(look["skin"]))
        c.paint(sd_ellipse(p, e + down * (r * 0.03)[:, None], r * 0.13, r * 0.19), look["eyes"], outline=False)
        c.paint(sd_ellipse(p, e - torch.stack([r * 0.05, r * 0.08], -1), r * 0.05, r * 0.05),
                torch.ones_like(look["skin"]), outline=False)
    mouth = J["nose"] + down * (r * 0.28)[:, None]
    c.paint(sd_ellipse(p, mouth, r * 0.09, r * 0.035), torch.tensor([0.75, 0.3, 0.35], device=device).expand_as(look["skin"]), outline=False)
    fringe_y = hd[:, 1] - r * 0.25
    bangs = torch.maximum(sd_ellipse(p, hd - down * (r * 0.12)[:, None] + torch.stack([torch.sin(fig.yaw) * r * 0.3, 0 * r], -1),
                                     r * 1.1, r * 0.98),
                          p[None, ..., 1] - fringe_y[:, None, None])
    c.paint(bangs, hair)
    # Ribbon on the hair.
    bow = hd + torch.stack([r * 0.75, -r * 0.85], -1)
    for sgn in (-1, 1):
        c.paint(sd_ellipse(p, bow + torch.stack([sgn * r * 0.22, 0 * r], -1), r * 0.24, r * 0.16), look["acc"],
                enabled=look["ribbon"])
    return c.img.clamp(0, 1), c.alpha.clamp(0, 1)
