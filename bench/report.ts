// Turns the results object into the markdown of bench/results/results.md (also printed by `npm run bench`).
import type { CompilerResults } from './compiler.js';
import { fmtInt, fmtRate, markdownTable, round } from './lib.js';
import type { OverheadResults } from './overhead.js';
import type { PeakResults } from './peak.js';
import type { ModelKey, RunConfig } from './training.js';
import type { Summary, VersusResults } from './versus-torch.js';

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

export interface Fraction {
  run: string; model: ModelKey; samplesPerSec: number; gflops: number;
  /** Of the best measured sgemm (the physical reference), and of the 1-thread sgemm. */
  ofSgemm: number | null; ofSgemm1: number | null;
}

const pct = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(v < 0.01 ? 2 : 1)}%`);
const load = (l: number[] | undefined) => (l ? l.map((v) => v.toFixed(2)).join(' / ') : '–');
const cfg = (c: RunConfig) => `${fmtInt(c.train)} x ${c.epochs} ep, test ${fmtInt(c.test)}`;
const torchName = (t: string) => (t === 'default' ? 'PyTorch, default threads' : `PyTorch, ${t} thread${t === '1' ? '' : 's'} (OPENBLAS_NUM_THREADS=${t})`);

/** Each measured training throughput as FLOP/s, against the measured sgemm (best, and on one thread). */
export function fractions(r: Results): Fraction[] {
  if (!r.peak) return [];
  const { modelFlops, gemm } = r.peak;
  const sgemm = Math.max(gemm.numpyGflops ?? 0, gemm.torchGflops ?? 0) || null;
  const one = gemm.byThreads?.find((t) => t.threads === 1);
  const sgemm1 = one ? Math.max(one.numpyGflops ?? 0, one.torchGflops ?? 0) || null : null;
  const out: Fraction[] = [];
  const add = (run: string, model: ModelKey, samplesPerSec: number | undefined) => {
    if (samplesPerSec === undefined || !Number.isFinite(samplesPerSec)) return;
    const gflops = (samplesPerSec * modelFlops[model].training) / 1e9;
    out.push({
      run, model, samplesPerSec: round(samplesPerSec, 1), gflops: round(gflops, 2),
      ofSgemm: sgemm ? round(gflops / sgemm, 4) : null, ofSgemm1: sgemm1 ? round(gflops / sgemm1, 4) : null,
    });
  };
  for (const m of r.torch?.models ?? []) {
    const name = m.config.model.toUpperCase();
    add(`${name} nnc, native step`, m.config.model, m.summary.native?.samplesPerSec);
    add(`${name} nnc, tfjs step (wasm)`, m.config.model, m.summary.tfjsStep?.samplesPerSec);
    for (const [t, s] of Object.entries(m.summary.torch)) add(`${name} ${torchName(t)}`, m.config.model, s?.samplesPerSec);
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
  if (!v.models) return '## 3. Against PyTorch\n\n(results in an older format: rerun `npm run bench -- --only torch`)';
  const rows: (string | number | null)[][] = [];
  const loads = (s: Summary | null) => (s ? s.loadavg.map((l) => l[0].toFixed(1)).join(', ') : '–');
  for (const m of v.models) {
    const name = m.config.model === 'mlp' ? 'MLP 784-500-200-10, batch 32' : 'CNN specs/fashion_cnn.nn, batch 64';
    const best = m.bestTorch ? m.summary.torch[m.bestTorch] : null;
    const row = (what: string, s: Summary | null, ratio: string) => rows.push([name, cfg(m.config), what, s ? fmtRate(s.samplesPerSec) : '–',
      s ? s.runs : 0, pct(s?.testAccuracy), fmtInt(s?.inferImagesPerSec), ratio, loads(s)]);
    const ratioOf = (s: Summary | null) => (s && best ? round(s.samplesPerSec / best.samplesPerSec, 2).toFixed(2) : '–');
    row('**nnc, native step** (nnc-native)', m.summary.native, `**${Number.isFinite(m.speedRatio) ? m.speedRatio.toFixed(2) : '–'}**`);
    row('nnc, tfjs step on wasm (NNC_NATIVE=off)', m.summary.tfjsStep, ratioOf(m.summary.tfjsStep));
    for (const [t, s] of Object.entries(m.summary.torch)) row(`${torchName(t)}${t === m.bestTorch ? ' — fastest' : ''}`, s, ratioOf(s));
    for (const e of m.errors) rows.push([name, cfg(m.config), `error: ${e.slice(0, 160)}`, '–', '–', '–', '–', '–', '–']);
  }
  const envs = Object.entries(v.torchEnv ?? {}).map(([t, env]) => `${t}: ${env.threads} threads (interop ${env.interop_threads}), OPENBLAS_NUM_THREADS=${env.openblas_num_threads_env ?? 'unset'}`);
  const env = Object.values(v.torchEnv ?? {})[0];
  const deltas = v.models.map((m) => `${m.config.model.toUpperCase()} ${m.accuracyDelta === null ? '–' : `${m.accuracyDelta >= 0 ? '+' : ''}${m.accuracyDelta.toFixed(2)}`} points`);
  return [
    `## 3. Against PyTorch (load ${load(v.loadavg.before)} → ${load(v.loadavg.after)})`, '',
    'Same layers, glorot-uniform init, adam(0.001, eps 1e-7), batch size, training samples and epochs; test accuracy on the 10,000 t10k images after the same epochs, the mean over the rounds, which train with seeds 1, 2, ... on both sides (one seed swings it by about a point); inference at batch 256. ' +
    `Training samples/s over the epochs after the first; median over ${v.models[0]?.rounds ?? '?'} interleaved rounds (order rotated each round); the ratio is against PyTorch's fastest configuration here; "load" is the 1-minute load average at the start of each run (2 vCPUs: above ~2 the runs shared the CPUs with other work).`, '',
    markdownTable(['model', 'data', 'implementation', 'train samples/s', 'runs', 'test acc', 'infer images/s', 'vs fastest PyTorch', 'load at start of each run'], rows), '',
    `Test accuracy, native step minus fastest PyTorch: ${deltas.join('; ')}. ${v.models.map((m) => m.trainingStep).filter(Boolean)[0] ?? ''}`, '',
    env ? `PyTorch ${env.torch}, BLAS_INFO=${env.blas_info}, OpenBLAS loaded: ${env.uses_openblas ? 'yes' : 'no'}; ${envs.join('; ')}.` : 'PyTorch did not run.',
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
  const fr = fractions(r).map((f) => [f.run, fmtRate(f.samplesPerSec), f.gflops, pct(f.ofSgemm), pct(f.ofSgemm1)]);
  const byThreads = (p.gemm.byThreads ?? []).map((t) => `${t.threads} thread${t.threads === 1 ? '' : 's'}: numpy ${t.numpyGflops ?? '–'}, torch.mm ${t.torchGflops ?? '–'} GFLOP/s (load ${t.loadavg[0]})`);
  return [
    `## 4. Physical limit (load ${load(p.loadavg.before)} → ${load(p.loadavg.after)})`, '',
    markdownTable(['model', 'params', 'forward FLOPs/sample (nnc summary)', 'training FLOPs/sample (~3x)'], flopsRows), '',
    `Measured OpenBLAS sgemm (n=${p.gemm.n}), the physical reference: ${byThreads.join('; ') || gemmParts.join('; ')}; best **${Math.max(p.gemm.numpyGflops ?? 0, p.gemm.torchGflops ?? 0)} GFLOP/s**. ${p.gemm.tfjs.map((t) => `tfjs ${t.backend} matMul (n=${t.n}) ${t.gflops} GFLOP/s`).join('; ')}.${p.gemm.errors.length ? ` Errors: ${p.gemm.errors.join('; ')}` : ''}`, '',
    `For information, lscpu's formula: ${p.cpu.cores} cores x ${p.cpu.ghz} GHz x ${p.cpu.lanes} fp32 lanes (${p.cpu.simd}) x 2 (FMA) x ${p.cpu.fmaUnits} FMA units = ${p.cpu.peakGflops} GFLOP/s (${p.cpu.assumption}); measured sgemm can exceed it (turbo clocks), so it is not used as the reference.`, '',
    markdownTable(['run', 'samples/s', 'GFLOP/s', '% of measured sgemm (best)', '% of 1-thread sgemm'], fr),
  ].join('\n');
}

/** results/accuracy-seeds.json (bench/accuracy-seeds.ts): per model, the multi-seed test accuracy study. */
interface SideStats { n: number; mean: number; sd: number }
export type AccuracySeeds = Partial<Record<ModelKey, { seeds: number[]; summary: { nnc: SideStats; torch: SideStats; differencePoints: SideStats & { se: number } } }>>;

const seedRange = (seeds: number[]) => {
  const sorted = [...seeds].sort((a, b) => a - b);
  return sorted.every((v, i) => i === 0 || v === sorted[i - 1] + 1) ? `${sorted[0]}-${sorted[sorted.length - 1]}` : sorted.join(', ');
};

function accuracySeedsLine(a: AccuracySeeds, rounds: number | string): string | null {
  const parts = (Object.entries(a) as [ModelKey, NonNullable<AccuracySeeds[ModelKey]>][]).filter(([, m]) => m?.summary).map(([k, m]) => {
    const { nnc, torch, differencePoints: d } = m.summary;
    const p = (s: SideStats) => `${(s.mean * 100).toFixed(2)}% ± ${(s.sd * 100).toFixed(2)}`;
    return `${k.toUpperCase()} over seeds ${seedRange(m.seeds)}: nnc ${p(nnc)} (sd), PyTorch 1 thread ${p(torch)}, difference ${d.mean >= 0 ? '+' : ''}${d.mean.toFixed(2)} ± ${d.sd.toFixed(2)} points (sd; standard error ${d.se.toFixed(2)})`;
  });
  return parts.length ? `Accuracy over many seeds (\`bench/accuracy-seeds.ts\`, results/accuracy-seeds.json; the rounds above use only seeds 1-${rounds}): ${parts.join('; ')}.` : null;
}

export function renderMarkdown(r: Results, accuracySeeds?: AccuracySeeds): string {
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
  const seedsLine = r.torch && accuracySeeds ? accuracySeedsLine(accuracySeeds, r.torch.models?.[0]?.rounds ?? '?') : null;
  if (seedsLine) parts.push('', seedsLine);
  if (r.peak) parts.push('', peakSection(r, r.peak));
  return parts.join('\n') + '\n';
}
