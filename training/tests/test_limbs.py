"""The ``coco18-limbs`` layout: derived limb points by hand, the golden file reproduced, and a
``coco18`` model warm-starting a limbs run with its output unchanged."""
import torch

from conftest import GOLDEN
from psgan_train.config import TrainConfig
from psgan_train.contract import load_generator_file
from psgan_train.model import Generator, condition_keypoints, limb_points
from psgan_train.warm_start import init_from_model

TINY_ALPHA = GOLDEN / "psgan-tiny-alpha" / "model.safetensors"


def test_limb_points_by_hand():
    kp = torch.zeros(1, 18, 3)
    kp[0, :, 2] = 1.0
    kp[0, 2, :2] = torch.tensor([10.0, 20.0])   # right shoulder
    kp[0, 3, :2] = torch.tensor([18.0, 28.0])   # right elbow
    kp[0, 6, 2] = 0.0                           # left elbow missing
    pts = limb_points(kp)[0]
    assert pts.shape == (24, 3) and pts.dtype == torch.float64
    # The right upper arm: a quarter, half and three quarters of the way from (10, 20) to (18, 28).
    assert pts[:3, :2].tolist() == [[12.0, 22.0], [14.0, 24.0], [16.0, 26.0]]
    # Both left-arm segments touch the missing elbow: their six points are missing.
    assert (pts[6:12, 2] == 0).all() and (pts[12:, 2] > 0).all()
    assert condition_keypoints(kp, "coco18").shape == (1, 18, 3)
    assert condition_keypoints(kp, "coco18-limbs").shape == (1, 42, 3)


def test_golden_limbs_model_reproduced():
    import json
    folder = GOLDEN / "psgan-tiny-limbs"
    g = load_generator_file(str(folder / "model.safetensors")).eval()
    from safetensors.torch import load_file
    expected = load_file(str(folder / "expected.safetensors"))
    for i, case in enumerate(json.loads((folder / "cases.json").read_text())):
        kp = torch.tensor(case["keypoints"])[None]
        assert torch.equal(limb_points(kp)[0], torch.tensor(case["derived"], dtype=torch.float64))
        with torch.no_grad():
            y = g(torch.tensor(case["latent"])[None], kp)[0]
        assert ((y - expected[f"case{i}.rgb"]).norm() / expected[f"case{i}.rgb"].norm()) < 1e-5


def test_a_coco18_model_starts_a_limbs_run_unchanged():
    src = load_generator_file(str(TINY_ALPHA)).eval()
    g = Generator(src.resolution, src.latent_dim, 42, src.channels, "coco18-limbs", coverage=True)
    init_from_model(g, str(TINY_ALPHA))
    z = torch.randn(3, src.latent_dim, generator=torch.Generator().manual_seed(1))
    kp = torch.rand(3, 18, 3, generator=torch.Generator().manual_seed(2)) * torch.tensor([32.0, 32.0, 1.0])
    with torch.no_grad():
        a, b = src(z, kp), g.eval()(z, kp)
    assert ((a - b).norm() / a.norm()) < 1e-5
    # The new pose maps start at zero weight, and a limbs layout needs its 42 keypoints.
    assert (g.b4.weight[:, src.channels[4] + 18:] == 0).all()
    try:
        TrainConfig(layout="coco18-limbs", keypoints=18).validate()
    except ValueError as e:
        assert "42" in str(e)
    else:
        raise AssertionError("coco18-limbs with 18 keypoints was accepted")
