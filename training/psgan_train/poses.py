"""Procedural COCO-18 poses: joint angles sampled within human limits, or walk/run/wave cycles.

Everything is batched torch over B samples and deterministic from a ``torch.Generator``. Poses are
built in body units (figure height about 1), front-facing with a body/head yaw, then fitted into an
R x R canvas. OpenPose order: Nose, Neck, RShoulder, RElbow, RWrist, LShoulder, LElbow, LWrist,
RHip, RKnee, RAnkle, LHip, LKnee, LAnkle, REye, LEye, REar, LEar. The character's right side is on
the image's left (the character faces the viewer).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

NAMES = ["Nose", "Neck", "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow", "LWrist",
         "RHip", "RKnee", "RAnkle", "LHip", "LKnee", "LAnkle", "REye", "LEye", "REar", "LEar"]
BONES = [(1, 2), (2, 3), (3, 4), (1, 5), (5, 6), (6, 7), (1, 8), (8, 9), (9, 10), (1, 11), (11, 12),
         (12, 13), (1, 0), (0, 14), (14, 16), (0, 15), (15, 17)]


@dataclass
class Figure:
    """A batch of posed figures in canvas pixels.

    ``kp``: ``[B, 18, 3]`` keypoints (x, y, confidence). ``head``: head centre ``[B, 2]``;
    ``head_r``: head radius ``[B]``; ``yaw``: head yaw in radians ``[B]`` (positive turns the face
    toward the image's right); ``unit``: pixels per body unit ``[B]``; ``hip``: hip centre ``[B, 2]``.
    ``given``: the keypoints the generator is conditioned on when they differ from the drawn ones
    (``figures_as_fed``: the face points as a pose file gives them, drawn spread to an anime head),
    else None.
    """

    kp: torch.Tensor
    head: torch.Tensor
    head_r: torch.Tensor
    yaw: torch.Tensor
    unit: torch.Tensor
    hip: torch.Tensor
    given: torch.Tensor | None = None

    @property
    def conditioning(self) -> torch.Tensor:
        """The keypoints ``[B, 18, 3]`` the generator sees for this figure."""
        return self.kp if self.given is None else self.given


def _u(g: torch.Generator, n: int, lo: float, hi: float) -> torch.Tensor:
    return lo + (hi - lo) * torch.rand(n, generator=g)


def _dir(angle: torch.Tensor) -> torch.Tensor:
    """Unit vector for an angle measured from straight down (y grows down), positive toward +x."""
    return torch.stack([torch.sin(angle), torch.cos(angle)], -1)


def sample_angles(g: torch.Generator, n: int) -> dict[str, torch.Tensor]:
    """Joint angles (radians): half random within limits, half from walk/run/wave cycles."""
    d2r = math.pi / 180
    a = {
        "lean": _u(g, n, -10, 10) * d2r,
        "r_upper": _u(g, n, -160, 30) * d2r,  # right arm swings toward -x (image left) when raised
        "l_upper": _u(g, n, -30, 160) * d2r,
        "r_elbow": _u(g, n, 0, 140) * d2r,
        "l_elbow": _u(g, n, 0, 140) * d2r,
        "r_thigh": _u(g, n, -45, 8) * d2r,
        "l_thigh": _u(g, n, -8, 45) * d2r,
        "r_knee": _u(g, n, 0, 90) * d2r,
        "l_knee": _u(g, n, 0, 90) * d2r,
        "head_tilt": _u(g, n, -15, 15) * d2r,
        "yaw": _u(g, n, -50, 50) * d2r,
    }
    cyc = torch.rand(n, generator=g) < 0.5
    kind = torch.randint(0, 3, (n,), generator=g)  # 0 walk, 1 run, 2 wave
    phase = _u(g, n, 0, 2 * math.pi)
    amp = torch.where(kind == 1, torch.full((n,), 1.6), torch.ones(n))
    s = torch.sin(phase)
    cycle = {
        "lean": torch.where(kind == 1, torch.full((n,), 6 * d2r), torch.zeros(n)),
        "r_upper": -25 * d2r * amp * s,
        "l_upper": -25 * d2r * amp * s,
        "r_elbow": (15 + 40 * (amp - 1)) * d2r + 10 * d2r * s.abs(),
        "l_elbow": (15 + 40 * (amp - 1)) * d2r + 10 * d2r * s.abs(),
        "r_thigh": 22 * d2r * amp * s,
        "l_thigh": -22 * d2r * amp * s,
        "r_knee": 25 * d2r * amp * torch.clamp(-torch.cos(phase), min=0) + 5 * d2r,
        "l_knee": 25 * d2r * amp * torch.clamp(torch.cos(phase), min=0) + 5 * d2r,
        "head_tilt": 5 * d2r * torch.sin(2 * phase),
        "yaw": a["yaw"] * 0.6,
    }
    wave = kind == 2
    cycle["l_upper"] = torch.where(wave, (130 + 20 * s) * d2r, cycle["l_upper"])
    cycle["l_elbow"] = torch.where(wave, (40 + 30 * torch.cos(phase)) * d2r, cycle["l_elbow"])
    cycle["r_upper"] = torch.where(wave, -8 * d2r * torch.ones(n), cycle["r_upper"])
    return {k: torch.where(cyc, cycle[k], a[k]) for k in a}


def sample_figures(g: torch.Generator, n: int, resolution: int, proportions: dict[str, torch.Tensor]) -> Figure:
    """Pose ``n`` figures with the given body proportions (from ``avatars``) and fit them to the canvas."""
    ang = sample_angles(g, n)
    P = proportions
    hip = torch.zeros(n, 2)
    torso_dir = -_dir(ang["lean"])  # pointing up
    neck = hip + torso_dir * P["torso"][:, None]
    side = torch.stack([-torso_dir[:, 1], torso_dir[:, 0]], -1)  # +x-ish perpendicular (image right)
    yaw_body = ang["yaw"] * 0.5
    width = torch.cos(yaw_body).clamp(min=0.45)
    r_sh = neck - side * (P["shoulder"] * width)[:, None]
    l_sh = neck + side * (P["shoulder"] * width)[:, None]
    r_hip = hip - side * (P["hip"] * width)[:, None]
    l_hip = hip + side * (P["hip"] * width)[:, None]
    # Arms: upper-arm angle from down; elbow bends the forearm toward the body's front/inside.
    r_el = r_sh + _dir(ang["r_upper"] + ang["lean"]) * P["upper_arm"][:, None]
    r_wr = r_el + _dir(ang["r_upper"] + ang["lean"] + ang["r_elbow"]) * P["forearm"][:, None]
    l_el = l_sh + _dir(ang["l_upper"] + ang["lean"]) * P["upper_arm"][:, None]
    l_wr = l_el + _dir(ang["l_upper"] + ang["lean"] - ang["l_elbow"]) * P["forearm"][:, None]
    r_kn = r_hip + _dir(ang["r_thigh"]) * P["thigh"][:, None]
    r_an = r_kn + _dir(ang["r_thigh"] - ang["r_knee"] * torch.sign(ang["r_thigh"] + 1e-6) * 0.6) * P["shin"][:, None]
    l_kn = l_hip + _dir(ang["l_thigh"]) * P["thigh"][:, None]
    l_an = l_kn + _dir(ang["l_thigh"] - ang["l_knee"] * torch.sign(ang["l_thigh"] + 1e-6) * 0.6) * P["shin"][:, None]
    r = P["head"]
    head_dir = -_dir(ang["lean"] + ang["head_tilt"])
    head = neck + head_dir * (r * 1.2)[:, None]
    yaw = ang["yaw"]
    sy, cy = torch.sin(yaw), torch.cos(yaw)

    def face(dx: torch.Tensor, dy: float) -> torch.Tensor:
        return head + torch.stack([dx * r, torch.full_like(r, dy) * r], -1)

    nose = face(0.55 * sy, 0.3)
    r_eye = face(-0.36 * cy + 0.5 * sy, 0.12)
    l_eye = face(0.36 * cy + 0.5 * sy, 0.12)
    r_ear = face(-0.86 * cy + 0.1 * sy, 0.1)
    l_ear = face(0.86 * cy + 0.1 * sy, 0.1)
    pts = torch.stack([nose, neck, r_sh, r_el, r_wr, l_sh, l_el, l_wr, r_hip, r_kn, r_an,
                       l_hip, l_kn, l_an, r_eye, l_eye, r_ear, l_ear], 1)  # [n, 18, 2]
    conf = torch.ones(n, 18)
    conf[:, 16] = torch.where(yaw > 0.6, 0.0, 1.0)  # right ear hidden when turned far right
    conf[:, 17] = torch.where(yaw < -0.6, 0.0, 1.0)
    return _fit(g, pts, conf, head, r, yaw, hip, resolution)


def _placement(g: torch.Generator, pts: torch.Tensor, head: torch.Tensor, r: torch.Tensor, resolution: int,
               fill: tuple[float, float], spread: tuple[float, float]) -> tuple[torch.Tensor, torch.Tensor]:
    """Pixels per body unit ``[B]`` and offset ``[B, 2]`` that make figures in body units (points
    and a head of radius ``r``) fill a random share in ``fill`` of the canvas, placed at random:
    ``spread`` (start, width) is where in the slack left over the figure goes, as shares of it."""
    n = pts.shape[0]
    lo = torch.minimum(pts.min(1).values, head - (r * 1.65)[:, None])
    hi = torch.maximum(pts.max(1).values + r[:, None] * 0.4, head + (r * 1.5)[:, None])
    size = (hi - lo).max(1).values
    unit = _u(g, n, *fill) * resolution / size
    slack = resolution - (hi - lo) * unit[:, None]
    start, width = spread
    offset = slack * torch.rand(n, 2, generator=g) * width + slack * start - lo * unit[:, None]
    return unit, offset


def _fit(g: torch.Generator, pts: torch.Tensor, conf: torch.Tensor, head: torch.Tensor, r: torch.Tensor,
         yaw: torch.Tensor, hip: torch.Tensor, resolution: int) -> Figure:
    """Scale and place figures given in body units so that they fill 72-92% of the canvas, away
    from its edges (the middle 60 % of the slack)."""
    unit, offset = _placement(g, pts, head, r, resolution, fill=(0.72, 0.92), spread=(0.2, 0.6))
    kp_xy = pts * unit[:, None, None] + offset[:, None]
    kp = torch.cat([kp_xy, conf[..., None]], -1)
    return Figure(kp=kp, head=head * unit[:, None] + offset, head_r=r * unit, yaw=yaw, unit=unit,
                  hip=hip * unit[:, None] + offset)


MIRROR = [0, 1, 5, 6, 7, 2, 3, 4, 11, 12, 13, 8, 9, 10, 15, 14, 17, 16]


def load_pose_frames(paths: list[str], stride: int = 4) -> torch.Tensor:
    """COCO-18 frames ``[N, 18, 3]`` from psgan native pose files (e.g. ``psgan pose convert x.bvh``),
    every ``stride``-th frame, keeping frames with neck, both hips and a head point present."""
    import json
    frames = []
    for path in paths:
        data = json.loads(open(path).read())
        if data.get("format") != "psgan-pose" or data.get("layout") != "coco18":
            raise ValueError(f"{path}: not a coco18 psgan pose file (make one with `psgan pose convert`)")
        frames += data["frames"][::stride]
    t = torch.tensor(frames, dtype=torch.float32).reshape(-1, 18, 3)
    ok = (t[:, [1, 8, 11], 2] > 0).all(1) & (t[:, [0, 14, 15, 16, 17], 2] > 0).any(1)
    if not ok.any():
        raise ValueError(f"no usable frames in {paths}")
    return t[ok]


def raise_arms(g: torch.Generator, frames: torch.Tensor, fraction: float) -> torch.Tensor:
    """Recorded frames with about ``fraction`` of their arms turned about the shoulder to a random
    direction (elbow and wrist together, lengths and the elbow's bend kept): raised arms, rare in
    recorded walking, common in what animators give (a copy; the rest unchanged)."""
    out = frames.clone()
    n = frames.shape[0]
    for sh, el, wr in ((2, 3, 4), (5, 6, 7)):
        turn = (torch.rand(n, generator=g) < fraction) & (frames[:, [sh, el], 2] > 0).all(1)
        angle = (torch.rand(n, generator=g) * 2 - 1) * math.pi
        c, s_ = torch.cos(angle), torch.sin(angle)
        rot = torch.stack([torch.stack([c, -s_], -1), torch.stack([s_, c], -1)], -2)  # [n, 2, 2]
        for j in (el, wr):
            rel = frames[:, j, :2] - frames[:, sh, :2]
            moved = frames[:, sh, :2] + (rot @ rel[..., None])[..., 0]
            out[:, j, :2] = torch.where(turn[:, None], moved, frames[:, j, :2])
    return out


def _mirrored(g: torch.Generator, frames: torch.Tensor) -> torch.Tensor:
    """Frames with about half of them mirrored left to right (labels swapped)."""
    n = frames.shape[0]
    flip = torch.rand(n, generator=g) < 0.5
    mirrored = frames[:, MIRROR].clone()
    mirrored[..., 0] = -mirrored[..., 0]
    return torch.where(flip[:, None, None], mirrored, frames)


def _anime_head(pts: torch.Tensor, conf: torch.Tensor, r: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Recorded points (body units) with the face points spread to an anime head of radius ``r``
    and the head lifted to sit on the neck: (points, head centre, yaw)."""
    pts = pts.clone()
    face = conf[:, [0, 14, 15, 16, 17], None]
    head = (pts[:, [0, 14, 15, 16, 17]] * face).sum(1) / face.sum(1).clamp(min=1)
    # An anime head is larger than a real one: spread the face points to the drawn head's size.
    offsets = pts[:, [0, 14, 15, 16, 17]] - head[:, None]
    spread = (torch.linalg.vector_norm(offsets, dim=-1) * face[..., 0]).amax(1).clamp(min=1e-3)
    k = (0.82 * r / spread).clamp(1.0, 3.0)
    pts[:, [0, 14, 15, 16, 17]] = head[:, None] + offsets * k[:, None, None]
    ears = conf[:, 16] * conf[:, 17] > 0
    ear_mid = torch.where(ears[:, None], (pts[:, 16] + pts[:, 17]) / 2, head)
    yaw = torch.asin(((pts[:, 0, 0] - ear_mid[:, 0]) / (0.55 * r)).clamp(-1, 1)) * conf[:, 0]
    # Keep the head on the neck: the drawn head is larger than a real one, so move it up to sit on it.
    lift = (r * 1.2 - torch.linalg.vector_norm(head - pts[:, 1], dim=-1)).clamp(min=0)
    up = torch.tensor([0.0, -1.0])
    pts[:, [0, 14, 15, 16, 17]] += (up * lift[:, None])[:, None]
    return pts, head + up * lift[:, None], yaw


def _body_units(frames: torch.Tensor, proportions: dict[str, torch.Tensor]
                ) -> tuple[torch.Tensor, torch.Tensor]:
    """Points of frames ``[n, 18, 3]`` in body units about the hip centre (the torso length set to
    the look's), and their presence."""
    pts, conf = frames[..., :2], (frames[..., 2] > 0).float()
    hip = (pts[:, 8] + pts[:, 11]) / 2
    torso = torch.linalg.vector_norm(pts[:, 1] - hip, dim=-1).clamp(min=1e-3)
    return (pts - hip[:, None]) / (torso / proportions["torso"])[:, None, None], conf


def figures_from_frames(g: torch.Generator, frames: torch.Tensor, resolution: int,
                        proportions: dict[str, torch.Tensor]) -> Figure:
    """Figures from recorded frames ``[n, 18, 3]`` (randomly mirrored), refitted to the canvas.
    The torso length sets the body unit; the head radius comes from ``proportions``."""
    pts, conf = _body_units(_mirrored(g, frames), proportions)
    r = proportions["head"]
    pts, head, yaw = _anime_head(pts, conf, r)
    return _fit(g, pts, conf, head, r, yaw, torch.zeros(pts.shape[0], 2), resolution)


def figures_as_fed(g: torch.Generator, frames: torch.Tensor, resolution: int,
                   proportions: dict[str, torch.Tensor]) -> Figure:
    """Figures from recorded frames as psgan feeds a pose file to the model: the file's points
    scaled uniformly onto the canvas (not refitted: real face points, the recorded limb lengths),
    the figure filling 35% to 95% of it at a random place (pose files come at every size). The
    drawing still has the look's anime head over the face points (spread and lifted as in
    ``figures_from_frames``); ``given`` holds the points as fed, which the generator sees."""
    pts, conf = _body_units(_mirrored(g, frames), proportions)
    r = proportions["head"]
    drawn, head, yaw = _anime_head(pts, conf, r)
    unit, offset = _placement(g, torch.cat([pts, drawn], 1), head, r, resolution, fill=(0.35, 0.95), spread=(0.0, 1.0))

    def place(p: torch.Tensor) -> torch.Tensor:
        return torch.cat([p * unit[:, None, None] + offset[:, None], conf[..., None]], -1)

    return Figure(kp=place(drawn), head=head * unit[:, None] + offset, head_r=r * unit, yaw=yaw, unit=unit,
                  hip=offset.clone(), given=place(pts))
