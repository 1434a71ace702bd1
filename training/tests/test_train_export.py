"""A few training steps, resume, export and the round trip through psgan."""
import json
from pathlib import Path

import pytest
import torch
from safetensors import safe_open

from psgan_train.config import TrainConfig, load_config
from psgan_train.export import check_with_psgan, export, find_psgan, load_checkpoint_generator
from psgan_train.train import build_models, train

TINY = TrainConfig(resolution=16, latent_dim=8, channel_base=16, channel_max=8, batch_size=4,
                   images_per_phase=8, dataset_pool=16, seed=3)


def quiet(*_):
    pass


def test_train_then_resume(tmp_path):
    first = train(TINY, tmp_path, max_steps=3, device="cpu", log=quiet)
    assert first["stopped"] and first["step"] == 3
    ck = torch.load(tmp_path / "checkpoint.pt", weights_only=False)
    assert ck["state"]["step"] == 3
    done = train(TINY, tmp_path, resume=True, device="cpu", log=quiet)
    # 5 phases at R=16 (4 stable, 8 fade+stable, 16 fade+stable), 2 steps each.
    assert not done["stopped"] and done["phase"] == 5 and done["step"] == 10
    assert torch.isfinite(torch.tensor(done["loss_d"]))
    assert (tmp_path / "samples.png").exists()
    assert sorted(p.name for p in tmp_path.glob("samples-phase*.png")) == [f"samples-phase{i}.png" for i in range(5)]


def test_extend_continues_a_finished_run(tmp_path):
    with pytest.raises(ValueError, match="finished run"):
        train(TINY, tmp_path, max_steps=2, device="cpu", log=quiet, extend=8)
    done = train(TINY, tmp_path, device="cpu", log=quiet)
    assert done["step"] == 10
    more = train(TINY, tmp_path, resume=True, device="cpu", log=quiet, extend=8)
    # 8 more images at batch size 4: two more steps of the last (stable, 16 px) phase.
    assert not more["stopped"] and more["step"] == 12 and more["phase"] == 5
    ck = torch.load(tmp_path / "checkpoint.pt", weights_only=False)
    assert ck["state"]["extended"] == 8
    # Extending may change the data (not the model), and says so in the state.
    other_data = TrainConfig(**{**TINY.__dict__, "dataset_pool": 8, "pose_fraction": 0.25})
    with pytest.raises(ValueError, match="only --extend"):
        train(other_data, tmp_path, resume=True, device="cpu", log=quiet)
    other_model = TrainConfig(**{**TINY.__dict__, "channel_max": 4})
    with pytest.raises(ValueError, match="different config"):
        train(other_model, tmp_path, resume=True, device="cpu", log=quiet, extend=4)
    again = train(other_data, tmp_path, resume=True, device="cpu", log=quiet, extend=4)
    assert again["step"] == 13
    ck = torch.load(tmp_path / "checkpoint.pt", weights_only=False)
    assert ck["state"]["extended"] == 12
    assert ck["state"]["data_changes"] == [{"at_step": 12, "dataset_pool": 8, "pose_fraction": 0.25}]
    assert ck["config"]["dataset_pool"] == 8
    # ... and add the adversarial term to a run trained by reconstruction alone.
    adversarial = TrainConfig(**{**other_data.__dict__, "adv_weight": 0.5})
    train(adversarial, tmp_path, resume=True, device="cpu", log=quiet, extend=4)
    ck = torch.load(tmp_path / "checkpoint.pt", weights_only=False)
    assert ck["state"]["loss_changes"] == [{"at_step": 13, "adv_weight": 0.5}]
    assert len(ck["state"]["data_changes"]) == 1 and ck["config"]["adv_weight"] == 0.5
    # Any --resume may re-weight the losses (here mid-extension), recorded at the step it happened.
    softer = TrainConfig(**{**adversarial.__dict__, "adv_weight": 0.25})
    train(softer, tmp_path, resume=True, device="cpu", log=quiet, max_steps=1)
    ck = torch.load(tmp_path / "checkpoint.pt", weights_only=False)
    assert ck["state"]["loss_changes"] == [{"at_step": 13, "adv_weight": 0.5}, {"at_step": 14, "adv_weight": 0.25}]
    assert ck["config"]["adv_weight"] == 0.25


def test_grow_from_starts_the_next_size_where_the_smaller_run_left_off(tmp_path):
    small_dir, big_dir = tmp_path / "small", tmp_path / "big"
    big = TrainConfig(**{**TINY.__dict__, "resolution": 32})
    train(TINY, small_dir, max_steps=3, device="cpu", log=quiet)
    with pytest.raises(ValueError, match="not finished"):
        train(big, big_dir, grow_from=small_dir, device="cpu", log=quiet)
    train(TINY, small_dir, resume=True, device="cpu", log=quiet)
    with pytest.raises(ValueError, match="half the resolution"):
        train(TINY, tmp_path / "same", grow_from=small_dir, device="cpu", log=quiet)
    wider = TrainConfig(**{**big.__dict__, "channel_max": 16})
    with pytest.raises(ValueError, match="does not fit"):
        train(wider, tmp_path / "wider", grow_from=small_dir, device="cpu", log=quiet)
    with pytest.raises(ValueError, match="new run"):
        train(big, small_dir, resume=True, grow_from=small_dir, device="cpu", log=quiet)
    # Stop before the first step: the grown checkpoint holds the smaller run's weights.
    first = train(big, big_dir, grow_from=small_dir, max_steps=0, device="cpu", log=quiet)
    assert first["stopped"] and first["phase"] == 5 and first["step"] == 10 and first["images"] == 0
    small_ck = torch.load(small_dir / "checkpoint.pt", weights_only=False)
    ck = torch.load(big_dir / "checkpoint.pt", weights_only=False)
    assert ck["state"]["grown_from"] == {"resolution": 16, "step": 10, "images_shown": 40}
    for part in ("generator", "generator_ema", "discriminator"):
        for name, t in small_ck[part if part in small_ck else "generator"].items():
            assert torch.equal(ck[part if part in ck else "generator"][name], t), (part, name)
    assert "conv0.2.weight" in ck["generator"] and "conv0.2.weight" not in small_ck["generator"]
    # At the start of the fade-in (alpha 0) the grown generator draws the smaller one's image,
    # each pixel doubled (keypoints at twice the coordinates give the same coarse pose maps).
    g_small, _ = build_models(TINY); g_small.load_state_dict(small_ck["generator"])
    g_big, _ = build_models(big); g_big.load_state_dict(ck["generator"])
    z = torch.randn(2, TINY.latent_dim, generator=torch.Generator().manual_seed(0))
    kp = torch.rand(2, 18, 3, generator=torch.Generator().manual_seed(1)) * 15
    kp[..., 2] = 1.0
    with torch.no_grad():
        small_img = g_small(z, kp)
        kp_big = kp.clone(); kp_big[..., :2] *= 2
        grown_img = g_big(z, kp_big, level=3, alpha=0.0)
    assert torch.allclose(grown_img, torch.nn.functional.interpolate(small_img, scale_factor=2), atol=1e-5)
    assert not torch.allclose(g_big(z, kp_big).detach(), grown_img, atol=1e-3)  # the new layers draw otherwise
    # Resuming the grown run finishes the 32 px fade-in and stable phases (2 steps each).
    done = train(big, big_dir, resume=True, device="cpu", log=quiet)
    assert not done["stopped"] and done["phase"] == 7 and done["step"] == 14
    # Grown again, the record keeps the whole chain.
    bigger = TrainConfig(**{**TINY.__dict__, "resolution": 64})
    again = train(bigger, tmp_path / "bigger", grow_from=big_dir / "checkpoint.pt", max_steps=0, device="cpu", log=quiet)
    assert again["grown_from"] == {"resolution": 32, "step": 14, "images_shown": 56,
                                   "grown_from": {"resolution": 16, "step": 10, "images_shown": 40}}


def test_resume_without_checkpoint_fails(tmp_path):
    with pytest.raises(FileNotFoundError):
        train(TINY, tmp_path / "none", resume=True, device="cpu", log=quiet)


def test_resume_with_other_config_fails(tmp_path):
    train(TINY, tmp_path, max_steps=1, device="cpu", log=quiet)
    other = TrainConfig(**{**TINY.__dict__, "seed": 4})
    with pytest.raises(ValueError):
        train(other, tmp_path, resume=True, device="cpu", log=quiet)


def test_bad_configs(tmp_path):
    with pytest.raises(ValueError, match="no config"):
        load_config("nonexistent")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"resolution": 48}))
    with pytest.raises(ValueError, match="power of two"):
        load_config(str(bad))
    bad.write_text(json.dumps({"resolutoin": 32}))
    with pytest.raises(ValueError, match="unknown keys"):
        load_config(str(bad))
    assert load_config("smoke").resolution == 32 and load_config("full").resolution == 256


def test_missing_checkpoint_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        load_checkpoint_generator(tmp_path / "nope.pt")
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="not a training checkpoint"):
        load_checkpoint_generator(junk)


def test_export_file_follows_the_contract(tmp_path):
    g, _ = build_models(TINY)
    path = tmp_path / "g.safetensors"
    export(g, path)
    with safe_open(str(path), framework="pt") as f:
        meta = f.metadata()
        assert meta["format"] == "psgan-generator" and meta["version"] == "1"
        config = json.loads(meta["config"])
        assert config["resolution"] == 16 and config["keypoints"] == 18
        c = {int(k): v for k, v in config["channels"].items()}
        shapes = {k: tuple(f.get_slice(k).get_shape()) for k in f.keys()}
    assert shapes["dense.weight"] == (c[4] * 16, 8)
    assert shapes["b4.conv.weight"] == (c[4], c[4] + 18, 3, 3)
    assert shapes["b16.conv0.weight"] == (c[16], c[8] + 18, 3, 3)
    assert shapes["torgb.weight"] == (3, c[16], 1, 1)
    assert len(shapes) == 2 + 2 + 4 * 2 + 2


def test_export_is_byte_for_byte_reproducible(tmp_path):
    import hashlib
    g, _ = build_models(TINY)
    digests = set()
    for i in range(4):
        path = tmp_path / f"g{i}.safetensors"
        export(g, path, extra={"trained_by": "test", "train_state": {"step": 3, "images": 12}})
        digests.add(hashlib.sha256(path.read_bytes()).hexdigest())
        raw = path.read_bytes()
        length = int.from_bytes(raw[:8], "little")
        assert length % 8 == 0 and json.loads(raw[8:8 + length])["__metadata__"]["format"] == "psgan-generator"
    assert len(digests) == 1
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("f16", [False, True])
def test_export_round_trip_through_psgan(tmp_path, f16):
    psgan = find_psgan()
    if psgan is None:
        pytest.skip("no psgan binary: run `swift build` in the repository root first")
    train(TINY, tmp_path, max_steps=4, device="cpu", log=quiet)
    g, _ = load_checkpoint_generator(tmp_path / "checkpoint.pt")
    path = tmp_path / "g.safetensors"
    export(g, path, f16=f16)
    err = check_with_psgan(g, path, psgan)
    print(f"export round trip ({'F16' if f16 else 'F32'}): relative L2 {err:.3e}")
    assert err < (2e-2 if f16 else 1e-4)


def test_psgan_model_eval_reproduces_golden(tmp_path, golden_dir):
    """`psgan model eval --latent FILE` against the independent golden vectors (checks the Swift side)."""
    import subprocess
    from safetensors.torch import load_file
    psgan = find_psgan()
    if psgan is None:
        pytest.skip("no psgan binary: run `swift build` in the repository root first")
    cases = json.loads((golden_dir / "cases.json").read_text())["cases"]
    expected = load_file(str(golden_dir / "expected.safetensors"))
    for i, c in enumerate(cases):
        (tmp_path / "z.json").write_text(json.dumps(c["z"]))
        (tmp_path / "kp.json").write_text(json.dumps(c["keypoints"]))
        subprocess.run([psgan, "model", "eval", "--model", str(golden_dir / "model.safetensors"),
                        "--latent", str(tmp_path / "z.json"), "--keypoints", str(tmp_path / "kp.json"),
                        "--out", str(tmp_path / "o.safetensors")], check=True, capture_output=True)
        got, ref = load_file(str(tmp_path / "o.safetensors"))["rgb"], expected[f"case{i}"]
        assert ((got - ref).norm() / ref.norm()).item() < 1e-5, i


def test_training_is_deterministic_from_the_seed(tmp_path):
    train(TINY, tmp_path / "a", max_steps=2, device="cpu", log=quiet)
    train(TINY, tmp_path / "b", max_steps=2, device="cpu", log=quiet)
    a = torch.load(tmp_path / "a" / "checkpoint.pt", weights_only=False)["generator"]
    b = torch.load(tmp_path / "b" / "checkpoint.pt", weights_only=False)["generator"]
    assert all(torch.equal(a[k], b[k]) for k in a)
    fresh, _ = build_models(TINY)
    assert any(not torch.equal(a[k], v) for k, v in fresh.state_dict().items())  # it did train


def test_resume_matches_an_uninterrupted_run(tmp_path):
    train(TINY, tmp_path / "straight", device="cpu", log=quiet)
    train(TINY, tmp_path / "split", max_steps=3, device="cpu", log=quiet)
    train(TINY, tmp_path / "split", resume=True, device="cpu", log=quiet)
    a = torch.load(tmp_path / "straight" / "checkpoint.pt", weights_only=False)
    b = torch.load(tmp_path / "split" / "checkpoint.pt", weights_only=False)
    assert a["state"] == b["state"]
    for k in a["generator"]:
        assert torch.allclose(a["generator"][k], b["generator"][k], rtol=1e-5, atol=1e-6), k
