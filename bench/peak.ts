// Section 4: the physical limit. Training FLOPs per sample of each model (from `nnc summary`), measured OpenBLAS
// sgemm at 1 and 2 threads (the reference: the formula below under-estimated it, issue 14), the theoretical peak
// from lscpu for information, and each measured throughput as a fraction of the measured sgemm.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadSnapshot, log, REPO, round, runJsonChild, TSX } from './lib.js';
import { MODELS, PYTHON, torchEnv, type ModelKey } from './training.js';

export interface CpuPeak {
  model: string; cores: number; ghz: number; simd: string; lanes: number; fmaUnits: number;
  /** cores x GHz x lanes x 2 (an FMA is 2 FLOPs) x FMA units per core. */
  peakGflops: number; perCoreGflops: number; assumption: string;
}

export interface PeakResults {
  loadavg: { before: number[]; after: number[] };
  cpu: CpuPeak;
  /** Forward FLOPs per sample from nnc summary, and training ~= 3 x forward (forward + two backward products). */
  modelFlops: Record<ModelKey, { forward: number; training: number; params: number }>;
  gemm: {
    /** Best over the thread counts measured: the physical reference the training figures are compared against. */
    numpyGflops: number | null; torchGflops: number | null; n: number; numpy: string | null;
    /** OpenBLAS sgemm with OPENBLAS_NUM_THREADS=1 and =2 (numpy and torch.mm share Debian's OpenBLAS). */
    byThreads?: { threads: number; numpyGflops: number | null; torchGflops: number | null; loadavg: number[] }[];
    tfjs: { backend: string; n: number; gflops: number; wasmThreads: number | null }[]; errors: string[];
  };
}

export function cpuPeak(): CpuPeak {
  const text = execFileSync('lscpu', { encoding: 'utf8' });
  const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'm').exec(text)?.[1].trim();
  const flags = new Set((field('Flags') ?? '').split(/\s+/));
  const cores = Number(field('CPU\\(s\\)') ?? 1);
  // lscpu shows no clock on some VMs; /proc/cpuinfo's current clock is the fallback.
  let mhz = Number(field('CPU max MHz') ?? NaN);
  if (!Number.isFinite(mhz)) {
    const values = [...readFileSync('/proc/cpuinfo', 'utf8').matchAll(/^cpu MHz\s*:\s*([\d.]+)/gm)].map((m) => Number(m[1]));
    mhz = values.length ? Math.max(...values) : NaN;
  }
  const [simd, lanes] = flags.has('avx512f') ? ['AVX-512', 16] : flags.has('avx2') && flags.has('fma') ? ['AVX2+FMA', 8] : ['SSE', 4];
  const fmaUnits = 2;
  const perCore = (mhz / 1000) * lanes * 2 * fmaUnits;
  return {
    model: field('Model name') ?? 'unknown', cores, ghz: round(mhz / 1000, 3), simd, lanes, fmaUnits,
    peakGflops: round(cores * perCore, 1), perCoreGflops: round(perCore, 1),
    assumption: `${fmaUnits} FMA units per core (Zen 2+, Haswell+); base clock, no turbo; ${flags.has('hypervisor') ? 'virtual CPUs (one per core assumed)' : 'physical cores'}`,
  };
}

export function modelFlops(): PeakResults['modelFlops'] {
  const out = {} as PeakResults['modelFlops'];
  for (const [key, { spec }] of Object.entries(MODELS) as [ModelKey, { spec: string }][]) {
    const json = execFileSync('node', [path.join(REPO, 'bin', 'nnc.js'), 'summary', spec, '--format', 'json'], { cwd: REPO, encoding: 'utf8' });
    const [summary] = JSON.parse(json) as { flops: number; totalParams: number }[];
    out[key] = { forward: summary.flops, training: 3 * summary.flops, params: summary.totalParams };
  }
  return out;
}

export async function runPeakBench(opts: { quick: boolean }): Promise<PeakResults> {
  const before = loadSnapshot();
  const errors: string[] = [];
  log('peak: FLOPs per model, lscpu, GEMM');
  const gemm: PeakResults['gemm'] = { numpyGflops: null, torchGflops: null, n: opts.quick ? 1024 : 2048, numpy: null, byThreads: [], tfjs: [], errors };
  for (const threads of [1, 2] as const) {
    try {
      const loadavg = loadSnapshot();
      const r = await runJsonChild<{ numpyGflops?: number; torchGflops: number; numpy: string | null }>(PYTHON, [
        path.join(REPO, 'bench', 'torch_bench.py'), 'sgemm', '--n', String(gemm.n), '--threads', String(threads)], { env: torchEnv(threads) });
      gemm.byThreads!.push({ threads, numpyGflops: r.numpyGflops ? round(r.numpyGflops, 1) : null, torchGflops: round(r.torchGflops, 1), loadavg });
      gemm.numpy = r.numpy;
    } catch (e) {
      errors.push(`sgemm (${threads} thread): ${(e as Error).message.split('\n')[0]}`);
    }
  }
  const best = (f: (t: NonNullable<PeakResults['gemm']['byThreads']>[number]) => number | null) =>
    Math.max(...gemm.byThreads!.map((t) => f(t) ?? 0)) || null;
  gemm.numpyGflops = best((t) => t.numpyGflops);
  gemm.torchGflops = best((t) => t.torchGflops);
  for (const [backend, n] of [['wasm', opts.quick ? 512 : 1024], ['cpu', opts.quick ? 256 : 512]] as const) {
    try {
      const r = await runJsonChild<{ backend: string; n: number; gflops: number; wasmThreads: number | null }>(TSX, [
        path.join(REPO, 'bench', 'tfjs-gemm.ts'), '--backend', backend, '--n', String(n)]);
      gemm.tfjs.push({ ...r, gflops: round(r.gflops, 2) });
    } catch (e) {
      errors.push(`tfjs ${backend} gemm: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return { loadavg: { before, after: loadSnapshot() }, cpu: cpuPeak(), modelFlops: modelFlops(), gemm };
}
