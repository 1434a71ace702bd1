"""The CPU engines psgan is measured against: ONNX Runtime and OpenVINO, on one ONNX graph.

Both are timed the way `psgan bench` times itself: one untimed warm-up frame, then each frame on
the wall clock, reporting the median (and the fastest and slowest frame, the spread). ONNX Runtime
runs its CPU provider with `intra_op_num_threads` = threads (one inter-op thread); OpenVINO the CPU
plugin with `INFERENCE_NUM_THREADS` = threads, `INFERENCE_PRECISION_HINT` f32 (without it OpenVINO
computes in bf16 on processors that have it) and the latency hint.

    pip install onnx onnxruntime openvino numpy
"""
from __future__ import annotations

import json
import os
import struct
import tempfile
import time

import numpy as np

RUNTIMES = ('onnxruntime', 'openvino')


def read_safetensors(path):
    """A safetensors file's metadata and its tensors as float32 numpy arrays (F32 or F16 stored)."""
    with open(path, 'rb') as f:
        raw = f.read()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    meta = header.pop('__metadata__', {})
    tensors = {}
    for name, info in header.items():
        a, b = info['data_offsets']
        dtype = {'F32': np.float32, 'F16': np.float16}[info['dtype']]
        tensors[name] = np.frombuffer(raw[8 + n + a:8 + n + b], dtype=dtype).reshape(info['shape']).astype(np.float32)
    return meta, tensors


def session(model, runtime, threads):
    """A function from a dict of input arrays to the list of output arrays, on `runtime`."""
    if runtime == 'onnxruntime':
        import onnxruntime as ort
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        s = ort.InferenceSession(model.SerializeToString(), options, providers=['CPUExecutionProvider'])
        return lambda feeds: s.run(None, feeds)
    if runtime == 'openvino':
        import onnx
        import openvino as ov
        core = ov.Core()
        with tempfile.TemporaryDirectory() as tmp:  # large graphs keep their weights beside the file
            path = os.path.join(tmp, 'model.onnx')
            onnx.save(model, path, save_as_external_data=model.ByteSize() > 1_500_000_000)
            read = core.read_model(path)
        compiled = core.compile_model(read, 'CPU', {
            'INFERENCE_NUM_THREADS': threads,
            'INFERENCE_PRECISION_HINT': 'f32',
            'PERFORMANCE_HINT': 'LATENCY',
        })
        request = compiled.create_infer_request()

        def run(feeds):
            result = request.infer(feeds)
            return [np.array(result[output]) for output in compiled.outputs]
        run.kernels = convolution_kernels(compiled)
        return run
    raise ValueError(f'unknown runtime {runtime!r}: use {", ".join(RUNTIMES)}')


def convolution_kernels(compiled):
    """The kernels an OpenVINO compiled model runs its convolutions with (e.g. `brgconv_avx512_f32`,
    `brgconv_avx2_f32`): how `ONEDNN_MAX_CPU_ISA=AVX2` is seen to take effect."""
    kinds = set()
    for op in compiled.get_runtime_model().get_ops():
        info = op.get_rt_info()
        if 'layerType' in info and info['layerType'].astype(str) == 'Convolution':
            kinds.add(info['primitiveType'].astype(str))
    return sorted(kinds)


def timed(run, feeds):
    """`summary(measure(run, feeds))`, with the convolution kernels where the runtime reports them."""
    result = summary(measure(run, feeds))
    if getattr(run, 'kernels', None):
        result['kernels'] = run.kernels
    return result


def measure(run, feeds):
    """Times `run` on each of `feeds` after one untimed warm-up on the first: seconds per frame."""
    run(feeds[0])
    times = []
    for f in feeds[1:]:
        start = time.perf_counter()
        run(f)
        times.append(time.perf_counter() - start)
    return times


def summary(times):
    """Median, fastest and slowest frame time in milliseconds."""
    ms = sorted(t * 1e3 for t in times)
    mid = len(ms) // 2
    median = ms[mid] if len(ms) % 2 else (ms[mid - 1] + ms[mid]) / 2
    return {'median_ms': median, 'min_ms': ms[0], 'max_ms': ms[-1], 'frames': len(ms)}


def relative_l2(a, b):
    """|a - b| / |b| in double precision."""
    a, b = np.asarray(a, np.float64).ravel(), np.asarray(b, np.float64).ravel()
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))
