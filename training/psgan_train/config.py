"""Training configs: small JSON files in ``configs/`` (or any path), checked on load."""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

CONFIG_DIR = Path(__file__).parent / "configs"


@dataclass
class TrainConfig:
    """Hyper-parameters. ``images_per_phase``: real images shown per fade-in phase and per stable
    phase; ``dataset_pool``: when > 0, that many images are rendered once and sampled from (cheap
    on CPU), 0 renders a fresh batch every step (GPU). ``pose_files``: psgan native coco18 pose
    files (``psgan pose convert motion.bvh --azimuth A``) that ``pose_fraction`` of the poses come
    from; the rest are procedural. ``checkpoint_every``: steps between checkpoints inside a phase
    (every phase end writes one too). ``ema_beta``: when > 0, an exponential moving average of the
    generator's weights is kept (``w_ema = beta * w_ema + (1 - beta) * w`` after every generator
    step, as Progressive GAN's smoothed generator); exports and samples use it.

    ``objective``: ``adversarial`` (WGAN-GP on single images, the original PSGAN training) or
    ``identity`` (each latent names a look, ``identity.looks_from_latent``; the generator must draw
    the renderer's image of that look in that pose: ``recon_weight`` x multi-scale L1 plus
    ``adv_weight`` x the adversarial term; ``colour_weight`` x L1 of the images averaged over a 4 x 4
    grid, the colours alone). ``data_dir``: train on a folder of images with OpenPose
    keypoints instead of the renderer (adversarial only). Speed: ``gp_every`` (lazy gradient
    penalty, every N critic steps, weighted by N), ``bf16`` (autocast the networks' forward passes
    to bfloat16), ``channels_last`` (NHWC memory layout). ``generator_beta1``: the generator's Adam
    momentum (Progressive GAN's 0 by default; the identity configs use 0.9, which learns the latent's
    look faster by reconstruction; the critic keeps 0). ``adv_weight`` 0 (identity objective only)
    trains by reconstruction alone and skips the critic.

    Issue 28: ``fed_fraction`` of the recorded poses are placed as psgan feeds a pose file
    (``poses.figures_as_fed``) and ``arm_fraction`` of their arms turned to a random direction
    (``poses.raise_arms``); ``edge_weight`` x L1 of the images' neighbour differences
    (``losses.gradient_l1``); ``coverage`` trains a fourth output, the figure's coverage, against the
    renderer's exact coverage with ``coverage_weight``; ``channels`` (``{"128": 32, ...}``) overrides
    the schedule's counts at the scales it names."""

    resolution: int = 32
    latent_dim: int = 32
    channel_base: int = 64
    channel_max: int = 32
    batch_size: int = 16
    images_per_phase: int = 320
    learning_rate: float = 0.002
    dataset_pool: int = 2048
    seed: int = 0
    keypoints: int = 18
    layout: str = "coco18"
    pose_files: list = field(default_factory=list)
    pose_fraction: float = 0.5
    checkpoint_every: int = 1000
    ema_beta: float = 0.0
    objective: str = "adversarial"
    recon_weight: float = 10.0
    colour_weight: float = 0.0
    adv_weight: float = 1.0
    data_dir: str = ""
    gp_every: int = 1
    bf16: bool = False
    generator_beta1: float = 0.0
    channels_last: bool = False
    fed_fraction: float = 0.0
    arm_fraction: float = 0.0
    edge_weight: float = 0.0
    coverage: bool = False
    coverage_weight: float = 0.0
    channels: dict = field(default_factory=dict)

    def validate(self) -> None:
        """Raise ValueError on values the contract or the trainer cannot take."""
        r = self.resolution
        if r < 8 or r > 1024 or 2 ** int(round(math.log2(r))) != r:
            raise ValueError(f"resolution must be a power of two from 8 to 1024, got {r}")
        for name in ("latent_dim", "channel_base", "channel_max", "batch_size", "images_per_phase",
                     "checkpoint_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if self.batch_size < 2:
            raise ValueError("batch_size must be at least 2 (minibatch stddev)")
        if not 0 <= self.pose_fraction <= 1:
            raise ValueError(f"pose_fraction must be in [0, 1], got {self.pose_fraction}")
        for p in self.pose_files:
            if not Path(p).exists():
                raise ValueError(f"pose file {p} not found (make it with `psgan pose convert`)")
        if not 0 <= self.ema_beta < 1:
            raise ValueError(f"ema_beta must be in [0, 1), got {self.ema_beta}")
        if self.objective not in ("adversarial", "identity"):
            raise ValueError(f"objective must be 'adversarial' or 'identity', got {self.objective!r}")
        if self.objective == "identity":
            from .identity import LOOK_DIMS
            if self.latent_dim < LOOK_DIMS:
                raise ValueError(f"the identity objective needs latent_dim >= {LOOK_DIMS} (the look mapping), got {self.latent_dim}")
            if self.data_dir:
                raise ValueError("data_dir trains on a folder's images, which have no latent look: use objective 'adversarial'")
        if self.adv_weight <= 0 and (self.objective == "adversarial" or self.recon_weight <= 0):
            raise ValueError("adv_weight 0 leaves nothing to train: it needs the identity objective and a positive recon_weight")
        if self.data_dir and not Path(self.data_dir).is_dir():
            raise ValueError(f"data_dir {self.data_dir} is not a folder")
        if self.recon_weight <= 0 and self.colour_weight > 0:
            raise ValueError("colour_weight goes with a positive recon_weight")
        if self.recon_weight < 0 or self.adv_weight < 0 or self.colour_weight < 0 or self.gp_every < 1:
            raise ValueError("recon_weight and adv_weight must be >= 0 and gp_every >= 1")
        if not 0 <= self.generator_beta1 < 1:
            raise ValueError(f"generator_beta1 must be in [0, 1), got {self.generator_beta1}")
        for name in ("fed_fraction", "arm_fraction"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be in [0, 1], got {getattr(self, name)}")
        if self.edge_weight < 0 or self.coverage_weight < 0:
            raise ValueError("edge_weight and coverage_weight must be >= 0")
        if self.coverage_weight > 0 and not (self.coverage and self.objective == "identity"):
            raise ValueError("coverage_weight needs coverage true and the identity objective (the renderer's coverage)")
        sizes = {str(4 * 2 ** i) for i in range(int(math.log2(r)) - 1)}
        for size, count in self.channels.items():
            if size not in sizes or not isinstance(count, int) or count < 1:
                raise ValueError(f"channels: {size!r}: {count!r} is not a scale of this resolution "
                                 f"({', '.join(sorted(sizes, key=int))}) with a positive channel count")
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be positive, got {self.learning_rate}")
        from .model import LAYOUT_KEYPOINTS
        if self.layout in LAYOUT_KEYPOINTS and self.keypoints != LAYOUT_KEYPOINTS[self.layout]:
            raise ValueError(f"layout {self.layout} has {LAYOUT_KEYPOINTS[self.layout]} keypoints, not {self.keypoints}")


def load_config(name_or_path: str) -> TrainConfig:
    """A config by name (``smoke``, ``full``) or JSON path; unknown keys are an error."""
    path = Path(name_or_path)
    if not path.exists():
        path = CONFIG_DIR / f"{name_or_path}.json"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in CONFIG_DIR.glob("*.json")))
        raise ValueError(f"no config {name_or_path!r}: not a file, and not one of {known}")
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: not valid JSON ({e})") from None
    allowed = {f.name for f in fields(TrainConfig)}
    unknown = set(data) - allowed
    if unknown:
        raise ValueError(f"{path}: unknown keys {sorted(unknown)}; allowed: {sorted(allowed)}")
    cfg = TrainConfig(**data)
    cfg.validate()
    return cfg


def config_dict(cfg: TrainConfig) -> dict:
    """The config as a plain dict (stored in checkpoints)."""
    return asdict(cfg)
