"""Weight averaging of two checkpoints of one run (psgan_train.average)."""
import shutil

import pytest
import torch

from psgan_train.average import average, main
from psgan_train.config import TrainConfig
from psgan_train.train import train

TINY = TrainConfig(resolution=16, latent_dim=8, channel_base=16, channel_max=8, batch_size=4,
                   images_per_phase=8, dataset_pool=16, seed=3, ema_beta=0.5)


def quiet(*_):
    pass


def test_average_lies_between_two_checkpoints_of_one_run(tmp_path):
    train(TINY, tmp_path / "run", max_steps=2, device="cpu", log=quiet)
    shutil.copy(tmp_path / "run" / "checkpoint.pt", tmp_path / "a.pt")
    train(TINY, tmp_path / "run", resume=True, max_steps=2, device="cpu", log=quiet)
    a = torch.load(tmp_path / "a.pt", weights_only=False)
    b = torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=False)
    main([str(tmp_path / "a.pt"), str(tmp_path / "run" / "checkpoint.pt"), "--weight", "0.25", "--out", str(tmp_path / "c.pt")])
    c = torch.load(tmp_path / "c.pt", weights_only=False)
    for key in ("generator", "generator_ema"):
        moved = 0
        for name, tensor in c[key].items():
            if tensor.is_floating_point():
                assert torch.allclose(tensor, 0.75 * a[key][name] + 0.25 * b[key][name], atol=1e-6)
                moved += not torch.equal(a[key][name], b[key][name])
        assert moved > 0  # two steps apart, the weights differ
    # The rest is the second checkpoint's, and the state says what was averaged.
    assert all(torch.equal(c["discriminator"][k], b["discriminator"][k]) for k in b["discriminator"])
    assert c["state"]["step"] == 4 and c["state"]["weight_average"]["first_step"] == 2
    assert c["state"]["weight_average"]["weight_of_second"] == 0.25
    # It resumes like any checkpoint.
    shutil.copy(tmp_path / "c.pt", tmp_path / "run" / "checkpoint.pt")
    assert train(TINY, tmp_path / "run", resume=True, max_steps=1, device="cpu", log=quiet)["step"] == 5


def test_average_refuses_two_runs_and_bad_weights(tmp_path):
    other = TrainConfig(**{**TINY.__dict__, "channel_max": 4})
    train(TINY, tmp_path / "a", max_steps=1, device="cpu", log=quiet)
    train(other, tmp_path / "b", max_steps=1, device="cpu", log=quiet)
    a = torch.load(tmp_path / "a" / "checkpoint.pt", weights_only=False)
    b = torch.load(tmp_path / "b" / "checkpoint.pt", weights_only=False)
    with pytest.raises(ValueError, match="channel_max"):
        average(a, b, 0.5)
    with pytest.raises(ValueError, match="weight"):
        average(a, a, 1.5)
    with pytest.raises(SystemExit, match="no checkpoint"):
        main([str(tmp_path / "missing.pt"), str(tmp_path / "a" / "checkpoint.pt"), "--out", str(tmp_path / "c.pt")])
    assert not (tmp_path / "c.pt").exists()
