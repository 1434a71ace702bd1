"""The torch generator against the contract: condition maps, seeded latents, golden psgan-tiny."""
import json

import torch
from safetensors.torch import load_file

from psgan_train.contract import load_generator_file, seeded_latent
from psgan_train.model import condition_maps


def test_condition_maps_follow_the_spec():
    kp = torch.tensor([[[3.7, 5.2, 1.0], [0.0, 0.0, 0.0], [8.0, 1.0, 1.0], [-0.5, 2.0, 1.0], [7.99, 7.99, 0.5]]])
    maps = condition_maps(kp, 8)
    p8, p4 = maps[0][0], maps[1][0]
    assert p8.shape == (5, 8, 8) and p4.shape == (5, 4, 4)
    expect = -torch.ones(5, 8, 8)
    expect[0, 5, 3] = 1  # floor(y), floor(x)
    expect[4, 7, 7] = 1
    assert torch.equal(p8, expect)  # missing (c=0), x == R and x < 0 all stay -1
    assert p4[0, 2, 1] == 1 and p4[0].sum() == -16 + 2
    assert torch.equal(p4, torch.nn.functional.max_pool2d(p8[None], 2)[0])
    assert len(maps) == 2


def test_seeded_latent_matches_golden(golden_dir):
    cases = json.loads((golden_dir / "cases.json").read_text())["cases"]
    seeded = [c for c in cases if set(c["latent"]) == {"seed"}]
    assert seeded
    for c in seeded:
        z = seeded_latent(c["latent"]["seed"], len(c["z"]))
        assert torch.allclose(z, torch.tensor(c["z"], dtype=torch.float32), atol=0, rtol=0)


def test_golden_psgan_tiny(golden_dir):
    g = load_generator_file(str(golden_dir / "model.safetensors"))
    cases = json.loads((golden_dir / "cases.json").read_text())["cases"]
    expected = load_file(str(golden_dir / "expected.safetensors"))
    errors = []
    for i, c in enumerate(cases):
        z = torch.tensor(c["z"], dtype=torch.float32)[None]
        kp = torch.tensor(c["keypoints"], dtype=torch.float64)[None]
        with torch.no_grad():
            out = g(z, kp)[0]
        ref = expected[f"case{i}"]
        errors.append(((out - ref).norm() / ref.norm()).item())
    print("golden relative L2 errors:", errors)
    assert max(errors) < 1e-5, errors


def test_a_coverage_generator_exports_and_loads_its_alpha():
    """With ``coverage``, the generator draws a fourth channel, its config says ``alpha``, and the
    contract's tensors (``toalpha`` beside ``torgb``) load back into a generator that draws the same."""
    import torch

    from psgan_train.model import Generator

    torch.manual_seed(1)
    g = Generator(16, 8, 18, {4: 8, 8: 8, 16: 4}, coverage=True).eval()
    assert g.config()["alpha"] is True
    tensors = g.export_tensors()
    assert tensors["toalpha.weight"].shape == (1, 4, 1, 1) and tensors["toalpha.bias"].shape == (1,)
    h = Generator(16, 8, 18, {4: 8, 8: 8, 16: 4}, coverage=True).eval()
    h.load_contract_tensors(tensors)
    z, kp = torch.randn(2, 8), torch.rand(2, 18, 3) * 16
    with torch.no_grad():
        a, b = g(z, kp), h(z, kp)
    assert a.shape == (2, 4, 16, 16) and torch.allclose(a, b, atol=1e-5)
    assert "alpha" not in Generator(16, 8, 18, {4: 8, 8: 8, 16: 4}).config()
