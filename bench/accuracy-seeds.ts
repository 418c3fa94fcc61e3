// Test accuracy of the bench's MLP configuration (6,000 training images x 3 epochs, batch 32; section 3) per seed,
// the generated trainer's native step against PyTorch on 1 thread, the same seeds and samples on both sides:
// one run swings by about a point with the seed, so a gap is only a gap over many. Writes results/accuracy-seeds.json.
//   npx tsx bench/accuracy-seeds.ts [--seeds 1,2,3,4,5]      (not timed; ~1 minute per run on a quiet machine)
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { RESULTS, round } from './lib.js';
import { configs, runTfjs, runTorch } from './training.js';

const i = process.argv.indexOf('--seeds');
const seeds = (i >= 0 ? process.argv[i + 1] : '1,2,3,4,5').split(',').map(Number);
const config = configs(false).mlpVersus;
const runs: { who: 'nnc' | 'torch'; seed: number; acc: number | undefined; load: number }[] = [];
for (const seed of seeds) {
  const n = await runTfjs('generated', config, { infer: true, seed });
  runs.push({ who: 'nnc', seed, acc: n.testAccuracy, load: n.loadavg[0] });
  const t = await runTorch(config, 1, { seed });
  runs.push({ who: 'torch', seed, acc: t.testAccuracy, load: t.loadavg[0] });
}
const stats = (who: string) => {
  const v = runs.filter((r) => r.who === who).map((r) => r.acc).filter((a): a is number => a !== undefined);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, v.length - 1));
  return { n: v.length, mean: round(mean, 5), sd: round(sd, 5) };
};
const out = { about: 'bench/accuracy-seeds.ts: MLP test accuracy per seed, nnc native step vs PyTorch 1 thread; load = 1-minute load at each run start', config, runs, summary: { nnc: stats('nnc'), torch: stats('torch') } };
writeFileSync(path.join(RESULTS, 'accuracy-seeds.json'), JSON.stringify(out, null, 1) + '\n');
process.stdout.write(JSON.stringify(out.summary) + '\n');
