"""The fidelity figures (psgan_train.fidelity) against hand-computed values."""
import json
import math

import torch

from psgan_train import fidelity as fd
from psgan_train.identity_figure import identity_poses


def flat(level: int, n: int = 1, res: int = 16) -> torch.Tensor:
    """Images of one grey level (0..255) in [-1, 1]."""
    return torch.full((n, 3, res, res), level / 127.5 - 1)


def test_psnr_and_ssim_by_hand():
    a, b = flat(100), flat(110)
    assert math.isinf(fd.psnr(a, a))
    assert abs(fd.psnr(a, b) - 10 * math.log10(255 ** 2 / 100)) < 1e-9
    assert abs(fd.ssim(a, a) - 1) < 1e-6
    # Two flat images: SSIM = (2 m1 m2 + C1) / (m1^2 + m2^2 + C1) (no variance).
    c1 = (0.01 * 255) ** 2
    want = (2 * 100 * 110 + c1) / (100 ** 2 + 110 ** 2 + c1)
    assert abs(fd.ssim(a, b) - want) < 1e-4


def test_sharpness_iou_and_limbs():
    ref = flat(255, res=32)
    ref[:, :, 8:24, 8:24] = -1  # a black square on white
    assert abs(fd.sharpness(ref, ref) - 1) < 1e-6
    blurred = torch.nn.functional.avg_pool2d(ref, 5, 1, 2, count_include_pad=False)
    assert fd.sharpness(blurred, ref) < 0.9
    m = torch.zeros(32, 32, dtype=torch.bool)
    m[8:24, 8:24] = True
    half = torch.zeros_like(m)
    half[8:24, 8:16] = True
    assert fd.iou(m, m) == 1 and abs(fd.iou(m, half) - 0.5) < 1e-9 and fd.iou(half & ~half, half & ~half) == 0
    kp = torch.zeros(1, 18, 3)
    kp[0, 3] = torch.tensor([10.0, 10.0, 1.0]); kp[0, 4] = torch.tensor([20.0, 10.0, 1.0])   # core x 12..18: inside
    kp[0, 6] = torch.tensor([2.0, 2.0, 1.0]); kp[0, 7] = torch.tensor([4.0, 2.0, 1.0])       # outside
    kp[0, 9] = torch.tensor([12.0, 4.0, 1.0]); kp[0, 10] = torch.tensor([12.0, 34.0, 1.0])
    # By hand: forearm r's core (x 12 to 18, y 10) is inside the square (rows and columns 8..23);
    # forearm l's is outside; shin r's core y = 4 + 30 t for t = 0.2, 0.267, ..., 0.8 is 10 ... 28,
    # of which 24, 26 and 28 fall below the square: 7 of 10, under 90%.
    assert fd.limb_coverage(m[None], kp) == (1, 3)
    assert fd.limb_coverage(m[None], kp, reference_mask=m[None]) == (1, 1)


def test_fed_keypoints_fit_the_canvas_as_psgan_does(tmp_path):
    frames = [[[float(k), 100.0, 1.0] for k in range(18)]]
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"format": "psgan-pose", "version": 1, "layout": "coco18",
                                "canvas": {"width": 640, "height": 480}, "frames": frames}))
    kp = fd.fed_keypoints(str(path), 256)
    # CanvasMapping: s = 256 / 640 = 0.4, offsets (0, (256 - 480 * 0.4) / 2 = 32).
    assert torch.allclose(kp[0, :, 0], torch.arange(18.0) * 0.4) and torch.allclose(kp[0, :, 1], torch.full((18,), 72.0))


def test_the_renderer_against_itself_is_perfect():
    """Fed the renderer's own drawings as the model's, every figure is at its best."""
    seeds, dim, res, poses = [0, 1], 64, 32, 3
    _, ref, _ = identity_poses(seeds, dim, res, poses, [])
    calls = []

    def generate(z, kp):
        calls.append(len(z))
        return ref.clone() if len(calls) == 1 else flat(255, len(z), res)

    result, model, renderer = fd.fidelity(generate, seeds, dim, res, poses, [])
    assert math.isinf(result["psnr"]) and abs(result["ssim"] - 1) < 1e-6 and abs(result["sharpness"] - 1) < 1e-6
    assert result["silhouette_iou"] == 1 and result["limb_coverage"] == 1 and result["limbs_counted"] > 0
    parts = result["identity_parts"]
    assert parts["model"] == parts["renderer"] and len(parts["model"]["per_part"]) >= 8
    assert torch.equal(model, renderer) and result["limb_coverage_fed"] is None


def test_a_washed_out_limb_is_not_solid():
    img = flat(255, res=8)
    img[0, :, 2:6, 2:6] = torch.tensor([200, 60, 60]).float()[:, None, None] / 127.5 - 1   # a red limb
    img[0, :, 3, 3] = 230 / 127.5 - 1                                                        # faded to light grey
    solid = fd.solid_mask(img)[0]
    assert solid[2, 2] and not solid[3, 3] and not solid[0, 0] and fd.figure_mask(img)[0, 3, 3]


def test_fit_alpha_gives_a_generator_its_coverage_head(tmp_path):
    """fit_alpha writes the same generator with a least-squares toalpha head, config alpha true; the
    head draws the renderer's figure better than the constant that is its best guess without features."""
    import json as _json

    from safetensors.torch import save_file

    from psgan_train import fit_alpha
    from psgan_train.contract import load_generator_file
    from psgan_train.masks import figure_mask
    from psgan_train.identity import render_latents
    from psgan_train.model import Generator

    torch.manual_seed(3)
    g = Generator(32, 64, 18, {4: 16, 8: 16, 16: 12, 32: 8}).eval()
    src = tmp_path / "g.safetensors"
    save_file(g.export_tensors(), str(src), metadata={"format": "psgan-generator", "version": "1",
                                                       "config": _json.dumps(g.config())})
    out = tmp_path / "a.safetensors"
    fit_alpha.main([str(src), "--out", str(out), "--images", "16"])
    h = load_generator_file(str(out)).eval()
    assert h.coverage and h.config()["alpha"] is True
    z = torch.randn(8, 64, generator=torch.Generator().manual_seed(9))
    img, kp = render_latents(z, pose_seed=123, resolution=32)
    with torch.no_grad():
        a, b = h(z, kp), g(z, kp)
    assert torch.allclose(a[:, :3], b, atol=1e-5)  # the colour is untouched
    # The head is the least squares fit: on the images it was fitted to (fit's own seeds), no constant
    # predicts the figure mask with a smaller squared error.
    weight, bias = fit_alpha.fit(g, 16)
    zf = torch.randn(16, 64, generator=torch.Generator().manual_seed(5))
    imf, kpf = render_latents(zf, pose_seed=7_000_000, resolution=32)
    target = figure_mask(imf).float() * 2 - 1
    with torch.no_grad():
        pred = torch.nn.functional.conv2d(g.features(zf, kpf), weight, bias)[:, 0]
    assert float(((pred - target) ** 2).mean()) <= float(((target - target.mean()) ** 2).mean()) + 1e-6
    assert torch.allclose(h.toalpha[h.max_level].weight, weight, atol=1e-6)
