"""Issue 28's training pieces: warm start (and exact widening) from a model file, the renderer's
exact coverage, the edge term, keypoints as psgan feeds them, raised arms, the uint8 pool cache."""
import math

import pytest
import torch

from conftest import GOLDEN
from psgan_train.avatars import Canvas, sd_ellipse
from psgan_train.config import TrainConfig
from psgan_train.contract import load_generator_file, seeded_latent
from psgan_train.data import DataSource
from psgan_train.identity import render_latents
from psgan_train.losses import generator_terms, gradient_l1
from psgan_train.model import Generator
from psgan_train.poses import figures_as_fed, raise_arms
from psgan_train.train import build_models, train
from psgan_train.warm_start import init_from_model

TINY_ALPHA = GOLDEN / "psgan-tiny-alpha" / "model.safetensors"


def _frames(n: int = 6) -> torch.Tensor:
    """Hand-made upright recorded frames (pose-file pixels, a small real-proportioned body)."""
    base = torch.tensor([[50, 20], [50, 30], [42, 31], [40, 42], [39, 52], [58, 31], [60, 42], [61, 52],
                         [45, 55], [45, 70], [45, 85], [55, 55], [55, 70], [55, 85], [48, 18], [52, 18],
                         [46, 19], [54, 19]], dtype=torch.float32)
    f = torch.cat([base, torch.ones(18, 1)], 1)[None].repeat(n, 1, 1)
    f[:, :, 0] += torch.arange(n)[:, None] * 3.0
    return f


def test_init_from_model_is_exact_and_widening_keeps_the_output():
    src = load_generator_file(str(TINY_ALPHA)).eval()
    z = torch.stack([seeded_latent(s, 16) for s in (1, 2)])
    kp = torch.tensor([[[8 + i, 4 + 1.3 * i, 1.0] for i in range(18)]] * 2)
    expected = src(z, kp).detach()
    for channels, noise in (({}, 0.02), ({"16": 24, "32": 16}, 0.0)):
        cfg = TrainConfig(resolution=32, latent_dim=16, channel_base=64, channel_max=16, coverage=True,
                          channels={"4": 16, "8": 16, "16": 12, "32": 8, **channels})
        g, _ = build_models(cfg)
        record = init_from_model(g, str(TINY_ALPHA), noise=noise)
        got = g.eval()(z, kp).detach()
        assert got.shape == (2, 4, 32, 32)
        err = float((got - expected).norm() / expected.norm())
        assert err < 1e-5, (channels, err)  # the same network in float32 (widened: sums regrouped)
        assert record["widened"] == ({"16": 2, "32": 2} if channels else {})
    # Noise on the copies makes them differ (so they can learn apart), and only then.
    cfg = TrainConfig(resolution=32, latent_dim=16, channel_base=64, channel_max=16, coverage=True,
                      channels={"4": 16, "8": 16, "16": 12, "32": 16})
    g, _ = build_models(cfg)
    init_from_model(g, str(TINY_ALPHA), noise=0.02)
    w = g.conv1[2].weight.detach()
    assert not torch.equal(w[:8], w[8:]) and float((w[:8] - w[8:]).abs().max()) < 0.2


def test_init_from_model_refuses_what_does_not_fit():
    for channels, match in (({"32": 12}, "8 channels at 32px"), ({"4": 32}, "at 4px")):
        cfg = TrainConfig(resolution=32, latent_dim=16, channel_base=64, channel_max=16,
                          channels={"4": 16, "8": 16, "16": 12, "32": 8, **channels})
        with pytest.raises(ValueError, match=match):
            init_from_model(build_models(cfg)[0], str(TINY_ALPHA))
    cfg = TrainConfig(resolution=32, latent_dim=32, channel_base=64, channel_max=16)
    with pytest.raises(ValueError, match="latent_dim 16 does not match"):
        init_from_model(build_models(cfg)[0], str(TINY_ALPHA))


def test_canvas_coverage_is_exact_by_hand():
    c = Canvas(1, 16, torch.device("cpu"))
    d = sd_ellipse(c.p, torch.tensor([[8.0, 8.0]]), torch.tensor([4.0]), torch.tensor([4.0]))
    c.paint(d, torch.tensor([[0.2, 0.4, 0.6]]))
    a = c.alpha[0, 0]
    # Pixel centre (12.5, 8.5): distance from the centre sqrt(4.5^2 + 0.5^2), so d = 0.5277...;
    # the outline covers 0.5 - d clamped to 0, the fill (d + line) nothing: alpha 0.
    assert float(a[8, 12]) == 0.0 and float(a[0, 0]) == 0.0
    # (11.5, 8.5): d = sqrt(3.5^2 + 0.25) - 4 = -0.4645; outline 0.9645, fill (line 1): 0.
    dd = math.hypot(3.5, 0.5) - 4
    assert float(a[8, 11]) == pytest.approx(0.5 - dd, abs=1e-5)
    assert float(a[8, 8]) == 1.0
    # Unpainted pixels are exactly the white background; painted ones carry their colour.
    assert torch.equal(c.img[0, :, 0, 0], torch.ones(3))


def test_renderer_coverage_matches_its_drawing():
    z = torch.stack([seeded_latent(s, 64) for s in range(4)])
    img, kp = render_latents(z, 3, 64, alpha=True)
    assert img.shape == (4, 4, 64, 64)
    cover = (img[:, 3] + 1) / 2
    white = (img[:, :3] == 1).all(1)
    assert bool(white[cover == 0].all())  # nothing painted: the background as it was
    assert float(cover.amax()) == 1.0 and float(cover.amin()) == 0.0
    rgb, kp3 = render_latents(z, 3, 64)
    assert torch.equal(rgb, img[:, :3]) and torch.equal(kp, kp3)  # the colour is unchanged by alpha


def test_gradient_l1_by_hand():
    a = torch.zeros(1, 1, 4, 4); a[..., 2:] = 1  # a vertical edge between columns 1 and 2
    b = torch.zeros(1, 1, 4, 4); b[..., 3:] = 1  # the same edge a pixel to the right
    # Each of the 4 rows has 3 horizontal pairs; a steps at pair 1-2, b at pair 2-3, so 2 of the 3
    # differ by 1: dx's mean 8/12; dy is 0 in both. The term is the mean of the two: 1/3.
    assert float(gradient_l1(a, b)) == pytest.approx((8 / 12 + 0) / 2)
    assert float(gradient_l1(a, a + 0.25)) == 0.0  # a constant shift (exact in binary) has the same edges
    terms = generator_terms(torch.zeros(2, 4, 16, 16), torch.ones(2, 4, 16, 16), 10, 0, 2, 5)  # 3 scales of L1 1
    assert set(terms) == {"recon", "edge", "coverage"}
    assert float(terms["recon"]) == pytest.approx(30) and float(terms["coverage"]) == pytest.approx(15)


def test_figures_as_fed_keep_the_recorded_geometry():
    frames = _frames()
    props = {"head": torch.full((6,), 0.14), "torso": torch.full((6,), 0.3)}
    fig = figures_as_fed(torch.Generator().manual_seed(0), frames, 64, props)
    given = fig.conditioning
    for b in range(6):
        src, got = frames[b, :, :2], given[b, :, :2]
        if got[2, 0] > got[5, 0]:  # mirrored: the right shoulder is on the image's right
            src = frames[b][[0, 1, 5, 6, 7, 2, 3, 4, 11, 12, 13, 8, 9, 10, 15, 14, 17, 16], :2] * torch.tensor([-1.0, 1.0])
        # One uniform scale and a shift: every pairwise distance scaled alike.
        ratio = torch.cdist(got, got)[torch.triu_indices(18, 18, 1).unbind()] / torch.cdist(src, src)[torch.triu_indices(18, 18, 1).unbind()]
        assert float(ratio.std() / ratio.mean()) < 1e-4
        assert bool(((got >= 0) & (got < 64)).all())
        height = float(got[:, 1].max() - got[:, 1].min())
        assert 0.2 * 64 < height < 0.95 * 64
    # The drawing's limbs are where the generator is told; only the face is spread to the anime head.
    assert torch.equal(fig.kp[:, 1:14], given[:, 1:14])
    assert not torch.equal(fig.kp[:, [0, 14, 15, 16, 17]], given[:, [0, 14, 15, 16, 17]])


def test_raise_arms_turns_arms_and_keeps_their_lengths():
    frames = _frames(200)
    out = raise_arms(torch.Generator().manual_seed(1), frames, 0.5)
    for sh, el, wr in ((2, 3, 4), (5, 6, 7)):
        for a, b in ((sh, el), (el, wr)):
            assert torch.allclose((out[:, a, :2] - out[:, b, :2]).norm(dim=-1),
                                  (frames[:, a, :2] - frames[:, b, :2]).norm(dim=-1), atol=1e-4)
        raised = float((out[:, el, 1] < out[:, sh, 1]).float().mean())
        assert 0.12 < raised < 0.38  # half the arms turned, about half of those point up
    assert torch.equal(out[:, [0, 1] + list(range(8, 18))], frames[:, [0, 1] + list(range(8, 18))])
    assert torch.equal(raise_arms(torch.Generator().manual_seed(1), frames, 0.0), frames)


def test_pool_is_uint8_and_cached(tmp_path):
    cfg = TrainConfig(resolution=16, latent_dim=32, channel_base=8, channel_max=8, batch_size=4, images_per_phase=8,
                      objective="identity", dataset_pool=8, adv_weight=0, coverage=True, coverage_weight=1.0)
    logs = []
    first = DataSource(cfg, torch.device("cpu"), logs.append, cache_dir=tmp_path)
    assert first.pool[0].dtype == torch.uint8 and first.pool[0].shape == (8, 4, 16, 16)
    assert len(list(tmp_path.glob("pool-*.pt"))) == 1
    second = DataSource(cfg, torch.device("cpu"), logs.append, cache_dir=tmp_path)
    assert any("pool of 8 images from" in line for line in logs)
    b1, b2 = (s.batch(0, torch.Generator().manual_seed(0)) for s in (first, second))
    assert all(torch.equal(x, y) for x, y in zip(b1, b2))
    assert float(b1[0].min()) >= -1 and float(b1[0].max()) <= 1
    summary = train(cfg, tmp_path / "run", device="cpu", log=lambda *_: None)
    assert summary["term_coverage"] > 0 and summary["stopped"] is False


def test_new_config_values_are_checked():
    with pytest.raises(ValueError, match="coverage_weight needs coverage"):
        TrainConfig(objective="identity", coverage_weight=1.0, adv_weight=0).validate()
    with pytest.raises(ValueError, match="not a scale"):
        TrainConfig(channels={"48": 8}).validate()
    with pytest.raises(ValueError, match="fed_fraction"):
        TrainConfig(fed_fraction=1.5).validate()


def test_init_from_starts_at_the_last_phase(tmp_path):
    cfg = TrainConfig(resolution=32, latent_dim=16, channel_base=64, channel_max=16, batch_size=2, images_per_phase=4,
                      channels={"4": 16, "8": 16, "16": 12, "32": 8}, coverage=True, adv_weight=0.5,
                      dataset_pool=4, checkpoint_every=100)
    summary = train(cfg, tmp_path / "r", device="cpu", log=lambda *_: None, init_from=str(TINY_ALPHA))
    assert summary["step"] == 2 and summary["initialised_from"]["model"] == str(TINY_ALPHA)
    with pytest.raises(ValueError, match="exists"):
        train(cfg, tmp_path / "r", device="cpu", log=lambda *_: None, init_from=str(TINY_ALPHA))
    assert isinstance(Generator, type)
