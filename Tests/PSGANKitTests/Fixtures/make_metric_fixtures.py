"""Writes metric-fixtures.json: fixed image pairs with PSNR and SSIM computed independently.

PSNR by hand (numpy, 8-bit RGB, peak 255) and SSIM by scikit-image's structural_similarity with
Wang et al.'s settings (Gaussian window, sigma 1.5, K1 0.01, K2 0.03, population covariance,
data range 255), on BT.601 luma and per RGB channel. Run: python3 make_metric_fixtures.py
(needs numpy and scikit-image); the output is committed, so the tests need neither.
"""
import base64, json, math
import numpy as np
from skimage.metrics import structural_similarity

rng = np.random.default_rng(2026)
H, W = 30, 40
yy, xx = np.mgrid[0:H, 0:W]
base = np.stack([128 + 100 * np.sin(xx / 5.0), 128 + 90 * np.cos(yy / 4.0), (xx * 6 + yy * 3) % 256], axis=-1)
base = np.clip(base, 0, 255).astype(np.uint8)

def noisy(img, sigma):
    return np.clip(img.astype(np.float64) + rng.normal(0, sigma, img.shape), 0, 255).round().astype(np.uint8)

pairs = {
    "mild-noise": (base, noisy(base, 3)),
    "heavy-noise": (base, noisy(base, 40)),
    "shifted": (base, np.roll(base, 2, axis=1)),
    "one-pixel": (base, base.copy()),
    "random": (rng.integers(0, 256, (H, W, 3), dtype=np.uint8), rng.integers(0, 256, (H, W, 3), dtype=np.uint8)),
}
pairs["one-pixel"][1][7, 9] = [0, 255, 3]

def luma(img):
    f = img.astype(np.float64)
    return 0.299 * f[..., 0] + 0.587 * f[..., 1] + 0.114 * f[..., 2]

kw = dict(gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=255)
out = []
for name, (a, b) in pairs.items():
    diff = a.astype(np.int64) - b.astype(np.int64)
    mse = float(np.mean(diff.astype(np.float64) ** 2))
    out.append({
        "name": name, "width": W, "height": H,
        "a": base64.b64encode(a.tobytes()).decode(), "b": base64.b64encode(b.tobytes()).decode(),
        "psnr": 10 * math.log10(255 ** 2 / mse) if mse > 0 else "inf",
        "ssim_luma": float(structural_similarity(luma(a), luma(b), **kw)),
        "ssim_rgb": float(structural_similarity(a.astype(np.float64), b.astype(np.float64), channel_axis=2, **kw)),
        "max_diff": int(np.abs(diff).max()),
        "differing_pixels": int(np.any(diff != 0, axis=-1).sum()),
    })
json.dump({"generator": "make_metric_fixtures.py (numpy + scikit-image " + __import__("skimage").__version__ + ")", "pairs": out},
          open("metric-fixtures.json", "w"), indent=1)
