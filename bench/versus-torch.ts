// Section 3: the generated trainers against PyTorch on the same model, data subset, batch size, optimizer and epochs.
import { loadSnapshot, log, median, round } from './lib.js';
import type { OverheadResults } from './overhead.js';
import { configs, runTfjs, runTorch, type RunConfig, type TfjsRun, type TorchRun } from './training.js';

export interface VersusRow {
  config: RunConfig;
  /** Median over the generated trainer's runs (reused from section 2 when it ran with the same configuration). */
  nnc: { samplesPerSec: number; testAccuracy: number | null; inferImagesPerSec: number | null; runs: number; wasmThreads: number | null; loadavg: number[] } | null;
  torch: TorchRun | null;
  /** nnc samples/s divided by PyTorch's. */
  speedRatio: number;
  errors: string[];
}

export interface VersusResults { loadavg: { before: number[]; after: number[] }; torchEnv: Record<string, unknown> | null; rows: VersusRow[] }

function summarize(runs: TfjsRun[]): VersusRow['nnc'] {
  if (runs.length === 0) return null;
  const pick = (f: (r: TfjsRun) => number | undefined) => {
    const values = runs.map(f).filter((v): v is number => v !== undefined);
    return values.length ? median(values) : null;
  };
  return {
    samplesPerSec: round(pick((r) => r.samplesPerSec) ?? NaN, 1), testAccuracy: pick((r) => r.testAccuracy),
    inferImagesPerSec: round(pick((r) => r.inferImagesPerSec) ?? NaN, 1), runs: runs.length,
    wasmThreads: runs[0].wasmThreads, loadavg: runs[0].loadavg,
  };
}

const sameConfig = (a: RunConfig, b: RunConfig) => JSON.stringify(a) === JSON.stringify(b);

export async function runVersusTorch(opts: { quick: boolean; overhead: OverheadResults | null }): Promise<VersusResults> {
  const before = loadSnapshot();
  const all = configs(opts.quick);
  const rows: VersusRow[] = [];
  for (const config of [all.mlpWasm, all.mlpCpu, all.cnnWasm, all.cnnCpu]) {
    const row: VersusRow = { config, nnc: null, torch: null, speedRatio: NaN, errors: [] };
    const reused = opts.overhead?.backends.find((b) => sameConfig(b.config, config) && b.generated.length > 0);
    try {
      row.nnc = summarize(reused ? reused.generated : [await runTfjs('generated', config, { infer: true })]);
    } catch (e) {
      row.errors.push(`nnc: ${(e as Error).message.split('\n').slice(0, 3).join(' ')}`);
    }
    // One PyTorch run per distinct configuration (the MLP/CNN rows of each backend differ only in size).
    const earlier = rows.find((r) => r.torch && sameConfig({ ...r.config, backend: '' }, { ...config, backend: '' }));
    try {
      row.torch = earlier?.torch ?? await runTorch(config);
    } catch (e) {
      row.errors.push(`torch: ${(e as Error).message.split('\n').slice(0, 3).join(' ')}`);
      log(row.errors[row.errors.length - 1]);
    }
    if (row.nnc && row.torch) row.speedRatio = round(row.nnc.samplesPerSec / row.torch.samplesPerSec, 3);
    rows.push(row);
  }
  const torchEnv = rows.find((r) => r.torch)?.torch?.env ?? null;
  return { loadavg: { before, after: loadSnapshot() }, torchEnv, rows };
}
