// Turns the results object into the markdown of bench/results/results.md (also printed by `npm run bench`).
import type { CompilerResults } from './compiler.js';
import { fmtInt, fmtRate, markdownTable, round } from './lib.js';
import type { OverheadResults } from './overhead.js';
import type { PeakResults } from './peak.js';
import type { ModelKey, RunConfig } from './training.js';
import type { VersusResults } from './versus-torch.js';

export interface Invocation { startedAt: string; finishedAt: string; quick: boolean; sections: string[]; loadavg: { start: number[]; end: number[] } }

/** The latest invocation's fields, plus every invocation whose sections the results still hold. */
export interface Meta extends Invocation {
  invocations?: Invocation[];
  node: string; tfjs: string | null; torch: string | null; cpu: string; cores: number;
}

export interface Results {
  meta: Meta;
  compiler?: CompilerResults;
  overhead?: OverheadResults;
  torch?: VersusResults;
  peak?: PeakResults;
  /** Derived from peak + the measured throughputs each time the results are written. */
  fractions?: Fraction[];
}

export interface Fraction { run: string; model: ModelKey; samplesPerSec: number; gflops: number; ofPeak: number; ofSgemm: number | null; ofCoresUsed: number | null }

const pct = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(v < 0.01 ? 2 : 1)}%`);
const load = (l: number[] | undefined) => (l ? l.map((v) => v.toFixed(2)).join(' / ') : '–');
const cfg = (c: RunConfig) => `${fmtInt(c.train)} x ${c.epochs} ep, test ${fmtInt(c.test)}`;

/** Each measured training throughput as FLOP/s, against the machine's peak and the measured GEMM peak. */
export function fractions(r: Results): Fraction[] {
  if (!r.peak) return [];
  const { cpu, modelFlops, gemm } = r.peak;
  const sgemm = Math.max(gemm.numpyGflops ?? 0, gemm.torchGflops ?? 0) || null;
  const out: Fraction[] = [];
  const add = (run: string, model: ModelKey, samplesPerSec: number, threads: number | null) => {
    if (!Number.isFinite(samplesPerSec)) return;
    const gflops = (samplesPerSec * modelFlops[model].training) / 1e9;
    out.push({
      run, model, samplesPerSec: round(samplesPerSec, 1), gflops: round(gflops, 2), ofPeak: round(gflops / cpu.peakGflops, 4),
      ofSgemm: sgemm ? round(gflops / sgemm, 4) : null, ofCoresUsed: threads ? round(gflops / (cpu.perCoreGflops * threads), 4) : null,
    });
  };
  for (const b of r.overhead?.backends ?? []) {
    // tfjs's wasm (in Node) and cpu backends run on one thread.
    add(`MLP nnc ${b.backend}`, 'mlp', b.generatedSamplesPerSec, 1);
    add(`MLP hand-written ${b.backend}`, 'mlp', b.handwrittenSamplesPerSec, 1);
  }
  for (const row of r.torch?.rows ?? []) {
    const model = row.config.model;
    const name = model.toUpperCase();
    if (row.nnc && !(model === 'mlp' && r.overhead?.backends.some((b) => b.backend === row.config.backend))) {
      add(`${name} nnc ${row.config.backend}`, model, row.nnc.samplesPerSec, 1);
    }
    const threads = (row.torch?.env as { threads?: number } | undefined)?.threads ?? null;
    if (row.torch && !out.some((f) => f.run === `${name} PyTorch (${fmtInt(row.config.train)} samples)`)) {
      add(`${name} PyTorch (${fmtInt(row.config.train)} samples)`, model, row.torch.samplesPerSec, threads);
    }
  }
  return out;
}

function compilerSection(c: CompilerResults): string {
  const rows = c.specs.map((s) => [
    s.spec, fmtInt(s.check.wallMs), fmtInt(s.check.cpuMs), fmtInt(s.compile.wallMs), fmtInt(s.compile.cpuMs),
    s.inProcessCheckMs.toFixed(1), s.check.exitCode === 0 && s.compile.exitCode === 0 ? 'ok' : `exit ${s.check.exitCode}/${s.compile.exitCode}`,
  ]);
  return [
    `## 1. Compiler (median of ${c.runs} runs; load ${load(c.loadavg.before)} → ${load(c.loadavg.after)})`, '',
    markdownTable(['spec', 'check wall ms', 'check CPU ms', 'compile wall ms', 'compile CPU ms', 'in-process check ms', 'status'], rows), '',
    `In-process \`check\` throughput (src/pipeline.ts, warm, the ${c.throughput.specs.length} specs of specs/ in turn): **${c.throughput.specsPerSec} specs/s**.`, '',
    'Cold start (fresh Node processes, medians):', '',
    markdownTable(['step', 'ms', 'note'], c.coldStart.map((s) => [s.step, s.ms, s.note])),
    ...(c.startup ? [
      '', `Start-up against bare Node (${c.startup.rounds} interleaved rounds; process CPU = user + system of the whole process, ms):`, '',
      markdownTable(['command', 'what runs', 'CPU median', 'CPU q1–q3', 'CPU min', 'wall median'],
        c.startup.rows.map((r) => [`\`${r.command}\``, r.what, r.cpuMedian, `${r.cpuQ1}–${r.cpuQ3}`, r.cpuMin, r.wallMedian])),
    ] : []),
  ].join('\n');
}

function overheadSection(o: OverheadResults): string {
  const rows = o.backends.map((b) => [
    b.backend, cfg(b.config), `${fmtRate(b.generatedSamplesPerSec)} (${b.generated.length})`, `${fmtRate(b.handwrittenSamplesPerSec)} (${b.handwritten.length})`,
    `**${b.ratio}**`, b.pairRatios.join(', ') || '–', b.handwrittenPlain ? fmtRate(b.handwrittenPlain.samplesPerSec) : '–',
    load(b.generated[0]?.loadavg), b.error ?? '',
  ]);
  return [
    `## 2. Trainer overhead: generated trainer vs hand-written model.fit (load ${load(o.loadavg.before)} → ${load(o.loadavg.after)})`, '',
    'Samples/s over the training batches of the epochs after the first (median of runs; runs alternate).', '',
    markdownTable(['backend', 'data', 'nnc samples/s (runs)', 'hand-written samples/s (runs)', 'ratio (target ≥ 0.97)', 'per-pair ratios', 'hand-written, plain tfjs backend', 'load at start', 'error'], rows),
  ].join('\n');
}

function torchSection(v: VersusResults): string {
  const rows: (string | number)[][] = [];
  for (const row of v.rows) {
    const name = row.config.model === 'mlp' ? 'MLP 784-500-200-10' : 'CNN (specs/fashion_cnn.nn)';
    if (row.nnc) {
      rows.push([name, cfg(row.config), `nnc → tfjs ${row.config.backend} (${row.nnc.wasmThreads ?? 1} thread)`, fmtRate(row.nnc.samplesPerSec),
        pct(row.nnc.testAccuracy), fmtInt(row.nnc.inferImagesPerSec), row.speedRatio, load(row.nnc.loadavg)]);
    }
    if (row.torch) {
      const threads = (row.torch.env as { threads?: number }).threads;
      rows.push([name, cfg(row.config), `PyTorch (${threads} threads)`, fmtRate(row.torch.samplesPerSec), pct(row.torch.testAccuracy),
        fmtInt(row.torch.inferImagesPerSec), 1, load(row.torch.loadavg)]);
    }
    for (const e of row.errors) rows.push([name, cfg(row.config), `error: ${e.slice(0, 160)}`, '–', '–', '–', '–', '–']);
  }
  const env = v.torchEnv as Record<string, unknown> | null;
  const envLine = env
    ? `PyTorch ${env.torch}, ${env.threads} threads (interop ${env.interop_threads}), BLAS_INFO=${env.blas_info}, OpenBLAS loaded: ${env.uses_openblas ? 'yes' : 'no'} (${(env.blas_libraries as string[]).map((l) => l.split('/').pop()).join(', ')}), CPU capability ${env.cpu_capability}, MKL-DNN ${env.mkldnn ? 'on' : 'off'}.`
    : 'PyTorch did not run.';
  return [
    `## 3. Against PyTorch (load ${load(v.loadavg.before)} → ${load(v.loadavg.after)})`, '',
    'Same layers, glorot-uniform init, adam(0.001, eps 1e-7), batch size (MLP 32, CNN 64), training-sample count and epochs; test accuracy on the first test images of t10k; inference at batch 256.', '',
    markdownTable(['model', 'data', 'implementation', 'train samples/s', 'test acc', 'infer images/s', 'speed vs PyTorch', 'load at start'], rows), '',
    envLine,
  ].join('\n');
}

function peakSection(r: Results, p: PeakResults): string {
  const flopsRows = (Object.entries(p.modelFlops) as [ModelKey, PeakResults['modelFlops'][ModelKey]][]).map(([k, f]) => [
    k.toUpperCase(), fmtInt(f.params), `${(f.forward / 1e6).toFixed(2)} M`, `${(f.training / 1e6).toFixed(2)} M`,
  ]);
  const gemmParts = [
    p.gemm.numpyGflops !== null ? `numpy ${p.gemm.numpy} sgemm ${p.gemm.numpyGflops} GFLOP/s` : 'numpy: not available',
    p.gemm.torchGflops !== null ? `torch.mm ${p.gemm.torchGflops} GFLOP/s` : null,
    ...p.gemm.tfjs.map((t) => `tfjs ${t.backend} matMul (n=${t.n}${t.wasmThreads ? `, ${t.wasmThreads} thread` : ''}) ${t.gflops} GFLOP/s`),
  ].filter(Boolean);
  const fr = fractions(r).map((f) => [f.run, fmtRate(f.samplesPerSec), f.gflops, pct(f.ofPeak), pct(f.ofSgemm), pct(f.ofCoresUsed)]);
  return [
    `## 4. Physical limit (load ${load(p.loadavg.before)} → ${load(p.loadavg.after)})`, '',
    markdownTable(['model', 'params', 'forward FLOPs/sample (nnc summary)', 'training FLOPs/sample (~3x)'], flopsRows), '',
    `Theoretical peak: ${p.cpu.cores} cores x ${p.cpu.ghz} GHz x ${p.cpu.lanes} fp32 lanes (${p.cpu.simd}) x 2 (FMA) x ${p.cpu.fmaUnits} FMA units = **${p.cpu.peakGflops} GFLOP/s** (${p.cpu.perCoreGflops} per core; ${p.cpu.assumption}).`, '',
    `Measured GEMM (n=${p.gemm.n} for numpy/torch): ${gemmParts.join('; ')}.${p.gemm.errors.length ? ` Errors: ${p.gemm.errors.join('; ')}` : ''}`, '',
    markdownTable(['run', 'samples/s', 'GFLOP/s', '% of peak', '% of measured sgemm', '% of peak of the cores it uses'], fr),
  ].join('\n');
}

export function renderMarkdown(r: Results): string {
  const m = r.meta;
  const busy = (i: Invocation) => i.loadavg.start[0] > m.cores * 0.5 || i.loadavg.end[0] > m.cores * 0.5;
  const runLine = (i: Invocation) => `${i.startedAt} → ${i.finishedAt}${i.quick ? ' (--quick)' : ''}: ${i.sections.join(', ')}; load average (1/5/15 min) ${load(i.loadavg.start)} at start, ${load(i.loadavg.end)} at end${busy(i) ? ' — **the machine was busy: throughputs are lower and noisier than on an idle machine**' : ''}.`;
  const invocations = m.invocations ?? [m];
  const parts = [
    '# nnc benchmark results', '',
    `${m.cpu}, ${m.cores} cores; Node ${m.node}; tfjs ${m.tfjs ?? '?'}; PyTorch ${m.torch ?? '?'}.`, '',
    ...(invocations.length === 1 ? [`Run ${runLine(invocations[0])}`] : invocations.map((i) => `- run ${runLine(i)}`)),
  ];
  if (r.compiler) parts.push('', compilerSection(r.compiler));
  if (r.overhead) parts.push('', overheadSection(r.overhead));
  if (r.torch) parts.push('', torchSection(r.torch));
  if (r.peak) parts.push('', peakSection(r, r.peak));
  return parts.join('\n') + '\n';
}
