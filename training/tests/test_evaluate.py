"""Evaluation figures on hand-checkable cases (psgan_train.evaluate)."""
import json

import pytest
import torch

from psgan_train import evaluate as ev
from psgan_train.avatars import render_batch

RES = 32


class RendererAsGenerator:
    """A "generator" that is the dataset renderer: returns the renderer's image for known keypoints."""

    def __init__(self, images, keypoints):
        self.resolution, self.latent_dim = RES, 8
        self.table = {kp.numpy().tobytes(): im for im, kp in zip(images, keypoints)}

    def __call__(self, z, kp):
        return torch.stack([self.table[k.numpy().tobytes()] for k in kp])


class Constant:
    """Every output the same colour (white = background everywhere)."""

    def __init__(self, value, latent_dim=8):
        self.resolution, self.latent_dim, self.value = RES, latent_dim, value

    def __call__(self, z, kp):
        return torch.full((len(z), 3, RES, RES), self.value)


def test_renderer_scores_one():
    ref, kp = ev.heldout_poses(6, RES)
    g = RendererAsGenerator(ref, kp)
    r = ev.evaluate(g, pose_count=6, seeds=[0, 1])
    assert r["pose_consistency"]["keypoints_on_figure"] == 1.0
    assert r["pose_consistency"]["silhouette_iou"] == 1.0
    assert r["pose_consistency"]["keypoints_visible"] >= 2 * 6 * 16
    per = r["pose_consistency"]["per_keypoint"]
    assert list(per)[:2] == ["Nose", "Neck"] and len(per) == 18
    assert sum(c["visible"] for c in per.values()) == r["pose_consistency"]["keypoints_visible"]
    assert all(c["on_figure"] == c["visible"] for c in per.values())
    assert "weakest keypoints" not in ev.table({**r, "inputs": {"model": "m", "resolution": RES, "sha256": "0" * 64}})
    # Same image for every seed: no diversity, and an interpolation that does not move.
    assert r["diversity"]["mean_pairwise_l1_in_union_mask"] == 0.0
    assert r["temporal"]["still_max_change"] == 0.0


def test_white_output_scores_zero():
    r = ev.evaluate(Constant(1.0), pose_count=3, seeds=[0])
    assert r["pose_consistency"]["keypoints_on_figure"] == 0.0
    assert r["pose_consistency"]["silhouette_iou"] == 0.0
    assert all(c["on_figure"] == 0 for c in r["pose_consistency"]["per_keypoint"].values())


def test_constant_output_has_no_flicker_and_temporal_ratio_zero(tmp_path):
    base = [[100, 40, 1], [100, 60, 1], [85, 62, 1], [80, 85, 1], [78, 105, 1], [115, 62, 1], [120, 85, 1],
            [122, 105, 1], [92, 110, 1], [90, 140, 1], [90, 170, 1], [108, 110, 1], [110, 140, 1],
            [110, 170, 1], [96, 37, 1], [104, 37, 1], [92, 40, 1], [108, 40, 1]]
    frames = []
    for i in range(6):  # the left arm rises
        f = [list(p) for p in base]
        f[7] = [122 + 6 * i, 105 - 12 * i, 1]
        frames.append(f)
    path = tmp_path / "seq.json"
    path.write_text(json.dumps({"format": "psgan-pose", "version": 1, "layout": "coco18", "fps": 30,
                                "canvas": {"width": 200, "height": 200}, "frames": frames}))
    r = ev.evaluate(Constant(-0.2), pose_count=2, seeds=[0, 1], pose_files=[str(path)], sequence_frames=3)
    assert r["temporal"]["still_max_change"] == 0.0
    seq = r["temporal"]["sequences"][0]
    assert seq["generated_change"] == 0.0 and seq["reference_change"] > 0 and seq["ratio"] == 0.0
    # Constant grey is figure everywhere: IoU = share of the renderer's figure pixels, < 1.
    assert 0 < r["pose_consistency"]["silhouette_iou"] < 1


def test_figure_mask_keeps_enclosed_white():
    img = torch.ones(1, 3, 9, 9)
    img[:, :, 2:7, 2:7] = -1.0  # dark square outline...
    img[:, :, 3:6, 3:6] = 1.0   # ...around a white inside
    m = ev.figure_mask(img)[0]
    assert m[4, 4] and m[2, 2] and not m[0, 0] and int(m.sum()) == 25
    assert ev.keypoint_hits(img, torch.tensor([[[4.5, 4.5, 1.0], [0.2, 0.2, 1.0], [8.5, 8.5, 0.0]]])) == (1, 2)
    on, vis = ev.keypoint_hits_per_joint(img, torch.tensor([[[4.5, 4.5, 1.0], [0.2, 0.2, 1.0], [8.5, 8.5, 0.0]]]))
    assert on.tolist() == [1, 0, 0] and vis.tolist() == [1, 1, 0]


def test_pair_distance_and_identical_seeds():
    a, _ = render_batch(1, 1, RES)
    assert ev.pair_distance(a[0], a[0]) == 0.0
    b = a.clone()
    b[:, :, :, :] = -1.0  # black everywhere: union = whole image
    assert ev.pair_distance(a[0], b[0]) == pytest.approx(float(((a[0] + 1) / 2).mean()), abs=2e-3)


def test_linear_interpolation_ratio_one_and_jump_large():
    levels = torch.arange(9.0) * 16  # 0, 16, ..., 128 of 255: equal steps after quantisation
    frames = (levels / 255 * 2 - 1)[:, None, None, None].expand(9, 3, 4, 4)
    assert ev.smoothness_ratio(frames) == pytest.approx(1.0, abs=1e-6)
    jump = torch.cat([frames[:4], frames[4:] + 0.3]).clamp(-1, 1)
    assert ev.smoothness_ratio(jump) > 1.5


def test_slerp_endpoints():
    a, b = torch.randn(16), torch.randn(16)
    assert torch.allclose(ev.slerp(a, b, 0.0), a, atol=1e-5) and torch.allclose(ev.slerp(a, b, 1.0), b, atol=1e-5)


def test_identical_seeds_no_diversity(tmp_path):
    from psgan_train.model import Generator, channel_schedule
    torch.manual_seed(0)
    g = Generator(RES, 8, 18, channel_schedule(RES, 16, 8)).eval()
    same = ev.evaluate(g, pose_count=2, seeds=[3, 3], interp_steps=2)
    assert same["diversity"]["mean_pairwise_l1_in_union_mask"] == 0.0
    assert ev.evaluate(g, pose_count=2, seeds=[3, 4], interp_steps=2)["diversity"]["mean_pairwise_l1_in_union_mask"] > 0
    assert "renderer" not in same["diversity"]  # latent_dim 8: no look mapping to draw


def test_renderer_diversity_is_the_seeds_own_looks_apart():
    # With the look mapping (latent_dim >= LOOK_DIMS) the figure also reports the renderer drawing each
    # seed's look in the held-out poses: 0 for one seed twice, the hand-computed mean distance otherwise,
    # and the same whatever the model draws.
    from psgan_train.identity import LOOK_DIMS, render_latents
    from psgan_train.contract import seeded_latent
    dim = LOOK_DIMS + 3
    same = ev.evaluate(Constant(0.2, dim), pose_count=2, seeds=[5, 5], interp_steps=2)["diversity"]
    assert same["renderer"] == 0.0 and same["mean_pairwise_l1_in_union_mask"] == 0.0
    r = ev.evaluate(Constant(0.2, dim), pose_count=2, seeds=[5, 6], interp_steps=2)["diversity"]
    a = [render_latents(seeded_latent(5, dim)[None], ev.HELD_OUT_SEED + p, RES)[0][0] for p in range(2)]
    b = [render_latents(seeded_latent(6, dim)[None], ev.HELD_OUT_SEED + p, RES)[0][0] for p in range(2)]
    want = []
    for x, y in zip(a, b):
        union = ev.figure_mask(x[None])[0] | ev.figure_mask(y[None])[0]
        want.append(float(((ev.to_uint8(x).float() - ev.to_uint8(y).float()).abs() / 255)[:, union].mean()))
    assert abs(r["renderer"] - sum(want) / 2) < 1e-6 and r["renderer"] > 0.05
    assert ev.evaluate(Constant(-0.5, dim), pose_count=2, seeds=[5, 6], interp_steps=2)["diversity"]["renderer"] == r["renderer"]


def test_model_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        ev.load_model(str(tmp_path / "missing.safetensors"))
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"not a model")
    with pytest.raises(ValueError):
        ev.load_model(str(bad))
    from psgan_train.export import export
    from psgan_train.model import Generator, channel_schedule
    torch.manual_seed(0)
    g = Generator(16, 8, 18, channel_schedule(16, 16, 8))
    path = tmp_path / "g.safetensors"
    export(g, path)
    with pytest.raises(ValueError, match="resolution is 16"):
        ev.load_model(str(path), resolution=32)
    assert ev.load_model(str(path), resolution=16).resolution == 16
    with pytest.raises(SystemExit, match="no model file"):
        ev.main([str(tmp_path / "missing.safetensors")])


def test_cli_json_sheet_deterministic(tmp_path):
    from psgan_train.export import export
    from psgan_train.model import Generator, channel_schedule
    torch.manual_seed(0)
    g = Generator(16, 8, 18, channel_schedule(16, 16, 8))
    path = tmp_path / "g.safetensors"
    export(g, path)
    outs = []
    for k in range(2):
        j, sheet = tmp_path / f"r{k}.json", tmp_path / f"s{k}.png"
        ev.main([str(path), "--json", str(j), "--sheet", str(sheet), "--pose-count", "2", "--seeds", "0", "1",
                 "--frames", "3", "--interp-steps", "4"])
        outs.append(json.loads(j.read_text()))
        assert sheet.stat().st_size > 0
    assert outs[0] == outs[1]
    r = outs[0]
    assert r["inputs"]["sha256"] == ev.sha256(str(path)) and r["inputs"]["resolution"] == 16
    assert len(r["temporal"]["sequences"]) == 3 and r["temporal"]["still_max_change"] == 0.0
    assert 0 <= r["pose_consistency"]["silhouette_iou"] <= 1
    from PIL import Image
    # Sheet: renderer row + 2 seeds, 2 poses; 16 px frames at the default 96 px cell: 6x.
    assert Image.open(tmp_path / "s0.png").size == (2 * 96, 3 * 96)
    strip = tmp_path / "strip.png"
    ev.main([str(path), "--pose-count", "1", "--seeds", "0", "--frames", "2", "--interp-steps", "4",
             "--strip", str(strip), "--cell", "32"])
    assert Image.open(strip).size == (5 * 32, 32)  # 5 frames (steps 0..4), 16 px at 2x
