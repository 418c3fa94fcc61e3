// Section 3: the generated trainers against PyTorch on the same model, data subset, batch size, optimizer and epochs.
// PyTorch runs in three configurations (its default threads, and 1 and 2 threads with OPENBLAS_NUM_THREADS and
// OMP_NUM_THREADS set to match); the generated trainer with its native step. Runs are interleaved round by round,
// rotating the order, so that a change in machine load hits every configuration alike; each figure is the median
// over rounds, and the ratio is against PyTorch's fastest configuration. The generated trainer's tfjs step
// (NNC_NATIVE=off) runs once per model for reference.
import { loadSnapshot, median, round } from './lib.js';
import { configs, runTfjs, runTorch, TORCH_THREADS, type RunConfig, type TfjsRun, type TorchRun, type TorchThreads } from './training.js';

/** testAccuracy: the mean over the runs, which train with seeds 1, 2, ... (one per round, the same on both sides). */
export interface Summary { samplesPerSec: number; testAccuracy: number | null; testAccuracies: number[]; seeds: (number | null)[]; inferImagesPerSec: number | null; runs: number; loadavg: number[][] }

export interface VersusModel {
  config: RunConfig;
  rounds: number;
  native: TfjsRun[];
  tfjsStep: TfjsRun | null;
  torch: Record<string, TorchRun[]>;
  summary: { native: Summary | null; tfjsStep: Summary | null; torch: Record<string, Summary | null> };
  /** The PyTorch configuration with the highest median samples/s. */
  bestTorch: string | null;
  /** Native median samples/s / best PyTorch median. */
  speedRatio: number;
  /** Native test accuracy minus best PyTorch's, in points. */
  accuracyDelta: number | null;
  trainingStep: string | null;
  errors: string[];
}

export interface VersusResults {
  loadavg: { before: number[]; after: number[] };
  torchEnv: Record<string, Record<string, unknown>>;
  models: VersusModel[];
  /** Earlier results' format (kept readable by the report). */
  rows?: unknown[];
}

function summarize(runs: { samplesPerSec: number; testAccuracy?: number; inferImagesPerSec?: number; loadavg: number[]; seed?: number }[]): Summary | null {
  if (runs.length === 0) return null;
  const finite = (values: (number | undefined)[]) => values.filter((x): x is number => x !== undefined && Number.isFinite(x));
  const pick = (values: (number | undefined)[]) => { const v = finite(values); return v.length ? median(v) : null; };
  const accuracies = finite(runs.map((r) => r.testAccuracy));
  return {
    samplesPerSec: round(median(runs.map((r) => r.samplesPerSec)), 1),
    // One run's accuracy swings by about a point with the seed (bench/README.md): the mean over the rounds' seeds.
    testAccuracy: accuracies.length ? round(accuracies.reduce((a, b) => a + b, 0) / accuracies.length, 5) : null,
    testAccuracies: accuracies, seeds: runs.map((r) => r.seed ?? null),
    inferImagesPerSec: round(pick(runs.map((r) => r.inferImagesPerSec)) ?? NaN, 1), runs: runs.length, loadavg: runs.map((r) => r.loadavg),
  };
}

const message = (e: unknown) => (e as Error).message.split('\n').slice(0, 3).join(' ');

export async function runVersusTorch(opts: { quick: boolean; rounds?: number }): Promise<VersusResults> {
  const before = loadSnapshot();
  const all = configs(opts.quick);
  const rounds = opts.rounds ?? (opts.quick ? 1 : 3);
  const models: VersusModel[] = [];
  const torchEnv: VersusResults['torchEnv'] = {};
  for (const config of [all.mlpVersus, all.cnnVersus]) {
    const entry: VersusModel = {
      config, rounds, native: [], tfjsStep: null, torch: Object.fromEntries(TORCH_THREADS.map((t) => [String(t), []])),
      summary: { native: null, tfjsStep: null, torch: {} }, bestTorch: null, speedRatio: NaN, accuracyDelta: null, trainingStep: null, errors: [],
    };
    type Job = { name: string; run: (seed: number) => Promise<void> };
    const jobs: Job[] = [
      { name: 'native', run: async (seed) => { entry.native.push(await runTfjs('generated', config, { infer: true, seed })); } },
      ...TORCH_THREADS.map((t: TorchThreads): Job => ({ name: `torch ${t}`, run: async (seed) => { entry.torch[String(t)].push(await runTorch(config, t, { seed })); } })),
    ];
    for (let r = 0; r < rounds; r++) {
      // Rotate the order each round so no configuration always follows the same one.
      for (let j = 0; j < jobs.length; j++) {
        const job = jobs[(j + r) % jobs.length];
        // Round r trains every configuration with seed r + 1: accuracy is compared over the same seeds.
        try { await job.run(r + 1); } catch (e) { entry.errors.push(`${job.name}: ${message(e)}`); }
      }
    }
    try {
      entry.tfjsStep = await runTfjs('generated', config, { infer: true, env: { NNC_NATIVE: 'off' }, seed: 1 });
    } catch (e) {
      entry.errors.push(`tfjs step: ${message(e)}`);
    }
    entry.trainingStep = entry.native[0]?.trainingStep ?? null;
    entry.summary.native = summarize(entry.native);
    entry.summary.tfjsStep = entry.tfjsStep ? summarize([entry.tfjsStep]) : null;
    for (const t of TORCH_THREADS) {
      entry.summary.torch[String(t)] = summarize(entry.torch[String(t)]);
      const env = entry.torch[String(t)][0]?.env;
      if (env) torchEnv[String(t)] = env;
    }
    const best = Object.entries(entry.summary.torch).filter(([, s]) => s)
      .sort((a, b) => b[1]!.samplesPerSec - a[1]!.samplesPerSec)[0];
    if (best) {
      entry.bestTorch = best[0];
      if (entry.summary.native) {
        entry.speedRatio = round(entry.summary.native.samplesPerSec / best[1]!.samplesPerSec, 3);
        const [a, b] = [entry.summary.native.testAccuracy, best[1]!.testAccuracy];
        entry.accuracyDelta = a !== null && b !== null ? round((a - b) * 100, 2) : null;
      }
    }
    models.push(entry);
  }
  return { loadavg: { before, after: loadSnapshot() }, torchEnv, models };
}
