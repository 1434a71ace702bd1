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
``state["data_changes"]``, and in ``adv_weight`` (adding the adversarial term to a run trained by
reconstruction alone), recorded in ``state["loss_changes"]``. Any ``--resume`` may change ``images_per_phase`` (re-planning a run
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
import copy
import json
import math
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from .avatars import render_batch
from .checkpoint import load_checkpoint, load_shared, save_atomic
from .data import DataSource
from .losses import generator_terms
from .warm_start import init_from_model
from .identity import render_latents
from .config import TrainConfig, config_dict, load_config
from .model import Discriminator, Generator, channel_schedule


# Config keys that choose the data, not the model: an --extend run may change them (fine-tuning a
# finished run on more kinds of poses).
DATA_KEYS = {"pose_files", "pose_fraction", "dataset_pool", "fed_fraction", "arm_fraction"}
# Loss weights an --extend run may change: adversarial fine-tuning of a reconstruction-trained run.
LOSS_KEYS = {"adv_weight", "edge_weight", "colour_weight", "coverage_weight"}
# Config keys that only re-plan the schedule: any --resume may change them.
SCHEDULE_KEYS = {"images_per_phase", "gp_every", "bf16", "channels_last"}
# What a checkpoint's state records of how the run got there: exports copy it into ``train_state``,
# a grown run into its ``grown_from``.
HISTORY_KEYS = ("extended", "schedule_changes", "data_changes", "loss_changes", "grown_from", "initialised_from")


def stored_config(ck: dict) -> dict:
    """A checkpoint's config with the defaults of keys added since it was written."""
    return {**config_dict(TrainConfig()), **ck["config"]}


def build_models(cfg: TrainConfig) -> tuple[Generator, Discriminator]:
    """Generator and critic for a config (weights seeded from ``cfg.seed``)."""
    torch.manual_seed(cfg.seed)
    ch = channel_schedule(cfg.resolution, cfg.channel_base, cfg.channel_max)
    ch.update({int(s): c for s, c in cfg.channels.items()})
    g = Generator(cfg.resolution, cfg.latent_dim, cfg.keypoints, ch, cfg.layout, coverage=cfg.coverage)
    g.freeze_dense_row_bias()
    d = Discriminator(cfg.resolution, cfg.keypoints, ch)
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
    that many more images; ``grow_from`` starts from a finished run at half the resolution."""
    started = time.monotonic()
    dev = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    if dev.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    out.mkdir(parents=True, exist_ok=True)
    ckpt_path = out / "checkpoint.pt"
    g, d = build_models(cfg)
    g.to(dev); d.to(dev)
    g_ema = None
    if cfg.ema_beta > 0:
        g_ema = copy.deepcopy(g).requires_grad_(False)
    opt_g = torch.optim.Adam([p for p in g.parameters() if p.requires_grad], lr=cfg.learning_rate, betas=(cfg.generator_beta1, 0.99))
    opt_d = torch.optim.Adam(d.parameters(), lr=cfg.learning_rate, betas=(0.0, 0.99))
    plan = phases(cfg)
    state = {"phase": 0, "images": 0, "step": 0}
    extend_changes = None
    rng = torch.Generator().manual_seed(cfg.seed + 1)
    if grow_from is not None:
        if resume or extend:
            raise ValueError("--grow-from starts a new run: not with --resume or --extend "
                             "(resume the grown run with --resume alone)")
        if ckpt_path.exists():
            raise ValueError(f"{ckpt_path} exists: --grow-from starts a new run (use --resume to continue it)")
        state = grow_start(cfg, Path(grow_from), g, d, g_ema, log)
    if init_from is not None:
        if resume or extend or grow_from is not None:
            raise ValueError("--init-from starts a new run: not with --resume, --extend or --grow-from")
        if ckpt_path.exists():
            raise ValueError(f"{ckpt_path} exists: --init-from starts a new run (use --resume to continue it)")
        record = init_from_model(g, init_from, seed=cfg.seed)
        if g_ema is not None:
            g_ema.load_state_dict(g.state_dict())
        # A finished network: straight to the last phase (stable, full resolution).
        state = {"phase": len(plan) - 1, "images": 0, "step": 0, "initialised_from": record}
        log(f"initialised from {init_from}" + (f", widened {record['widened']}" if record["widened"] else ""))
    if resume:
        if not ckpt_path.exists():
            raise FileNotFoundError(f"--resume: no checkpoint at {ckpt_path}")
        ck = load_checkpoint(ckpt_path, map_location=dev)
        old_config, new_config = stored_config(ck), config_dict(cfg)
        changed = sorted(k for k in set(old_config) | set(new_config) if old_config.get(k) != new_config.get(k))
        schedule = [k for k in changed if k in SCHEDULE_KEYS]
        other_keys = [k for k in changed if k not in SCHEDULE_KEYS]
        if other_keys:
            if not (extend > 0 and set(other_keys) <= DATA_KEYS | LOSS_KEYS):
                raise ValueError(f"{ckpt_path} was made with a different config: {ck['config']} "
                                 f"(only --extend may change the data keys {sorted(DATA_KEYS)} and "
                                 f"{sorted(LOSS_KEYS)}; any --resume may change {sorted(SCHEDULE_KEYS)})")
            log(f"extending with new settings: {', '.join(other_keys)}")
            extend_changes = {k: new_config[k] for k in other_keys}
        g.load_state_dict(ck["generator"]); d.load_state_dict(ck["discriminator"])
        if g_ema is not None:
            g_ema.load_state_dict(ck.get("generator_ema", ck["generator"]))
        if "opt_g" in ck and "opt_d" in ck:
            opt_g.load_state_dict(ck["opt_g"]); opt_d.load_state_dict(ck["opt_d"])
        else:
            log("the checkpoint holds no optimiser states: Adam starts afresh")
        state = ck["state"]; rng.set_state(ck["rng"].cpu())
        if schedule:
            state["schedule_changes"] = state.get("schedule_changes", []) + [
                {"at_step": state["step"], **{k: new_config[k] for k in schedule}}]
            log(f"re-planned: {', '.join(f'{k} {old_config[k]} -> {new_config[k]}' for k in schedule)}")
        log(f"resumed at phase {state['phase']}, {state['images']} images into it, step {state['step']}")
    if extend > 0:
        if not resume or state["phase"] < len(plan):
            raise ValueError("--extend continues a finished run: use it with --resume once the run has completed")
        state["phase"] = len(plan) - 1
        state["images"] = cfg.images_per_phase - extend
        state["extended"] = state.get("extended", 0)
        state["extending"] = True
        for name, keys in (("data_changes", DATA_KEYS), ("loss_changes", LOSS_KEYS)):
            changes = {k: v for k, v in (extend_changes or {}).items() if k in keys}
            if changes:
                state[name] = state.get(name, []) + [{"at_step": state["step"], **changes}]
        log(f"extending the last phase by up to {extend} images ({state['extended']} extended before)")
    t0 = time.time()
    data = DataSource(cfg, dev, log, cache_dir=out)
    if cfg.channels_last:
        g.to(memory_format=torch.channels_last); d.to(memory_format=torch.channels_last)
    autocast = torch.autocast(dev.type, dtype=torch.bfloat16, enabled=cfg.bf16)
    log(f"dataset ready in {time.time() - t0:.1f}s")

    def save() -> None:
        ck = {"config": config_dict(cfg), "generator": g.state_dict(), "discriminator": d.state_dict(),
              "opt_g": opt_g.state_dict(), "opt_d": opt_d.state_dict(), "state": state,
              "rng": rng.get_state()}
        if g_ema is not None:
            ck["generator_ema"] = g_ema.state_dict()
        save_atomic(ck, ckpt_path)

    ema_pairs = None
    if g_ema is not None:
        ema_pairs = ([p for p in g_ema.parameters()], [p for p in g.parameters()])
    steps_run = 0
    gp = torch.zeros((), device=dev)
    last = {}
    losses = None

    def read_losses() -> dict:
        return {k: v.item() for k, v in losses.items()} if losses else last

    while state["phase"] < len(plan):
        level, fading = plan[state["phase"]]
        while state["images"] < cfg.images_per_phase:
            out_of_time = max_seconds is not None and time.monotonic() - started >= max_seconds
            if out_of_time or (max_steps is not None and steps_run >= max_steps):
                save()
                if out_of_time:
                    log(f"stopping after {max_seconds:g} s at step {state['step']} (checkpoint written)")
                return {"stopped": True, **state, **read_losses()}
            alpha = min(1.0, state["images"] / cfg.images_per_phase) if fading else 1.0
            real, kp, z_data = data.batch(state["step"], rng)
            real = downscale(real, level, alpha, cfg.resolution)
            b = real.shape[0]
            z = z_data if z_data is not None else torch.randn(b, cfg.latent_dim, generator=rng).to(dev)
            # Critic step: WGAN-GP with drift; the penalty every gp_every steps, weighted by it.
            # Without an adversarial term (adv_weight 0: reconstruction alone) the critic is not trained.
            loss_d = torch.zeros((), device=dev)
            if cfg.adv_weight > 0:
                with autocast:
                    fake = g(z, kp, level, alpha).detach()
                    d_real, d_fake = d(real[:, :3], kp, level, alpha).float(), d(fake[:, :3], kp, level, alpha).float()
                loss_d = d_fake.mean() - d_real.mean() + 0.001 * (d_real ** 2).mean()
                if state["step"] % cfg.gp_every == 0:
                    eps = torch.rand(b, 1, 1, 1, generator=rng).to(dev)
                    mix = (eps * real[:, :3] + (1 - eps) * fake[:, :3].float()).requires_grad_(True)
                    grad, = torch.autograd.grad(d(mix, kp, level, alpha).sum(), mix, create_graph=True)
                    gp = ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()
                    loss_d = loss_d + 10 * cfg.gp_every * gp
                opt_d.zero_grad(set_to_none=True); loss_d.backward(); opt_d.step()
            # Generator step: adversarial, plus reconstruction of the latent's own look (identity).
            if z_data is None:
                z = torch.randn(b, cfg.latent_dim, generator=rng).to(dev)
            with autocast:
                fake = g(z, kp, level, alpha)
                loss_g = (-d(fake[:, :3], kp, level, alpha).float().mean() * cfg.adv_weight if cfg.adv_weight > 0
                          else torch.zeros((), device=dev))
            terms = (generator_terms(fake.float(), real, cfg.recon_weight, cfg.colour_weight, cfg.edge_weight,
                                     cfg.coverage_weight) if z_data is not None else {})
            recon = terms["recon"] / cfg.recon_weight if terms else torch.zeros((), device=dev)
            loss_g = loss_g + sum(terms.values())
            opt_g.zero_grad(set_to_none=True); loss_g.backward(); opt_g.step()
            if ema_pairs is not None:
                with torch.no_grad():
                    torch._foreach_lerp_(ema_pairs[0], ema_pairs[1], 1.0 - cfg.ema_beta)
            state["images"] += b; state["step"] += 1; steps_run += 1
            if state.get("extending"):
                state["extended"] += b
            losses = {"loss_d": loss_d.detach(), "loss_g": loss_g.detach(), "gp": gp.detach(), "recon": recon.detach(),
                      **{f"term_{k}": v.detach() for k, v in terms.items() if k != "recon"}}
            if state["step"] % cfg.checkpoint_every == 0:
                save()
            if state["step"] % 10 == 0:
                last = read_losses()
                log(f"step {state['step']} level {level} ({4 * 2 ** level}px) {'fade' if fading else 'stable'} "
                    f"alpha {alpha:.2f} loss_d {last['loss_d']:.3f} loss_g {last['loss_g']:.3f} gp {last['gp']:.3f} "
                    f"recon {last['recon']:.3f} "
                    + "".join(f"{k[5:]} {v:.3f} " for k, v in last.items() if k.startswith("term_")) +
                    f"[{time.time() - t0:.0f}s]")
        state["phase"] += 1; state["images"] = 0
        state.pop("extending", None)
        save()
        write_samples(g_ema or g, cfg, out / f"samples-phase{state['phase'] - 1}.png", level, 1.0)
    save()
    write_samples(g_ema or g, cfg, out / "samples.png")
    return {"stopped": False, **state, **read_losses(), "seconds": time.time() - t0}


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
