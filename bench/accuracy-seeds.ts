// Test accuracy of the bench's PyTorch configurations (section 3: MLP 6,000 training images x 3 epochs, batch 32;
// CNN 2,048 x 3, batch 64) per seed, the generated trainer's native step against PyTorch on 1 thread following the
// same spec (training.ts torchSpecArgs), the same seeds on both sides: one run swings by about a point with the
// seed, so a gap is only a gap over many. The summary gives each side's mean and sd, and the paired difference (nnc
// minus PyTorch, same seed) in points with its sd and standard error.
//   npx tsx bench/accuracy-seeds.ts [--seeds 1,2,3,4,5] [--models mlp,cnn] [--out FILE]
//   npx tsx bench/accuracy-seeds.ts --merge FILE      (adds another batch's runs, e.g. run with --out, by seed)
// Runs are kept per model and seed: a new run of a seed replaces that seed's, other seeds and models stay.
// Writes results/accuracy-seeds.json (or --out). Not timed; ~1 minute per run on a quiet machine.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { RESULTS, round } from './lib.js';
import { configs, runTfjs, runTorch, torchSpecArgs, type ModelKey, type RunConfig } from './training.js';

const option = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
};
const seeds = option('seeds', '1,2,3,4,5').split(',').map(Number);
const models = option('models', 'mlp,cnn').split(',') as ModelKey[];
const file = path.resolve(option('out', path.join(RESULTS, 'accuracy-seeds.json')));
const mergeFrom = option('merge', '');
const all = configs(false);

interface Run { who: 'nnc' | 'torch'; seed: number; acc: number | undefined; load: number; restoredEpoch?: number | null }
interface ModelEntry { date: string; seeds: number[]; config: RunConfig; torchArgs: string[]; runs: Run[]; summary: ReturnType<typeof summary> }
type Study = { about?: string } & Partial<Record<ModelKey, ModelEntry>>;

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const sd = (v: number[]) => { const m = mean(v); return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, v.length - 1)); };

function summary(runs: Run[]) {
  const side = (who: string) => {
    const v = runs.filter((r) => r.who === who).map((r) => r.acc).filter((a): a is number => a !== undefined);
    return { n: v.length, mean: round(mean(v), 5), sd: round(sd(v), 5) };
  };
  const seedsRun = [...new Set(runs.map((r) => r.seed))];
  const diffs = seedsRun.map((seed) => {
    const [a, b] = (['nnc', 'torch'] as const).map((who) => runs.find((r) => r.who === who && r.seed === seed)?.acc);
    return a !== undefined && b !== undefined ? (a - b) * 100 : undefined;
  }).filter((d): d is number => d !== undefined);
  return {
    nnc: side('nnc'), torch: side('torch'),
    differencePoints: { n: diffs.length, mean: round(mean(diffs), 3), sd: round(sd(diffs), 3), se: round(sd(diffs) / Math.sqrt(diffs.length), 3) },
  };
}

const ABOUT = 'bench/accuracy-seeds.ts: test accuracy per seed, nnc native step vs PyTorch 1 thread following the same spec (bench/training.ts torchSpecArgs); load = 1-minute load at each run start; differencePoints: nnc minus PyTorch per seed, in points';
const readStudy = (f: string): Study => (existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) as Study : {});

/** Re-reads the file and replaces `model`'s runs of the seeds in `runs` (so runs in other processes or batches stay). */
function save(model: ModelKey, config: RunConfig, torchArgs: string[], runs: Run[]): ModelEntry {
  const study = readStudy(file);
  const kept = (study[model]?.runs ?? []).filter((r) => !runs.some((n) => n.seed === r.seed));
  const merged = [...kept, ...runs].sort((a, b) => a.seed - b.seed || a.who.localeCompare(b.who));
  const entry: ModelEntry = {
    date: new Date().toISOString(), seeds: [...new Set(merged.map((r) => r.seed))], config, torchArgs, runs: merged, summary: summary(merged),
  };
  const out: Study = { about: ABOUT };
  for (const k of ['mlp', 'cnn'] as ModelKey[]) if (k === model) out[k] = entry; else if (study[k]) out[k] = study[k];
  writeFileSync(file, JSON.stringify(out, null, 1) + '\n');
  return entry;
}

if (mergeFrom) {
  const other = readStudy(path.resolve(mergeFrom));
  for (const model of ['mlp', 'cnn'] as ModelKey[]) {
    const entry = other[model];
    if (entry) process.stdout.write(`${model}: ${JSON.stringify(save(model, entry.config, entry.torchArgs, entry.runs).summary)}\n`);
  }
} else {
  for (const model of models) {
    const config = all[model === 'mlp' ? 'mlpVersus' : 'cnnVersus'];
    const runs: Run[] = [];
    for (const seed of seeds) {
      const n = await runTfjs('generated', config, { infer: true, seed });
      runs.push({ who: 'nnc', seed, acc: n.testAccuracy, load: n.loadavg[0], restoredEpoch: n.restoredEpoch });
      const t = await runTorch(config, 1, { seed });
      runs.push({ who: 'torch', seed, acc: t.testAccuracy, load: t.loadavg[0], restoredEpoch: t.restoredEpoch });
      save(model, config, torchSpecArgs(config), runs);
    }
    process.stdout.write(`${model}: ${JSON.stringify(summary(runs))} (this batch)\n`);
  }
}
