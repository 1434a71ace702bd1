"""Progressive PSGAN training: WGAN-GP, equalized LR, pixel norm, minibatch stddev, pose maps at every scale.

    python3 -m psgan_train.train --config smoke --out runs/smoke [--resume] [--extend N] [--data DIR]
        [--grow-from RUN]

Schedule: level 0 (4x4) runs one stable phase; every later level a fade-in phase (alpha 0 -> 1)
and a stable phase, each ``images_per_phase`` real images. One critic step per generator step
(none when ``adv_weight`` is 0: the identity objective's reconstruction alone),
gradient penalty lambda 10, drift 0.001, Adam(beta1 0, beta2 0.99; the generator's beta1 is
``generator_beta1``). A checkpoint
(``checkpoint.pt``) is written every phase end and at the end; ``--resume`` continues from it.
``--extend N`` (with ``--resume``) continues a finished run's last phase, stable at full resolution,
for up to N more real images (the checkpoint's ``state["extended"]`` counts those trained), when a budget allows
more training than the config planned; its config may differ from the run's in the data keys
(``pose_files``, ``pose_fraction``, ``dataset_pool``: fine-tuning on more kinds of poses), recorded in
``state["data_changes"]``. Any ``--resume`` may change the loss weights (``LOSS_KEYS``: adding the
adversarial term to a run trained by reconstruction alone, softening it part-way), recorded with the
step in ``state["loss_changes"]``, ``learning_rate`` (a smaller step for a run's last stretch) and
``images_per_phase`` (re-planning a run
whose speed on a machine turned out other than expected; a phase already past the new budget ends
at once), recorded in ``state["schedule_changes"]``. ``--grow-from RUN`` starts a run from a finished
run at half the resolution (same latent size, keypoints and channels): the layers they share keep its weights and
training begins at the new scale's fade-in (``state["grown_from"]`` records the smaller run).

With ``ema_beta`` > 0 the checkpoint also holds ``generator_ema``, the smoothed generator that
samples and exports use. ``--max-seconds S`` checkpoints and stops once S seconds have passed (a
lent machine's time limit). A checkpoint without optimiser states (``psgan_train.portable``) resumes
with fresh Adam states.
"""
from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from .avatars import render_batch
from .checkpoint import load_checkpoint, load_shared
from .identity import render_latents
from .config import TrainConfig, config_dict, load_config
from .model import Discriminator, Generator, channel_schedule


# Config keys that choose the data, not the model: an --extend run may change them (fine-tuning a
# finished run on more kinds of poses).
DATA_KEYS = {"pose_files", "pose_fraction", "dataset_pool", "fed_fraction", "arm_fraction"}
# Loss weights any --resume may change: adversarial fine-tuning of a reconstruction-trained run, a softer critic.
LOSS_KEYS = {"adv_weight", "edge_weight", "colour_weight", "coverage_weight"}
# Config keys that only re-plan the schedule or the step size: any --resume may change them.
SCHEDULE_KEYS = {"images_per_phase", "gp_every", "bf16", "channels_last", "learning_rate"}
# What a checkpoint's state records of how the run got there: exports copy it into ``train_state``,
# a grown run into its ``grown_from``.
HISTORY_KEYS = ("extended", "schedule_changes", "data_changes", "loss_changes", "grown_from", "initialised_from")


def stored_config(ck: dict) -> dict:
    """A checkpoint's config with the defaults of keys added since it was written."""
    return {**config_dict(TrainConfig()), **ck["config"]}


def config_changes(old: dict, new: dict) -> list[str]:
    """The keys whose values differ between two config dicts (a key missing from one counts), sorted."""
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


def record_change(state: dict, name: str, changes: dict) -> None:
    """Appends ``changes`` (key: new value), with the step they take effect at, to ``state[name]``."""
    if changes:
        state[name] = state.get(name, []) + [{"at_step": state["step"], **changes}]


def build_models(cfg: TrainConfig) -> tuple[Generator, Discriminator]:
    """Generator and critic for a config (weights seeded from ``cfg.seed``)."""
    torch.manual_seed(cfg.seed)
    ch = channel_schedule(cfg.resolution, cfg.channel_base, cfg.channel_max)
    ch.update({int(s): c for s, c in cfg.channels.items()})
    g = Generator(cfg.resolution, cfg.latent_dim, cfg.keypoints, ch, cfg.layout, coverage=cfg.coverage)
    g.freeze_dense_row_bias()
    d = Discriminator(cfg.resolution, cfg.keypoints, ch, cfg.layout)
    return g, d


def phases(cfg: TrainConfig) -> list[tuple[int, bool]]:
    """The (level, fading) phases in order."""
    levels = int(math.log2(cfg.resolution)) - 1
    out = [(0, False)]
    for lv in range(1, levels):
        out += [(lv, True), (lv, False)]
    return out


def downscale(img: torch.Tensor, level: int, alpha: float, resolution: int) -> torch.Tensor:
    """Real images at scale 4*2**level, blended with the coarser scale during fade-in (as in ProGAN)."""
    size = 4 * 2 ** level
    x = F.adaptive_avg_pool2d(img, size) if size < resolution else img
    if level > 0 and alpha < 1.0:
        coarse = F.interpolate(F.avg_pool2d(x, 2), scale_factor=2, mode="nearest")
        x = alpha * x + (1 - alpha) * coarse
    return x


def grow_start(cfg: TrainConfig, source: Path, g: Generator, d: Discriminator, g_ema: Generator | None,
               log=print) -> dict:
    """Initialise a new run from a finished run at half its resolution (``--grow-from``): the layers
    the two share take the smaller run's weights (generator, its average, critic), and training starts
    at the new scale's fade-in, as if the run had been planned at this size. Returns the start state."""
    ckpt = source / "checkpoint.pt" if source.is_dir() else source
    ck = load_checkpoint(ckpt)
    small = TrainConfig(**stored_config(ck))
    if small.resolution * 2 != cfg.resolution:
        raise ValueError(f"{ckpt}: --grow-from needs a run at half the resolution ({cfg.resolution // 2}), "
                         f"not {small.resolution}")
    if ck["state"]["phase"] < len(phases(small)):
        raise ValueError(f"{ckpt}: that run has not finished (phase {ck['state']['phase']} of "
                         f"{len(phases(small))}); finish it with --resume first")
    load_shared(g, ck["generator"], str(ckpt)); load_shared(d, ck["discriminator"], str(ckpt))
    if g_ema is not None:
        load_shared(g_ema, ck.get("generator_ema", ck["generator"]), str(ckpt))
    state = {"phase": len(phases(small)), "images": 0, "step": ck["state"]["step"],
             "grown_from": {"resolution": small.resolution, "step": ck["state"]["step"],
                            "images_shown": ck["state"]["step"] * small.batch_size}}
    for key in HISTORY_KEYS:
        if key in ck["state"]:
            state["grown_from"][key] = ck["state"][key]
    log(f"grown from {ckpt} ({small.resolution}px, step {state['step']}): "
        f"starting the {cfg.resolution}px fade-in")
    return state


def train(cfg: TrainConfig, out: Path, resume: bool = False, device: str | None = None,
          max_steps: int | None = None, log=print, extend: int = 0,
          max_seconds: float | None = None, grow_from: Path | None = None, init_from: str | None = None) -> dict:
    """Run (or resume) training into ``out``; returns a summary. ``max_steps`` and ``max_seconds``
    stop early (with a checkpoint); ``extend`` (resuming a finished run) trains its last phase for
    that many more images; ``grow_from`` starts from a finished run at half the resolution;
    ``init_from`` from a finished generator file (``warm_start``)."""
    from .run import Run
    started = time.monotonic()
    run = Run(cfg, Path(out), device, log)
    run.start(resume=resume, extend=extend, grow_from=grow_from, init_from=init_from)
    steps_run = 0
    while not run.finished:
        if run.phase_done:
            run.end_phase()
            continue
        out_of_time = max_seconds is not None and time.monotonic() - started >= max_seconds
        if out_of_time or (max_steps is not None and steps_run >= max_steps):
            run.checkpoint()
            if out_of_time:
                log(f"stopping after {max_seconds:g} s at step {run.state['step']} (checkpoint written)")
            return {"stopped": True, **run.state, **run.losses()}
        run.step()
        steps_run += 1
    run.checkpoint()
    write_samples(run.g_ema or run.g, cfg, run.out / "samples.png")
    return {"stopped": False, **run.state, **run.losses(), "seconds": run.seconds}


def write_samples(g: Generator, cfg: TrainConfig, path: Path, level: int | None = None, alpha: float = 1.0,
                  count: int = 8) -> None:
    """Real images (top row) and generated ones for the same poses (bottom row) as a PNG, at scale
    ``4 * 2**level`` (default: full) shown at full size."""
    from PIL import Image
    dev = next(g.parameters()).device
    z = torch.randn(count, cfg.latent_dim, generator=torch.Generator().manual_seed(cfg.seed))
    if cfg.objective == "identity":
        # Each latent's own look on top: the generated row should be the same characters.
        real, kp = render_latents(z, cfg.seed + 424242, cfg.resolution, dev)
    else:
        real, kp = render_batch(cfg.seed + 424242, count, cfg.resolution, dev)
    z = z.to(dev)
    level = g.max_level if level is None else level
    with torch.no_grad():
        fake = g(z, kp.to(dev), level, alpha)[:, :3]  # the colour (a coverage channel is not shown)
    real = downscale(real, level, alpha, cfg.resolution)
    if level < g.max_level:
        factor = cfg.resolution // fake.shape[-1]
        fake = F.interpolate(fake, scale_factor=factor, mode="nearest")
        real = F.interpolate(real, scale_factor=factor, mode="nearest")
    grid = torch.cat([torch.cat(list(real), 2), torch.cat(list(fake), 2)], 1)
    arr = ((grid.clamp(-1, 1) + 1) * 127.5).round().byte().permute(1, 2, 0).cpu().numpy()
    Image.fromarray(arr).save(path)


def main(argv: list[str] | None = None) -> None:
    """CLI entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", required=True, help="config name (smoke, full) or JSON path")
    ap.add_argument("--out", required=True, help="run directory (checkpoint.pt goes here)")
    ap.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.pt")
    ap.add_argument("--device", help="torch device (default: cuda if available, else cpu)")
    ap.add_argument("--max-steps", type=int, help="stop (and checkpoint) after this many steps")
    ap.add_argument("--extend", type=int, default=0, metavar="N",
                    help="with --resume on a finished run: train its last phase for N more images")
    ap.add_argument("--max-seconds", type=float, metavar="S",
                    help="checkpoint and stop once S seconds have passed")
    ap.add_argument("--grow-from", metavar="RUN",
                    help="start from a finished run at half the resolution (its directory or checkpoint), "
                         "at this size's fade-in")
    ap.add_argument("--init-from", metavar="MODEL",
                    help="start from a finished generator file (its last phase; wider layers in the config are "
                         "widened from it exactly)")
    ap.add_argument("--data", metavar="DIR",
                    help="train on a folder of images with OpenPose NAME_keypoints.json beside each (the config's data_dir)")
    a = ap.parse_args(argv)
    try:
        cfg = load_config(a.config)
        if a.data:
            cfg.data_dir = a.data
            cfg.validate()
        summary = train(cfg, Path(a.out), a.resume, a.device, a.max_steps, extend=a.extend,
                        max_seconds=a.max_seconds, grow_from=a.grow_from and Path(a.grow_from),
                        init_from=a.init_from)
    except (ValueError, FileNotFoundError) as e:
        raise SystemExit(f"error: {e}")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
