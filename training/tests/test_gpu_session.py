"""What a run on a lent machine relies on: the smoothed generator, a time limit, re-planning, and
checkpoints packed small enough to travel."""
import pytest
import torch

from psgan_train.config import TrainConfig
from psgan_train.export import load_checkpoint_generator
from psgan_train.portable import pack, unpack
from psgan_train.train import train

TINY_EMA = TrainConfig(resolution=16, latent_dim=8, channel_base=16, channel_max=8, batch_size=4,
                       images_per_phase=8, dataset_pool=16, seed=3, ema_beta=0.5)


def quiet(*_):
    pass


def test_moving_average_is_kept_and_exported(tmp_path):
    train(TINY_EMA, tmp_path, max_steps=1, device="cpu", log=quiet)
    ck = torch.load(tmp_path / "checkpoint.pt", weights_only=False)
    assert "generator_ema" in ck
    # Built from the same initial weights, one step with beta 0.5 puts the average half way.
    from psgan_train.train import build_models
    g0, _ = build_models(TINY_EMA)
    init = g0.state_dict()
    trained, ema = ck["generator"], ck["generator_ema"]
    changed = [k for k in trained if not torch.equal(trained[k], init[k])]
    assert changed, "one step changed no generator weight"
    for k in changed:
        torch.testing.assert_close(ema[k], (init[k] + trained[k]) / 2)
    smoothed, _ = load_checkpoint_generator(tmp_path / "checkpoint.pt")
    raw, _ = load_checkpoint_generator(tmp_path / "checkpoint.pt", raw=True)
    k = changed[0]
    assert torch.equal(smoothed.state_dict()[k], ema[k])
    assert torch.equal(raw.state_dict()[k], trained[k])


def test_max_seconds_stops_with_a_checkpoint(tmp_path):
    out = train(TINY_EMA, tmp_path, max_seconds=0, device="cpu", log=quiet)
    assert out["stopped"] and out["step"] == 0
    assert (tmp_path / "checkpoint.pt").exists()


def test_resume_may_replan_images_per_phase(tmp_path):
    first = train(TINY_EMA, tmp_path, max_steps=3, device="cpu", log=quiet)
    assert first["phase"] == 1 and first["images"] == 4  # phase 0 took 2 steps of 4 images
    shorter = TrainConfig(**{**TINY_EMA.__dict__, "images_per_phase": 4})
    done = train(shorter, tmp_path, resume=True, device="cpu", log=quiet)
    # Phase 1 already has 4 images, so it ends at once; 3 phases of one step each remain.
    assert not done["stopped"] and done["phase"] == 5 and done["step"] == 6
    ck = torch.load(tmp_path / "checkpoint.pt", weights_only=False)
    assert ck["state"]["schedule_changes"] == [{"at_step": 3, "images_per_phase": 4}]
    other_data = TrainConfig(**{**shorter.__dict__, "dataset_pool": 8})
    with pytest.raises(ValueError, match="only --extend"):
        train(other_data, tmp_path, resume=True, device="cpu", log=quiet)


def test_packed_checkpoint_resumes(tmp_path):
    train(TINY_EMA, tmp_path / "run", max_steps=2, device="cpu", log=quiet)
    files = pack(tmp_path / "run" / "checkpoint.pt", tmp_path / "packed")
    assert sorted(f.name for f in files) == ["discriminator.pt", "generator.pt", "generator_ema.pt", "state.pt"]
    for f in files[:-1]:
        sd = torch.load(f, weights_only=False)
        assert all(v.dtype == torch.float16 for v in sd.values() if v.is_floating_point())
    unpack(tmp_path / "packed", tmp_path / "copy" / "checkpoint.pt")
    full = torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=False)
    back = torch.load(tmp_path / "copy" / "checkpoint.pt", weights_only=False)
    assert "opt_g" not in back and back["state"] == full["state"]
    for name in ("generator", "generator_ema", "discriminator"):
        for k, v in full[name].items():
            torch.testing.assert_close(back[name][k], v.half().float())
    said = []
    more = train(TINY_EMA, tmp_path / "copy", resume=True, max_steps=1, device="cpu", log=said.append)
    assert more["step"] == 3
    assert any("Adam starts afresh" in line for line in said)


def test_unpack_refuses_a_folder_without_a_pack(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a packed checkpoint"):
        unpack(tmp_path, tmp_path / "checkpoint.pt")
    for name in ("state.pt", "generator.pt", "discriminator.pt"):
        (tmp_path / name).write_bytes(b"junk")
    with pytest.raises(ValueError, match="state.pt: not a packed checkpoint file"):
        unpack(tmp_path, tmp_path / "checkpoint.pt")
    assert not (tmp_path / "checkpoint.pt").exists()


def test_pack_refuses_a_file_that_is_not_a_checkpoint(tmp_path):
    (tmp_path / "junk.pt").write_bytes(b"junk")
    with pytest.raises(ValueError, match="junk.pt: not a training checkpoint"):
        pack(tmp_path / "junk.pt", tmp_path / "packed")
    assert not (tmp_path / "packed").exists()


def test_pack_without_the_average_resumes_from_the_generator(tmp_path):
    # Where the working tree leaves too little room to carry all three networks, the average may stay
    # behind: it restarts from the generator's weights.
    train(TINY_EMA, tmp_path / "run", max_steps=2, device="cpu", log=quiet)
    pack(tmp_path / "run" / "checkpoint.pt", tmp_path / "packed")
    (tmp_path / "packed" / "generator_ema.pt").unlink()
    unpack(tmp_path / "packed", tmp_path / "copy" / "checkpoint.pt")
    back = torch.load(tmp_path / "copy" / "checkpoint.pt", weights_only=False)
    assert "generator_ema" not in back
    train(TINY_EMA, tmp_path / "copy", resume=True, max_steps=0, device="cpu", log=quiet)
    ck = torch.load(tmp_path / "copy" / "checkpoint.pt", weights_only=False)
    for k, v in ck["generator"].items():
        assert torch.equal(ck["generator_ema"][k], v)


def test_resume_may_lower_the_learning_rate(tmp_path):
    train(TINY_EMA, tmp_path, max_steps=2, device="cpu", log=quiet)
    slower = TrainConfig(**{**TINY_EMA.__dict__, "learning_rate": TINY_EMA.learning_rate / 4})
    train(slower, tmp_path, resume=True, max_steps=1, device="cpu", log=quiet)
    ck = torch.load(tmp_path / "checkpoint.pt", weights_only=False)
    assert ck["state"]["schedule_changes"] == [{"at_step": 2, "learning_rate": TINY_EMA.learning_rate / 4}]
    # Adam's stored step size is the new one, for the generator and the critic alike.
    assert {g["lr"] for g in ck["opt_g"]["param_groups"] + ck["opt_d"]["param_groups"]} == {TINY_EMA.learning_rate / 4}
