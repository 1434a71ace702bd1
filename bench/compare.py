"""psgan, ONNX Runtime and OpenVINO side by side on the same networks, in one run.

First checks that the ONNX graphs are the networks psgan runs (each runtime reproduces the golden
vectors in Tests/Fixtures/golden), then for each generator resolution and each upscaler times psgan
(`psgan bench`), ONNX Runtime and OpenVINO one after another, each in a process of its own, with the
same thread count, and prints one table: median ms per frame with the fastest and slowest frame, and psgan's
speed-up over the faster peer. Run it through bench/compare.sh, which builds psgan and installs the
Python packages.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx_generator  # noqa: E402
import onnx_upscalers  # noqa: E402
import peers  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(ROOT, 'Tests', 'Fixtures', 'golden')
PEER_NAMES = {'onnxruntime': 'ONNX Runtime', 'openvino': 'OpenVINO'}


# `--isa avx2`: what makes each engine use its AVX2 kernels on a machine with AVX-512. ONNX Runtime has
# no such switch (MLAS picks its kernels from CPUID), so it keeps its AVX-512 ones: its column is then
# what an AVX2 machine would see at best, not a measurement of one.
ISA_ENV = {'native': {}, 'avx2': {'psgan': {'OPENBLAS_CORETYPE': 'Haswell'}, 'openvino': {'ONEDNN_MAX_CPU_ISA': 'AVX2'}}}


def isa_switches(isa):
    """`psgan OPENBLAS_CORETYPE=Haswell, openvino ONEDNN_MAX_CPU_ISA=AVX2`: what `--isa` sets, read from ISA_ENV."""
    return ', '.join(f'{engine} {k}={v}' for engine, env in ISA_ENV[isa].items() for k, v in env.items())


def engine_env(isa, engine):
    """The environment an engine runs in for `--isa`."""
    return dict(os.environ, **ISA_ENV[isa].get(engine, {}))


def peer(script, runtime, arguments, isa='native'):
    """Times one runtime with `bench/SCRIPT --json --runtime RUNTIME ARGS` in a process of its own, so
    that no engine's worker threads linger while another is measured: its summary dict."""
    out = subprocess.run([sys.executable, os.path.join(ROOT, 'bench', script), '--json', '--runtime', runtime, *arguments],
                         check=True, capture_output=True, text=True, env=engine_env(isa, runtime)).stdout
    return json.loads(out.strip().splitlines()[-1])['results'][runtime]


def psgan_bench(psgan, threads, arguments, isa='native'):
    """`psgan bench --json ARGS` with PSGAN_THREADS=threads: its one result as a summary dict, with
    the machine line psgan reports (it names the OpenBLAS kernels it runs)."""
    env = dict(engine_env(isa, 'psgan'), PSGAN_THREADS=str(threads))
    out = subprocess.run([psgan, 'bench', '--json', *arguments], env=env, check=True, capture_output=True, text=True).stdout
    report = json.loads(out)
    r = report['results'][0]
    return {'median_ms': r['seconds'] * 1e3 / r['frames'], 'min_ms': r['fastestFrameSeconds'] * 1e3,
            'max_ms': r['slowestFrameSeconds'] * 1e3, 'frames': r['frames'], 'machine': report.get('machine', '')}


def machine():
    """CPU model, the vector extensions that matter here, and the runtimes' versions."""
    model, flags = platform.processor() or 'unknown CPU', set()
    try:
        for line in open('/proc/cpuinfo'):
            if line.startswith('model name'):
                model = line.split(':', 1)[1].strip()
            elif line.startswith('flags'):
                flags = set(line.split(':', 1)[1].split())
                break
    except OSError:
        pass
    wanted = ['avx2', 'fma', 'avx512f', 'avx512_bf16', 'avx512_vnni', 'amx_tile']
    import onnxruntime
    import openvino
    return (f'{model}, {os.cpu_count()} cores; flags: {" ".join(f for f in wanted if f in flags) or "none of AVX2/AVX-512"}; '
            f'onnxruntime {onnxruntime.__version__}, openvino {openvino.__version__.split("-")[0]}')


def cell(r):
    rounds = r.get('round_medians_ms', [])
    spread = f'; rounds {min(rounds):.0f}–{max(rounds):.0f}' if len(rounds) > 1 else ''
    return f'{r["median_ms"]:.1f} ms ({r["min_ms"]:.0f}–{r["max_ms"]:.0f}{spread})'


def interleaved(engines, rounds):
    """Runs each engine's measurement `rounds` times, round by round in turn: per engine, the round
    with the lowest median, with every round's median added as `round_medians_ms`."""
    runs = {name: [] for name in engines}
    for _ in range(rounds):
        for name, measure in engines.items():
            runs[name].append(measure())
    best = {}
    for name, results in runs.items():
        best[name] = dict(min(results, key=lambda r: r['median_ms']), round_medians_ms=[r['median_ms'] for r in results])
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--psgan', default=os.path.join(ROOT, '.build', 'release', 'psgan'))
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--resolution', type=int, action='append', help='generator resolutions (repeat; default 256 and 1024)')
    ap.add_argument('--keypoints', type=int, default=20)
    ap.add_argument('--upscaler', action='append', choices=list(onnx_upscalers.MODELS), help='repeat; default all three')
    ap.add_argument('--no-upscalers', action='store_true')
    ap.add_argument('--no-generator', action='store_true', help='the upscalers only')
    ap.add_argument('--upscale-size', type=int, default=256)
    ap.add_argument('--upscale-frames', type=int, default=3)
    ap.add_argument('--rounds', type=int, default=3, help='interleaved rounds per network; the best of each engine is kept')
    ap.add_argument('--json', metavar='FILE', help='also write every figure as JSON')
    ap.add_argument('--isa', choices=list(ISA_ENV), default='native',
                    help=f'avx2: {isa_switches("avx2")} (ONNX Runtime has no such switch); native: each engine picks for this CPU')
    a = ap.parse_args()
    runtimes = list(peers.RUNTIMES)

    checks = onnx_generator.verify(os.path.join(GOLDEN, 'psgan-tiny'), runtimes, a.threads)
    checks.update({f'{n} {rt}': e for (n, rt), e in onnx_upscalers.verify(os.path.join(GOLDEN, 'sr'), runtimes, a.threads).items()})
    worst = max(checks.values())
    if worst >= 1e-5:
        sys.exit(f'bench/compare.py: an ONNX graph does not reproduce the golden vectors ({checks}); not comparing')
    print(f'graphs checked: both runtimes reproduce the golden vectors (worst relative L2 {worst:.1e})', file=sys.stderr)

    rows = []
    for res in [] if a.no_generator else a.resolution or [256, 1024]:
        frames = 8 if res <= 256 else 3
        label = f'generator {res}x{res}, paper channels, K={a.keypoints}, L=512'
        print(f'measuring {label}...', file=sys.stderr)
        engines = {'psgan': lambda: psgan_bench(a.psgan, a.threads, ['--only', 'generator', '--resolution', str(res),
                                                                     '--keypoints', str(a.keypoints), '--frames', str(frames)], a.isa)}
        for runtime in runtimes:
            engines[runtime] = lambda runtime=runtime: peer('onnx_generator.py', runtime, [
                '--res', str(res), '--k', str(a.keypoints), '--threads', str(a.threads), '--frames', str(frames)], a.isa)
        rows.append((label, interleaved(engines, a.rounds)))
    for name in [] if a.no_upscalers else a.upscaler or list(onnx_upscalers.MODELS):
        label = f'{name}, {a.upscale_size}x{a.upscale_size} input'
        print(f'measuring {label}...', file=sys.stderr)
        engines = {'psgan': lambda: psgan_bench(a.psgan, a.threads, ['--only', 'upscaler', '--upscaler', name, '--upscale-size',
                                                                     str(a.upscale_size), '--upscale-frames', str(a.upscale_frames)], a.isa)}
        for runtime in runtimes:
            engines[runtime] = lambda runtime=runtime: peer('onnx_upscalers.py', runtime, [
                '--model', name, '--size', str(a.upscale_size), '--threads', str(a.threads), '--frames', str(a.upscale_frames)], a.isa)
        rows.append((label, interleaved(engines, a.rounds)))

    print(f'| stage | psgan | {" | ".join(PEER_NAMES[r] for r in runtimes)} | psgan / best peer |')
    print('| --- | --- |' + ' --- |' * len(runtimes) + ' --- |')
    for label, figures in rows:
        best = min(figures[r]['median_ms'] for r in runtimes)
        print(f'| {label} | {cell(figures["psgan"])} | {" | ".join(cell(figures[r]) for r in runtimes)} | '
              f'**{best / figures["psgan"]["median_ms"]:.2f}x** |')
    print(f'\nbest of {a.rounds} interleaved rounds: median ms per frame (fastest–slowest frame of that round; '
          f'range of the rounds\' medians); {a.threads} threads each; {machine()}')
    kernels = sorted({figures['psgan'].get('machine', '') for _, figures in rows} - {''})
    openvino = sorted({k for _, figures in rows for k in figures.get('openvino', {}).get('kernels', [])})
    if openvino:
        kernels.append(f'OpenVINO convolutions: {", ".join(openvino)}')
    print(f'instruction set: {a.isa}' + (f' ({isa_switches(a.isa)}; ONNX Runtime has no switch and keeps its AVX-512 kernels)'
                                         if ISA_ENV[a.isa] else '')
          + (f'; kernels: {"; ".join(kernels)}' if kernels else ''))
    if a.json:
        with open(a.json, 'w') as f:
            json.dump({'machine': machine(), 'isa': a.isa, 'threads': a.threads, 'rounds': a.rounds, 'graph_checks': checks,
                       'rows': [{'stage': label, **figures} for label, figures in rows]}, f, indent=2)


if __name__ == '__main__':
    main()
