"""Identity-consistent training: the look mapping, the identity figure, folder data, the objective."""
import json

import pytest
import torch

from psgan_train.config import TrainConfig
from psgan_train.data import DataSource, load_folder
from psgan_train.losses import colour_l1, multiscale_l1
from psgan_train.identity_figure import PARTS, identity_score, part_colours
from psgan_train.identity import LOOK_DIMS, looks_from_latent, palette_curve, render_latents
from psgan_train.train import train


def test_palette_curve_hits_the_palette_and_is_continuous():
    pal = torch.tensor([[0.0, 0, 0], [1.0, 0, 0], [1.0, 1, 0]])
    c = palette_curve(pal, torch.tensor([0.0, 0.25, 0.5, 1.0]))
    assert torch.allclose(c, torch.tensor([[0.0, 0, 0], [0.5, 0, 0], [1.0, 0, 0], [1.0, 1, 0]]))


def test_large_colour_areas_are_affine_in_the_latent_cdf():
    # Hair, top and bottom: one latent value per channel, 0.1 + 0.85 * Phi(z). Phi(0) = 0.5 and
    # Phi(1.959964) = 0.975 by the normal table: 0.525 and 0.92875.
    z = torch.zeros(1, LOOK_DIMS)
    z[0, [2, 26, 27]] = 1.959964  # top red, top blue, bottom green
    look, _ = looks_from_latent(z)
    assert torch.allclose(look["hair"], torch.tensor([[0.525, 0.525, 0.525]]), atol=1e-5)
    assert torch.allclose(look["top"], torch.tensor([[0.92875, 0.525, 0.92875]]), atol=1e-5)
    assert torch.allclose(look["bottom"], torch.tensor([[0.525, 0.92875, 0.525]]), atol=1e-5)


def test_the_same_latent_is_the_same_look_in_every_pose():
    z = torch.randn(1, 32, generator=torch.Generator().manual_seed(3)).repeat(2, 1)
    look, props = looks_from_latent(z)
    assert all(torch.equal(v[0], v[1]) for v in look.values())
    a, ka = render_latents(z[:1], 10, 64)
    b, kb = render_latents(z[:1], 11, 64)
    assert not torch.equal(ka, kb), "different poses"
    # (That the drawn colours then agree across poses, shading aside, is the renderer's identity
    # figure: test_the_renderer_is_stable_and_random_colours_are_not.)


def test_looks_change_smoothly_with_the_latent():
    # Continuous: along a straight latent path, the largest step shrinks with the step size
    # (a jump would not), for every colour and the proportions.
    a, b = torch.randn(2, 32, generator=torch.Generator().manual_seed(5))

    def largest_step(count):
        look, props = looks_from_latent(torch.stack([a + (b - a) * t for t in torch.linspace(0, 1, count)]))
        values = [look[k] for k in ("hair", "skin", "top", "bottom", "eyes")] + [props["head"][:, None], props["thigh"][:, None]]
        return max(float((v[1:] - v[:-1]).abs().max()) for v in values)

    assert largest_step(257) < largest_step(33) / 5
    with pytest.raises(ValueError):
        looks_from_latent(torch.zeros(2, LOOK_DIMS - 1))


def test_identity_score_by_hand():
    # Two characters, two poses, one part used: character 0 red then red, character 1 blue then
    # green. Within: char 0 0, char 1 2 * (0.5^2 + 0.5^2) / 2 = 0.5 per sample -> mean 0.25.
    # All four samples: mean (0.5, 0, 0.5)... total = mean squared distance = 0.625.
    c = torch.full((2, 2, len(PARTS), 3), float("nan"))
    c[0, 0, 0] = torch.tensor([1.0, 0, 0]); c[0, 1, 0] = torch.tensor([1.0, 0, 0])
    c[1, 0, 0] = torch.tensor([0.0, 0, 1]); c[1, 1, 0] = torch.tensor([0.0, 1, 0])
    within = (0 + 0 + 0.5 + 0.5) / 4
    mean = torch.tensor([0.5, 0.25, 0.25])
    samples = torch.tensor([[1.0, 0, 0], [1.0, 0, 0], [0.0, 0, 1], [0.0, 1, 0]])
    total = float(((samples - mean) ** 2).sum(1).mean())
    s = identity_score(c)
    assert set(s["per_part"]) == {"head"}
    assert s["identity"] == pytest.approx(1 - within / total)


def test_the_renderer_is_stable_and_random_colours_are_not():
    z = torch.randn(4, 32, generator=torch.Generator().manual_seed(9))
    imgs, kps = [], []
    for i in range(4):
        for p in range(3):
            im, kp = render_latents(z[i:i + 1], 100 + p, 64)
            imgs.append(im); kps.append(kp)
    img, kp = torch.cat(imgs), torch.cat(kps)
    stable = identity_score(part_colours(img, kp).reshape(4, 3, len(PARTS), 3))["identity"]
    shuffled = part_colours(img, kp)[torch.randperm(12, generator=torch.Generator().manual_seed(1))]
    random = identity_score(shuffled.reshape(4, 3, len(PARTS), 3))["identity"]
    assert stable > 0.7 and random < stable - 0.3, (stable, random)


def test_a_folder_of_images_with_openpose_keypoints(tmp_path):
    from PIL import Image
    for i, (w, h) in enumerate([(40, 20), (20, 40)]):
        Image.new("RGB", (w, h), (255, 0, 0)).save(tmp_path / f"im{i}.png")
        kp = [0.0] * 54
        kp[0:3] = [w / 2, h / 2, 0.9]  # the nose at the centre
        (tmp_path / f"im{i}_keypoints.json").write_text(json.dumps({"people": [{"pose_keypoints_2d": kp}]}))
    images, keypoints = load_folder(tmp_path, 16)
    assert images.shape == (2, 3, 16, 16) and keypoints.shape == (2, 18, 3)
    # 40x20 padded to 40x40 on white, centred: rows 0-9 white, 10-29 red (of 40), then scaled to 16.
    assert torch.allclose(images[0, :, 0, 8], torch.tensor([1.0, 1, 1]))
    assert torch.allclose(images[0, :, 8, 8], torch.tensor([1.0, -1, -1]))
    assert keypoints[0, 0].tolist() == pytest.approx([8.0, 8.0, 0.9])
    assert keypoints[1, 1, 2] == 0
    (tmp_path / "im1_keypoints.json").unlink()
    with pytest.raises(ValueError, match="im1.png: no keypoints file"):
        load_folder(tmp_path, 16)


def test_training_on_a_folder_and_with_the_identity_objective(tmp_path):
    from PIL import Image
    folder = tmp_path / "data"
    folder.mkdir()
    for i in range(4):
        Image.new("RGB", (32, 32), (255, 255, 255)).save(folder / f"f{i}.png")
        kp = [16.0, 8.0 + i, 0.9] * 18
        (folder / f"f{i}_keypoints.json").write_text(json.dumps({"people": [{"pose_keypoints_2d": kp}]}))
    own = TrainConfig(resolution=16, latent_dim=32, channel_base=8, channel_max=8, batch_size=2, images_per_phase=4,
                      data_dir=str(folder), checkpoint_every=100)
    summary = train(own, tmp_path / "own", device="cpu", log=lambda *_: None)
    assert summary["stopped"] is False and (tmp_path / "own" / "checkpoint.pt").exists()
    ident = TrainConfig(resolution=16, latent_dim=32, channel_base=8, channel_max=8, batch_size=4, images_per_phase=8,
                        objective="identity", dataset_pool=8, gp_every=2, bf16=True, checkpoint_every=100)
    summary = train(ident, tmp_path / "ident", device="cpu", log=lambda *_: None)
    assert summary["recon"] > 0 and summary["stopped"] is False
    source = DataSource(ident, torch.device("cpu"), log=lambda *_: None)
    img, kp, z = source.batch(0, torch.Generator().manual_seed(0))
    assert z is not None and z.shape == (4, 32)
    with pytest.raises(ValueError, match="latent_dim >= 29"):
        TrainConfig(latent_dim=8, objective="identity").validate()
    with pytest.raises(ValueError, match="no latent look"):
        TrainConfig(objective="identity", data_dir=str(folder)).validate()


def test_multiscale_l1_by_hand():
    a, b = torch.zeros(1, 3, 16, 16), torch.ones(1, 3, 16, 16)
    assert float(multiscale_l1(a, b)) == pytest.approx(3.0)  # 1 at each of three scales


def test_colour_l1_sees_colours_not_places():
    # A red square moved by a pixel within its cell gives (almost) the same 4x4 grid averages;
    # the same square in blue does not.
    a = -torch.ones(1, 3, 16, 16); a[:, 0, 1:3, 1:3] = 1
    b = -torch.ones(1, 3, 16, 16); b[:, 0, 2:4, 2:4] = 1
    c = -torch.ones(1, 3, 16, 16); c[:, 2, 1:3, 1:3] = 1
    assert float(colour_l1(a, b)) == pytest.approx(0.0, abs=1e-6)
    # Cell (0, 0) averages -0.5 (4 of 16 pixels at 1) in red for a, in blue for c: 0.5 + 0.5 over 3 x 16.
    assert float(colour_l1(a, c)) == pytest.approx(1 / 48)


def test_reconstruction_alone_leaves_the_critic_untrained_and_sets_the_generator_momentum(tmp_path):
    from psgan_train.checkpoint import load_checkpoint
    from psgan_train.train import build_models
    cfg = TrainConfig(resolution=8, latent_dim=32, channel_base=8, channel_max=8, batch_size=4, images_per_phase=8,
                      objective="identity", dataset_pool=8, adv_weight=0.0, generator_beta1=0.9)
    summary = train(cfg, tmp_path / "recon", device="cpu", log=lambda *_: None)
    assert summary["loss_d"] == 0 and summary["recon"] > 0
    ck = load_checkpoint(tmp_path / "recon" / "checkpoint.pt", map_location="cpu")
    fresh_g, fresh_d = build_models(cfg)
    assert all(torch.equal(v, ck["discriminator"][k]) for k, v in fresh_d.state_dict().items())
    assert not torch.equal(fresh_g.state_dict()["b4.weight"], ck["generator"]["b4.weight"])
    assert ck["opt_g"]["param_groups"][0]["betas"] == (0.9, 0.99)
    assert ck["opt_d"]["param_groups"][0]["betas"] == (0.0, 0.99)
    with pytest.raises(ValueError, match="generator_beta1"):
        TrainConfig(generator_beta1=1.0).validate()
    for nothing in (TrainConfig(adv_weight=0.0), TrainConfig(latent_dim=32, objective="identity", adv_weight=0.0, recon_weight=0.0)):
        with pytest.raises(ValueError, match="nothing to train"):
            nothing.validate()


def test_the_bundled_model_keeps_each_seeds_character():
    # samples/psgan-default.safetensors (cpu64-identity grown into cpu128-identity): issue 17's bar,
    # identity >= 0.75 on held-out poses, measured against the renderer's drawing of the same looks;
    # a shuffled pairing of the same images scores near 0.
    from pathlib import Path
    from psgan_train.evaluate import _run, load_model
    from psgan_train.identity_figure import character_colours
    path = Path(__file__).resolve().parents[2] / "samples" / "psgan-default.safetensors"
    g = load_model(str(path))
    assert g.resolution == 128 and g.latent_dim >= LOOK_DIMS
    colours, drawn, _ = character_colours(lambda z, kp: _run(g, z, kp, "cpu"), [0, 1, 2, 3], g.latent_dim, g.resolution, 6, [])
    model, renderer = identity_score(colours)["identity"], identity_score(drawn)["identity"]
    flat = colours.flatten(0, 1)
    shuffled = flat[torch.randperm(len(flat), generator=torch.Generator().manual_seed(2))].reshape(colours.shape)
    chance = identity_score(shuffled)["identity"]
    # (Measured: 0.95 here, the renderer 0.94, the shuffled pairing 0.06; the previous default,
    # samples/psgan-adversarial-128.safetensors, 0.39.)
    assert model >= 0.75 and model > chance + 0.5 and model <= renderer + 0.1, (model, chance, renderer)


def test_the_look_schema_is_the_mapping_looks_from_latent_uses():
    """Read through the schema alone (u = Phi(z), then each kind's rule), a latent gives the look
    ``looks_from_latent`` gives: the schema psgan reads is the mapping the model was trained on."""
    import math

    from psgan_train.identity import look_schema

    schema = look_schema()
    z = torch.randn(32, 64, generator=torch.Generator().manual_seed(4))
    look, props = looks_from_latent(z)
    names = {"accessory": "acc", "socks_colour": "socks", "hair_style": "style", "long_sleeves": "long_sleeve",
             "socks": "socks_on", "hair_length": "hair_len"}

    def hex_colour(text):
        return [int(text[i:i + 2], 16) / 255 for i in (1, 3, 5)]

    for n in range(32):
        for a in schema["attributes"]:
            u = [0.5 * math.erfc(-float(z[n, d]) / math.sqrt(2)) for d in a["dims"]]
            if a["kind"] == "colour":
                got = [a["offset"] + a["scale"] * v for v in u]
                want = look[names.get(a["name"], a["name"])][n].tolist()
                assert max(abs(g - w) for g, w in zip(got, want)) < 1e-5, a["name"]
            elif a["kind"] == "palette":
                pal = [hex_colour(c) for c in a["palette"]]
                t = min(max(u[0], 0), 1) * (len(pal) - 1)
                i = min(int(t), len(pal) - 2)
                got = [p * (1 - (t - i)) + q * (t - i) for p, q in zip(pal[i], pal[i + 1])]
                want = look[names.get(a["name"], a["name"])][n].tolist()
                assert max(abs(g - w) for g, w in zip(got, want)) < 0.6 / 255, a["name"]  # palettes stored as #RRGGBB
            elif a["kind"] == "choice":
                assert min(int(u[0] * len(a["choices"])), len(a["choices"]) - 1) == int(look["style"][n]), a["name"]
            elif a["kind"] == "flag":
                assert (u[0] < a["below"]) == bool(look[names.get(a["name"], a["name"])][n]), a["name"]
            else:
                got = a["offset"] + a["scale"] * u[0]
                want = {"hair_length": look["hair_len"][n], "legs": props["thigh"][n] / 0.2, "arms": props["upper_arm"][n] / 0.15,
                        "shoulders": props["shoulder"][n], "hips": props["hip"][n], "limbs": props["limb"][n]}.get(a["name"])
                want = props[a["name"]][n] if want is None else want
                assert abs(got - float(want)) < 1e-5, a["name"]


def test_the_bundled_model_carries_the_look_schema():
    """samples/psgan-default.safetensors (an identity model) has the schema in its metadata, the
    same as ``look_schema()`` (written by ``export --add-look``)."""
    import json
    from pathlib import Path

    from psgan_train.identity import look_schema

    raw = (Path(__file__).resolve().parents[2] / "samples" / "psgan-default.safetensors").read_bytes()
    header = json.loads(raw[8:8 + int.from_bytes(raw[:8], "little")])
    assert json.loads(header["__metadata__"]["look"]) == look_schema()
