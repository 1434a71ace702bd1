"""Dataset renderer: determinism, keypoints on the figure, value ranges."""
import torch

from psgan_train.avatars import render_batch


def test_same_seed_same_batch():
    a, ka = render_batch(5, 4, 64)
    b, kb = render_batch(5, 4, 64)
    assert torch.equal(a, b) and torch.equal(ka, kb)


def test_different_seeds_differ():
    a, _ = render_batch(5, 4, 64)
    b, _ = render_batch(6, 4, 64)
    assert not torch.equal(a, b)


def test_shapes_and_range():
    img, kp = render_batch(1, 3, 48)
    assert img.shape == (3, 3, 48, 48) and kp.shape == (3, 18, 3)
    assert img.min() >= -1 and img.max() <= 1
    # White background: the corners are white.
    assert torch.all(img[:, :, 0, 0] == 1)


def test_keypoints_on_figure_and_on_canvas():
    """Every visible keypoint lies on the canvas and the pixel under it is not background."""
    res = 128
    img, kp = render_batch(11, 24, res)
    visible = kp[..., 2] > 0
    assert visible.sum() >= 24 * 16
    xy = kp[..., :2]
    assert torch.all((xy[visible] >= 0) & (xy[visible] < res))
    for i in range(img.shape[0]):
        for k in range(18):
            if not visible[i, k]:
                continue
            x, y = int(xy[i, k, 0]), int(xy[i, k, 1])
            pixel = img[i, :, y, x]
            assert not torch.all(pixel > 0.98), f"sample {i} keypoint {k} at ({x},{y}) is on the background"


def test_bad_arguments():
    import pytest
    with pytest.raises(ValueError):
        render_batch(0, 0, 64)
