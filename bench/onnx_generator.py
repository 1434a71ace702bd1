"""The PSGAN generator as an ONNX graph, timed on ONNX Runtime and OpenVINO.

The graph is the generator contract's forward pass (docs/spec/psgan-model.md), the same network
`psgan bench` times: latent normalisation, the dense layer to 4 x 4, per scale nearest 2x
upsampling, the pose maps concatenated after the features, 3x3 convolutions with leaky ReLU and
pixel norm, and the 1x1 `torgb`. Its inputs are the latent `z` [1, L] and the full-resolution pose
maps `pose` [1, K, R, R]; the lower scales are 2x2 max-pooled inside the graph. Weights come from a
psgan model file or are random with the requested shape (paper channels: min(16384 / s, 512)).

    python3 bench/onnx_generator.py --verify Tests/Fixtures/golden/psgan-tiny   # the graph against the goldens
    python3 bench/onnx_generator.py --res 256 --k 20 --threads 2 --frames 8    # time both runtimes
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402


def paper_channels(resolution):
    """The paper's channel schedule, as psgan's `GeneratorConfig.paperChannels`."""
    return {s: min(16384 // s, 512) for s in scales(resolution)}


def scales(resolution):
    s, out = 4, []
    while s <= resolution:
        out.append(s)
        s *= 2
    return out


def random_tensors(resolution, latent, keypoints, channels, rng):
    """Random weights in the contract's tensor names and shapes (He-scaled, small biases)."""
    def conv(cout, cin, k):
        return (rng.standard_normal((cout, cin, k, k)) * np.sqrt(2 / (cin * k * k))).astype(np.float32)

    def bias(n):
        return (rng.standard_normal(n) * 0.01).astype(np.float32)
    c4 = channels[4]
    t = {'dense.weight': (rng.standard_normal((c4 * 16, latent)) * np.sqrt(2 / latent)).astype(np.float32),
         'dense.bias': bias(c4), 'b4.conv.weight': conv(c4, c4 + keypoints, 3), 'b4.conv.bias': bias(c4)}
    for s in scales(resolution)[1:]:
        c, previous = channels[s], channels[s // 2]
        t[f'b{s}.conv0.weight'], t[f'b{s}.conv0.bias'] = conv(c, previous + keypoints, 3), bias(c)
        t[f'b{s}.conv1.weight'], t[f'b{s}.conv1.bias'] = conv(c, c, 3), bias(c)
    t['torgb.weight'], t['torgb.bias'] = conv(3, channels[resolution], 1), bias(3)
    return t


def build(resolution, latent, keypoints, tensors):
    """The forward pass as an ONNX model (opset 17) with `tensors` as initializers."""
    nodes, inits = [], []
    counter = [0]

    def const(array, tag):
        counter[0] += 1
        name = f'{tag}_{counter[0]}'
        inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def op(kind, inputs, **attrs):
        counter[0] += 1
        out = f'{kind.lower()}_{counter[0]}'
        nodes.append(helper.make_node(kind, inputs, [out], **attrs))
        return out

    eps = const(np.array([1e-8], np.float32), 'eps')

    def pixel_norm(x):
        mean = op('ReduceMean', [op('Mul', [x, x])], axes=[1], keepdims=1)
        return op('Div', [x, op('Sqrt', [op('Add', [mean, eps])])])

    def lrelu(x):
        return op('LeakyRelu', [x], alpha=0.2)

    def conv(x, name):
        w = tensors[f'{name}.weight']
        return op('Conv', [x, const(w, name + '_w'), const(tensors[f'{name}.bias'], name + '_b')], pads=[w.shape[-1] // 2] * 4)

    c4 = tensors['dense.bias'].shape[0]
    x = pixel_norm('z')
    x = op('MatMul', [x, const(tensors['dense.weight'].T, 'dense_w')])
    x = op('Reshape', [x, const(np.array([1, c4, 4, 4], np.int64), 'shape4')])
    x = op('Add', [x, const(tensors['dense.bias'].reshape(1, c4, 1, 1), 'dense_b')])
    x = pixel_norm(lrelu(x))
    pose = {resolution: 'pose'}
    for s in reversed(scales(resolution)[:-1]):
        pose[s] = op('MaxPool', [pose[2 * s]], kernel_shape=[2, 2], strides=[2, 2])
    x = pixel_norm(lrelu(conv(op('Concat', [x, pose[4]], axis=1), 'b4.conv')))
    up = const(np.array([1, 1, 2, 2], np.float32), 'scales')
    for s in scales(resolution)[1:]:
        x = op('Resize', [x, '', up], mode='nearest')
        x = pixel_norm(lrelu(conv(op('Concat', [x, pose[s]], axis=1), f'b{s}.conv0')))
        x = pixel_norm(lrelu(conv(x, f'b{s}.conv1')))
    nodes.append(helper.make_node('Identity', [conv(x, 'torgb')], ['rgb']))
    graph = helper.make_graph(nodes, 'psgan', [
        helper.make_tensor_value_info('z', TensorProto.FLOAT, [1, latent]),
        helper.make_tensor_value_info('pose', TensorProto.FLOAT, [1, keypoints, resolution, resolution]),
    ], [helper.make_tensor_value_info('rgb', TensorProto.FLOAT, [1, 3, resolution, resolution])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17)])
    model.ir_version = 8
    return model


def pose_maps(keypoints, count, resolution):
    """The contract's full-resolution maps: -1, and +1 at each present, on-canvas keypoint."""
    maps = -np.ones((1, count, resolution, resolution), np.float32)
    for k, (x, y, c) in enumerate(keypoints):
        if c > 0 and 0 <= x < resolution and 0 <= y < resolution:
            maps[0, k, int(np.floor(y)), int(np.floor(x))] = 1
    return maps


def flops(resolution, latent, keypoints, channels):
    """Multiply-adds times two, convolutions counted as direct (psgan's `flopsPerFrame`)."""
    c4 = channels[4]
    f = 2 * latent * c4 * 16 + 2 * 16 * (c4 + keypoints) * c4 * 9
    for s in scales(resolution)[1:]:
        f += 2 * s * s * 9 * ((channels[s // 2] + keypoints) * channels[s] + channels[s] ** 2)
    return f + 2 * resolution * resolution * channels[resolution] * 3


def verify(directory, runtimes, threads):
    """Runs the golden cases on each runtime; returns the worst relative L2 error per runtime."""
    cases = json.load(open(os.path.join(directory, 'cases.json')))
    config = cases['config']
    meta, tensors = peers.read_safetensors(os.path.join(directory, 'model.safetensors'))
    _, expected = peers.read_safetensors(os.path.join(directory, 'expected.safetensors'))
    r, latent, k = config['resolution'], config['latent_dim'], config['keypoints']
    model = build(r, latent, k, tensors)
    worst = {}
    for runtime in runtimes:
        run = peers.session(model, runtime, threads)
        errors = [peers.relative_l2(run({'z': np.array([case['z']], np.float32),
                                         'pose': pose_maps(case['keypoints'], k, r)})[0][0], expected[f'case{i}'])
                  for i, case in enumerate(cases['cases'])]
        worst[runtime] = max(errors)
    return worst


def timing(resolution, latent, keypoints, channels, runtimes, threads, frames, seed=0):
    """Median, fastest and slowest ms per frame on each runtime, random weights and poses."""
    rng = np.random.default_rng(seed)
    model = build(resolution, latent, keypoints, random_tensors(resolution, latent, keypoints, channels, rng))
    z = rng.standard_normal((1, latent)).astype(np.float32)
    def random_pose():
        return [(rng.integers(resolution), rng.integers(resolution), 1) for _ in range(keypoints)]
    feeds = [{'z': z, 'pose': pose_maps(random_pose(), keypoints, resolution)} for _ in range(frames + 1)]
    results = {}
    for runtime in runtimes:
        results[runtime] = peers.timed(peers.session(model, runtime, threads), feeds)
    del model
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--res', type=int, default=256)
    ap.add_argument('--k', type=int, default=20)
    ap.add_argument('--latent', type=int, default=512)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--frames', type=int, default=8)
    ap.add_argument('--runtime', action='append', choices=peers.RUNTIMES, help='repeat; default both')
    ap.add_argument('--verify', metavar='DIR', help='check the graph against golden vectors (psgan-tiny layout) instead of timing')
    ap.add_argument('--json', action='store_true')
    a = ap.parse_args()
    runtimes = a.runtime or list(peers.RUNTIMES)
    if a.verify:
        worst = verify(a.verify, runtimes, a.threads)
        for runtime, error in worst.items():
            print(f'{runtime}: golden cases match to a relative L2 error of {error:.2e} (limit 1e-5)')
        sys.exit(0 if all(e < 1e-5 for e in worst.values()) else 1)
    channels = paper_channels(a.res)
    results = timing(a.res, a.latent, a.k, channels, runtimes, a.threads, a.frames)
    f = flops(a.res, a.latent, a.k, channels)
    if a.json:
        print(json.dumps({'resolution': a.res, 'flops_per_frame': f, 'results': results}))
        return
    for runtime, r in results.items():
        print(f'{runtime} generator {a.res}x{a.res} paper K={a.k} L={a.latent} threads={a.threads}: '
              f'{r["median_ms"]:.1f} ms/frame median ({r["min_ms"]:.1f}-{r["max_ms"]:.1f}), '
              f'{1e3 / r["median_ms"]:.2f} frames/s, {f / r["median_ms"] / 1e6:.1f} GFLOP/s')


if __name__ == '__main__':
    main()
