"""psgan's bundled upscalers as ONNX graphs, timed on ONNX Runtime and OpenVINO.

The graphs follow the architectures psgan implements (samples/upscalers, docs/upscaling.md): SRGAN
(BatchNorm folded into the convolutions, as psgan does at load time) and SRVGGNetCompact, with
PReLU, PixelShuffle (DepthToSpace, CRD mode) and the final tanh or nearest-upsampled skip, built
from the same weights. Inputs are [1, 3, S, S] in [0, 1].

    python3 bench/onnx_upscalers.py --verify Tests/Fixtures/golden/sr   # the graphs against the goldens
    python3 bench/onnx_upscalers.py --size 256 --threads 2 --frames 2   # time both runtimes
"""
import argparse, json, os, sys
import numpy as np
from onnx import helper as h, numpy_helper as nh, TensorProto as TP

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402

MODELS = {'srgan-x2': 'samples/upscalers/srgan-x2.safetensors', 'srgan-x4': 'samples/upscalers/srgan-x4.safetensors',
          'anime-x4': 'samples/upscalers/realesr-animevideov3-x4.safetensors'}
GOLDEN_NAMES = {'srgan-x2': 'srgan-x2', 'srgan-x4': 'srgan-x4', 'anime-x4': 'realesr-animevideov3-x4'}


class Graph:
    def __init__(self):
        self.nodes, self.inits, self.count = [], [], 0

    def name(self, tag):
        self.count += 1
        return f'{tag}_{self.count}'

    def const(self, array, tag='w'):
        n = self.name(tag)
        self.inits.append(nh.from_array(np.ascontiguousarray(array, dtype=np.float32), n))
        return n

    def op(self, kind, inputs, **attrs):
        out = self.name(kind.lower())
        self.nodes.append(h.make_node(kind, inputs, [out], **attrs))
        return out

    def conv(self, x, w, b):
        k = w.shape[-1]
        return self.op('Conv', [x, self.const(w), self.const(b)], pads=[k // 2] * 4)

    def prelu(self, x, slope):
        return self.op('PRelu', [x, self.const(slope.reshape(-1, 1, 1) if slope.size > 1 else slope.reshape(1, 1, 1))])

    def shuffle(self, x, r):
        return self.op('DepthToSpace', [x], blocksize=r, mode='CRD')


def fold(t, conv, bn):
    w, b = t[conv + '.weight'], t[conv + '.bias']
    scale = t[bn + '.weight'] / np.sqrt(t[bn + '.running_var'] + 1e-5)
    return w * scale[:, None, None, None], (b - t[bn + '.running_mean']) * scale + t[bn + '.bias']


def srgan(t, g, x):
    b1 = g.prelu(g.conv(x, t['block1.0.weight'], t['block1.0.bias']), t['block1.1.weight'])
    hidden, i = b1, 2
    while f'block{i}.conv1.weight' in t:
        r = g.prelu(g.conv(hidden, *fold(t, f'block{i}.conv1', f'block{i}.bn1')), t[f'block{i}.prelu.weight'])
        r = g.conv(r, *fold(t, f'block{i}.conv2', f'block{i}.bn2'))
        hidden, i = g.op('Add', [hidden, r]), i + 1
    if f'block{i}.1.running_mean' in t:
        w, b = t[f'block{i}.0.weight'], t[f'block{i}.0.bias']
        scale = t[f'block{i}.1.weight'] / np.sqrt(t[f'block{i}.1.running_var'] + 1e-5)
        tail = g.conv(hidden, w * scale[:, None, None, None], (b - t[f'block{i}.1.running_mean']) * scale + t[f'block{i}.1.bias'])
    else:
        tail = g.prelu(g.conv(hidden, t[f'block{i}.0.weight'], t[f'block{i}.0.bias']), t[f'block{i}.1.weight'])
    hidden, last, j = g.op('Add', [b1, tail]), f'block{i + 1}', 0
    while f'{last}.{j}.conv.weight' in t:
        hidden = g.prelu(g.shuffle(g.conv(hidden, t[f'{last}.{j}.conv.weight'], t[f'{last}.{j}.conv.bias']), 2), t[f'{last}.{j}.prelu.weight'])
        j += 1
    y = g.conv(hidden, t[f'{last}.{j}.weight'], t[f'{last}.{j}.bias'])
    half = g.const(np.array(0.5))
    return g.op('Mul', [g.op('Add', [g.op('Tanh', [y]), g.const(np.array(1.0))]), half]), 2 ** j


def srvgg(t, g, x):
    n = 0
    hidden = x
    while f'body.{n + 1}.weight' in t and t[f'body.{n + 1}.weight'].ndim == 1:
        hidden = g.prelu(g.conv(hidden, t[f'body.{n}.weight'], t[f'body.{n}.bias']), t[f'body.{n + 1}.weight'])
        n += 2
    out = g.conv(hidden, t[f'body.{n}.weight'], t[f'body.{n}.bias'])
    scale = int(round((t[f'body.{n}.weight'].shape[0] // 3) ** 0.5))
    up = g.op('Resize', [x, '', g.const(np.array([1, 1, scale, scale]))], mode='nearest')
    return g.op('Add', [g.shuffle(out, scale), up]), scale


def build(path):
    _, t = peers.read_safetensors(path)
    g = Graph()
    body = srvgg if 'body.0.weight' in t else srgan
    y, scale = body(t, g, 'x')
    g.nodes.append(h.make_node('Identity', [y], ['y']))
    graph = h.make_graph(g.nodes, 'upscaler', [h.make_tensor_value_info('x', TP.FLOAT, [1, 3, None, None])],
                         [h.make_tensor_value_info('y', TP.FLOAT, [1, 3, None, None])], g.inits)
    model = h.make_model(graph, opset_imports=[h.make_opsetid('', 17)])
    model.ir_version = 8
    return model, scale


def verify(directory, runtimes, threads):
    """Runs each model on the golden input; returns the relative L2 error per (model, runtime)."""
    _, golden = peers.read_safetensors(os.path.join(directory, 'expected.safetensors'))
    x = golden['astronaut.input'][None]
    errors = {}
    for name, path in MODELS.items():
        model, _ = build(path)
        for runtime in runtimes:
            y = peers.session(model, runtime, threads)({'x': x})[0][0]
            errors[(name, runtime)] = peers.relative_l2(y, golden[f'astronaut.{GOLDEN_NAMES[name]}'])
    return errors


def timing(name, size, runtimes, threads, frames, seed=0):
    """Median, fastest and slowest ms per frame of upscaler `name` on each runtime."""
    model, scale = build(MODELS[name])
    rng = np.random.default_rng(seed)
    feeds = [{'x': rng.random((1, 3, size, size), dtype=np.float32)} for _ in range(frames + 1)]
    results = {runtime: peers.timed(peers.session(model, runtime, threads), feeds) for runtime in runtimes}
    return results, scale


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--size', type=int, default=256)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--frames', type=int, default=2)
    ap.add_argument('--model', action='append', choices=list(MODELS), help='repeat; default all three')
    ap.add_argument('--runtime', action='append', choices=peers.RUNTIMES, help='repeat; default both')
    ap.add_argument('--verify', metavar='DIR', help='check the graphs against the golden outputs (sr layout) instead of timing')
    ap.add_argument('--json', action='store_true', help='print one JSON object per model')
    a = ap.parse_args()
    runtimes = a.runtime or list(peers.RUNTIMES)
    if a.verify:
        errors = verify(a.verify, runtimes, a.threads)
        for (name, runtime), error in errors.items():
            print(f'{runtime} {name}: golden output matches to a relative L2 error of {error:.2e} (limit 1e-5)')
        sys.exit(0 if all(e < 1e-5 for e in errors.values()) else 1)
    for name in a.model or list(MODELS):
        results, scale = timing(name, a.size, runtimes, a.threads, a.frames)
        if a.json:
            print(json.dumps({'model': name, 'scale': scale, 'results': results}))
            continue
        mp = (a.size * scale) ** 2 / 1e6
        for runtime, r in results.items():
            print(f'{runtime} {name} {a.size}x{a.size} -> {a.size * scale}x{a.size * scale} threads={a.threads}: '
                  f'{r["median_ms"]:.1f} ms/frame median ({r["min_ms"]:.1f}-{r["max_ms"]:.1f}), {mp * 1e3 / r["median_ms"]:.2f} MP/s')


if __name__ == '__main__':
    main()
