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


def test_recorded_poses_are_used_and_on_figure(tmp_path):
    """Frames from a pose file drive the figures and their keypoints stay on the drawn body."""
    import json
    from psgan_train.poses import load_pose_frames
    frame = [[100, 40, 1], [100, 60, 1], [85, 62, 1], [80, 85, 1], [78, 105, 1], [115, 62, 1], [120, 85, 1],
             [122, 105, 1], [92, 110, 1], [90, 140, 1], [90, 170, 1], [108, 110, 1], [110, 140, 1],
             [110, 170, 1], [96, 37, 1], [104, 37, 1], [92, 40, 1], [108, 40, 1]]
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"format": "psgan-pose", "version": 1, "layout": "coco18", "fps": 30,
                                "canvas": {"width": 200, "height": 200}, "frames": [frame] * 4}))
    frames = load_pose_frames([str(path)], stride=1)
    img, kp = render_batch(3, 8, 96, frames=frames, frame_fraction=1.0)
    # Every figure is the recorded pose (or its mirror): wrists level and below the elbows.
    assert torch.all(kp[:, 4, 1] > kp[:, 3, 1]) and torch.all(kp[:, 7, 1] > kp[:, 6, 1])
    for i in range(8):
        for k in range(18):
            x, y = int(kp[i, k, 0]), int(kp[i, k, 1])
            assert not torch.all(img[i, :, y, x] > 0.98), (i, k)
    path.write_text(json.dumps({"format": "other"}))
    import pytest
    with pytest.raises(ValueError):
        load_pose_frames([str(path)])
