"""Time ONNX Runtime on psgan's bundled upscalers, built as ONNX graphs from the same weights.

The graphs follow the architectures psgan implements (samples/upscalers, docs/upscaling.md): SRGAN
(BatchNorm folded into the convolutions, as psgan does at load time) and SRVGGNetCompact, with
PReLU, PixelShuffle (DepthToSpace, CRD mode) and the final tanh or nearest-upsampled skip. Inputs
are [1, 3, S, S] in [0, 1]. Prints ms per frame and megapixels of output per second, for
comparison with `psgan bench` on the same machine in the same run (bench/compare-ort.sh).

    pip install onnx onnxruntime numpy
    python3 bench/ort_upscalers.py --size 256 --threads 2 --frames 2
"""
import argparse, json, struct, time
import numpy as np, onnx, onnxruntime as ort
from onnx import helper as h, numpy_helper as nh, TensorProto as TP


def load(path):
    raw = open(path, 'rb').read()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    meta = header.pop('__metadata__', {})
    tensors = {}
    for name, info in header.items():
        a, b = info['data_offsets']
        dtype = {'F32': np.float32, 'F16': np.float16}[info['dtype']]
        tensors[name] = np.frombuffer(raw[8 + n + a:8 + n + b], dtype=dtype).reshape(info['shape']).astype(np.float32)
    return meta, tensors


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
    meta, t = load(path)
    g = Graph()
    body = srvgg if 'body.0.weight' in t else srgan
    y, scale = body(t, g, 'x')
    g.nodes.append(h.make_node('Identity', [y], ['y']))
    graph = h.make_graph(g.nodes, 'upscaler', [h.make_tensor_value_info('x', TP.FLOAT, [1, 3, None, None])],
                         [h.make_tensor_value_info('y', TP.FLOAT, [1, 3, None, None])], g.inits)
    return h.make_model(graph, opset_imports=[h.make_opsetid('', 17)]), scale


if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--size', type=int, default=256)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--frames', type=int, default=2)
    ap.add_argument('--models', nargs='*', default=['samples/upscalers/srgan-x2.safetensors', 'samples/upscalers/srgan-x4.safetensors',
                                                     'samples/upscalers/realesr-animevideov3-x4.safetensors'])
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    for path in a.models:
        model, scale = build(path)
        so = ort.SessionOptions(); so.intra_op_num_threads = a.threads; so.inter_op_num_threads = 1
        sess = ort.InferenceSession(model.SerializeToString(), so, providers=['CPUExecutionProvider'])
        x = rng.random((1, 3, a.size, a.size), dtype=np.float32)
        sess.run(None, {'x': x})
        start = time.perf_counter()
        for _ in range(a.frames):
            sess.run(None, {'x': x})
        dt = (time.perf_counter() - start) / a.frames
        mp = (a.size * scale) ** 2 / 1e6
        print(f'ORT {path.split("/")[-1]} {a.size}x{a.size} -> {a.size * scale}x{a.size * scale} threads={a.threads}: '
              f'{dt * 1e3:.1f} ms/frame, {mp / dt:.2f} MP/s')
