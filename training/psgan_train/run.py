"""One training run as a value: ``start`` it (new, resumed, extended, grown or initialised from a
model file), ``step`` it, ``checkpoint`` it; ``train.train`` drives it with the time and step limits.

The checkpoint (``OUT/checkpoint.pt``) holds the config, the networks (and the generator's moving
average), the optimisers, the schedule state and the data RNG; written through a temporary file.
"""
from __future__ import annotations

import copy
import time
from pathlib import Path

import torch

from .checkpoint import load_checkpoint, save_atomic
from .config import TrainConfig, config_dict
from .data import DataSource
from .losses import generator_terms
from .train import (DATA_KEYS, LOSS_KEYS, SCHEDULE_KEYS, build_models, config_changes, downscale, grow_start, phases,
                    record_change, stored_config, write_samples)
from .warm_start import init_from_model


class Run:
    """A training run's networks, optimisers, schedule state and data, one step at a time."""

    def __init__(self, cfg: TrainConfig, out: Path, device: str | None = None, log=print):
        self.cfg, self.out, self.log = cfg, out, log
        self.dev = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        if self.dev.type == "cuda":
            torch.backends.cuda.matmul.allow_tf32 = True
            torch.backends.cudnn.allow_tf32 = True
        out.mkdir(parents=True, exist_ok=True)
        self.ckpt_path = out / "checkpoint.pt"
        self.g, self.d = build_models(cfg)
        self.g.to(self.dev); self.d.to(self.dev)
        self.g_ema = copy.deepcopy(self.g).requires_grad_(False) if cfg.ema_beta > 0 else None
        self.opt_g = torch.optim.Adam([p for p in self.g.parameters() if p.requires_grad], lr=cfg.learning_rate,
                                      betas=(cfg.generator_beta1, 0.99))
        self.opt_d = torch.optim.Adam(self.d.parameters(), lr=cfg.learning_rate, betas=(0.0, 0.99))
        self.plan = phases(cfg)
        self.state = {"phase": 0, "images": 0, "step": 0}
        self.rng = torch.Generator().manual_seed(cfg.seed + 1)
        self.data = None
        self.gp = torch.zeros((), device=self.dev)
        self._losses = None
        self._last = {}
        self.t0 = time.time()

    # MARK: start

    def start(self, resume: bool = False, extend: int = 0, grow_from: Path | None = None,
              init_from: str | None = None) -> None:
        """Sets the run's starting point (ValueError or FileNotFoundError for what cannot start),
        then makes the data ready."""
        cfg, log, g, d, g_ema = self.cfg, self.log, self.g, self.d, self.g_ema
        plan, ckpt_path = self.plan, self.ckpt_path
        extend_changes = None
        if grow_from is not None:
            if resume or extend:
                raise ValueError("--grow-from starts a new run: not with --resume or --extend "
                                 "(resume the grown run with --resume alone)")
            if ckpt_path.exists():
                raise ValueError(f"{ckpt_path} exists: --grow-from starts a new run (use --resume to continue it)")
            self.state = grow_start(cfg, Path(grow_from), g, d, g_ema, log)
        if init_from is not None:
            if resume or extend or grow_from is not None:
                raise ValueError("--init-from starts a new run: not with --resume, --extend or --grow-from")
            if ckpt_path.exists():
                raise ValueError(f"{ckpt_path} exists: --init-from starts a new run (use --resume to continue it)")
            record = init_from_model(g, init_from, seed=cfg.seed)
            if g_ema is not None:
                g_ema.load_state_dict(g.state_dict())
            # A finished network: straight to the last phase (stable, full resolution).
            self.state = {"phase": len(plan) - 1, "images": 0, "step": 0, "initialised_from": record}
            log(f"initialised from {init_from}" + (f", widened {record['widened']}" if record["widened"] else ""))
        if resume:
            extend_changes = self._resume(extend)
        if extend > 0:
            self._extend(resume, extend, extend_changes)
        t0 = time.time()
        self.data = DataSource(cfg, self.dev, log, cache_dir=self.out)
        if cfg.channels_last:
            g.to(memory_format=torch.channels_last); d.to(memory_format=torch.channels_last)
        self.autocast = torch.autocast(self.dev.type, dtype=torch.bfloat16, enabled=cfg.bf16)
        log(f"dataset ready in {time.time() - t0:.1f}s")
        self.t0 = t0
        self.ema_pairs = None
        if g_ema is not None:
            self.ema_pairs = ([p for p in g_ema.parameters()], [p for p in g.parameters()])

    def _resume(self, extend: int) -> dict | None:
        """Loads ``checkpoint.pt``; returns the config changes an ``--extend`` makes."""
        cfg, log, ckpt_path = self.cfg, self.log, self.ckpt_path
        if not ckpt_path.exists():
            raise FileNotFoundError(f"--resume: no checkpoint at {ckpt_path}")
        ck = load_checkpoint(ckpt_path, map_location=self.dev)
        old_config, new_config = stored_config(ck), config_dict(cfg)
        changed = config_changes(old_config, new_config)
        schedule = [k for k in changed if k in SCHEDULE_KEYS]
        losses = [k for k in changed if k in LOSS_KEYS]
        other_keys = [k for k in changed if k not in SCHEDULE_KEYS | LOSS_KEYS]
        extend_changes = None
        if other_keys:
            if not (extend > 0 and set(other_keys) <= DATA_KEYS):
                raise ValueError(f"{ckpt_path} was made with a different config: {ck['config']} "
                                 f"(only --extend may change the data keys {sorted(DATA_KEYS)}; any --resume "
                                 f"may change {sorted(SCHEDULE_KEYS | LOSS_KEYS)})")
            log(f"extending with new settings: {', '.join(other_keys)}")
            extend_changes = {k: new_config[k] for k in other_keys}
        self.g.load_state_dict(ck["generator"]); self.d.load_state_dict(ck["discriminator"])
        if self.g_ema is not None:
            self.g_ema.load_state_dict(ck.get("generator_ema", ck["generator"]))
        if "opt_g" in ck and "opt_d" in ck:
            self.opt_g.load_state_dict(ck["opt_g"]); self.opt_d.load_state_dict(ck["opt_d"])
            # The step size is the config's (a resume may lower it for the last stretch of a run).
            for group in self.opt_g.param_groups + self.opt_d.param_groups:
                group["lr"] = cfg.learning_rate
        else:
            log("the checkpoint holds no optimiser states: Adam starts afresh")
        self.state = state = ck["state"]; self.rng.set_state(ck["rng"].cpu())
        record_change(state, "loss_changes", {k: new_config[k] for k in losses})
        if losses:
            log(f"re-weighted: {', '.join(f'{k} {old_config[k]} -> {new_config[k]}' for k in losses)}")
        record_change(state, "schedule_changes", {k: new_config[k] for k in schedule})
        if schedule:
            log(f"re-planned: {', '.join(f'{k} {old_config[k]} -> {new_config[k]}' for k in schedule)}")
        log(f"resumed at phase {state['phase']}, {state['images']} images into it, step {state['step']}")
        return extend_changes

    def _extend(self, resume: bool, extend: int, extend_changes: dict | None) -> None:
        """Re-opens a finished run's last phase for ``extend`` more images."""
        state = self.state
        if not resume or state["phase"] < len(self.plan):
            raise ValueError("--extend continues a finished run: use it with --resume once the run has completed")
        state["phase"] = len(self.plan) - 1
        state["images"] = self.cfg.images_per_phase - extend
        state["extended"] = state.get("extended", 0)
        state["extending"] = True
        record_change(state, "data_changes", {k: v for k, v in (extend_changes or {}).items() if k in DATA_KEYS})
        self.log(f"extending the last phase by up to {extend} images ({state['extended']} extended before)")

    # MARK: step

    @property
    def finished(self) -> bool:
        """Whether every phase is done."""
        return self.state["phase"] >= len(self.plan)

    @property
    def phase_done(self) -> bool:
        """Whether the current phase has shown all its images (``end_phase`` is next)."""
        return self.state["images"] >= self.cfg.images_per_phase

    @property
    def seconds(self) -> float:
        """Seconds since the data was ready."""
        return time.time() - self.t0

    def step(self) -> None:
        """One critic step (when there is an adversarial term) and one generator step, a
        checkpoint every ``checkpoint_every`` steps and a log line every 10."""
        cfg, dev, g, d, state, rng = self.cfg, self.dev, self.g, self.d, self.state, self.rng
        level, fading = self.plan[state["phase"]]
        alpha = min(1.0, state["images"] / cfg.images_per_phase) if fading else 1.0
        real, kp, z_data = self.data.batch(state["step"], rng)
        real = downscale(real, level, alpha, cfg.resolution)
        b = real.shape[0]
        z = z_data if z_data is not None else torch.randn(b, cfg.latent_dim, generator=rng).to(dev)
        # Critic step: WGAN-GP with drift; the penalty every gp_every steps, weighted by it.
        # Without an adversarial term (adv_weight 0: reconstruction alone) the critic is not trained.
        loss_d = torch.zeros((), device=dev)
        if cfg.adv_weight > 0:
            with self.autocast:
                fake = g(z, kp, level, alpha).detach()
                d_real, d_fake = d(real[:, :3], kp, level, alpha).float(), d(fake[:, :3], kp, level, alpha).float()
            loss_d = d_fake.mean() - d_real.mean() + 0.001 * (d_real ** 2).mean()
            if state["step"] % cfg.gp_every == 0:
                eps = torch.rand(b, 1, 1, 1, generator=rng).to(dev)
                mix = (eps * real[:, :3] + (1 - eps) * fake[:, :3].float()).requires_grad_(True)
                grad, = torch.autograd.grad(d(mix, kp, level, alpha).sum(), mix, create_graph=True)
                self.gp = ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()
                loss_d = loss_d + 10 * cfg.gp_every * self.gp
            self.opt_d.zero_grad(set_to_none=True); loss_d.backward(); self.opt_d.step()
        # Generator step: adversarial, plus reconstruction of the latent's own look (identity).
        if z_data is None:
            z = torch.randn(b, cfg.latent_dim, generator=rng).to(dev)
        with self.autocast:
            fake = g(z, kp, level, alpha)
            loss_g = (-d(fake[:, :3], kp, level, alpha).float().mean() * cfg.adv_weight if cfg.adv_weight > 0
                      else torch.zeros((), device=dev))
        terms = (generator_terms(fake.float(), real, cfg.recon_weight, cfg.colour_weight, cfg.edge_weight,
                                 cfg.coverage_weight) if z_data is not None else {})
        recon = terms["recon"] / cfg.recon_weight if terms else torch.zeros((), device=dev)
        loss_g = loss_g + sum(terms.values())
        self.opt_g.zero_grad(set_to_none=True); loss_g.backward(); self.opt_g.step()
        if self.ema_pairs is not None:
            with torch.no_grad():
                torch._foreach_lerp_(self.ema_pairs[0], self.ema_pairs[1], 1.0 - cfg.ema_beta)
        state["images"] += b; state["step"] += 1
        if state.get("extending"):
            state["extended"] += b
        self._losses = {"loss_d": loss_d.detach(), "loss_g": loss_g.detach(), "gp": self.gp.detach(),
                        "recon": recon.detach(), **{f"term_{k}": v.detach() for k, v in terms.items() if k != "recon"}}
        if state["step"] % cfg.checkpoint_every == 0:
            self.checkpoint()
        if state["step"] % 10 == 0:
            last = self.losses()
            self.log(f"step {state['step']} level {level} ({4 * 2 ** level}px) {'fade' if fading else 'stable'} "
                     f"alpha {alpha:.2f} loss_d {last['loss_d']:.3f} loss_g {last['loss_g']:.3f} gp {last['gp']:.3f} "
                     f"recon {last['recon']:.3f} "
                     + "".join(f"{k[5:]} {v:.3f} " for k, v in last.items() if k.startswith("term_")) +
                     f"[{time.time() - self.t0:.0f}s]")

    def end_phase(self) -> None:
        """Moves to the next phase: a checkpoint and the finished phase's samples."""
        level = self.plan[self.state["phase"]][0]
        self.state["phase"] += 1; self.state["images"] = 0
        self.state.pop("extending", None)
        self.checkpoint()
        write_samples(self.g_ema or self.g, self.cfg, self.out / f"samples-phase{self.state['phase'] - 1}.png", level, 1.0)

    def losses(self) -> dict:
        """The last step's loss terms as numbers (named; ``term_*`` for the weighted extra terms)."""
        if self._losses:
            self._last = {k: v.item() for k, v in self._losses.items()}
            self._losses = None
        return self._last

    # MARK: checkpoint

    def checkpoint(self) -> None:
        """Writes ``checkpoint.pt`` (atomically)."""
        ck = {"config": config_dict(self.cfg), "generator": self.g.state_dict(), "discriminator": self.d.state_dict(),
              "opt_g": self.opt_g.state_dict(), "opt_d": self.opt_d.state_dict(), "state": self.state,
              "rng": self.rng.get_state()}
        if self.g_ema is not None:
            ck["generator_ema"] = self.g_ema.state_dict()
        save_atomic(ck, self.ckpt_path)
