// Several inputs and several outputs end to end, as processes: specs/two_input.nn (two inputs fed from the CSV's
// feature columns by input name) and specs/two_output.nn (a classification and a regression head, a loss, weight
// and metrics per output) train with `tsx train.ts` in a generated folder outside the repository's generated/,
// save, reload in a fresh process and predict the same numbers as the model still in memory in the training process.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileSpec } from '../codegen/helpers.js';
import { partsCsv } from '../../src/tools/make-parts-data.js';
import { REPO, SPECS, tempDir } from './helpers.js';
import { rmSync } from 'node:fs';

const TSX = path.join(REPO, 'node_modules', '.bin', 'tsx');
const PARTS = path.join(SPECS, 'data', 'parts.csv');
const ROWS = readFileSync(PARTS, 'utf8').trim().split('\n').slice(1);
/** Rows predicted in and after the run: full rows (labels ignored) and features only. */
const SAMPLES = [ROWS[0], ROWS[100], ROWS[200].split(',').slice(0, 5).join(',')];

type Prediction = { kind: 'classification'; label: string; probabilities: Record<string, number> } | { kind: 'regression'; value: number };
type Predictions = Record<string, Prediction>[];

// Trains with runTraining (what train.ts's main runs), then predicts with the model still in memory, its
// preprocessing taken from the loaded data rather than from the saved files.
const IN_RUN = `import { runTraining, TRAINING } from './train.js';
import { loadData } from './data.js';
import { predict } from './infer.js';
const [out, epochs, rows] = [process.argv[2], Number(process.argv[3]), JSON.parse(process.argv[4])];
const outcome = await runTraining({ out, backend: 'cpu', epochs, quiet: true });
const data = await loadData({ seed: TRAINING.seed });
const loaded = { model: outcome.result.model, labels: data.labels, preprocessing: data.preprocessing };
const predictions = [];
for (const csv of rows) predictions.push(await predict(loaded, { csv }));
console.log(JSON.stringify({ saved: outcome.saved, metrics: outcome.metrics, history: outcome.result.history, predictions }));
process.exit(0);
`;
// A fresh process: only the saved model folder.
const RELOAD = `import { loadModel, predict } from './infer.js';
import { initBackend } from './runtime.js';
await initBackend('cpu', { quiet: true });
const loaded = await loadModel(process.argv[2]);
const predictions = [];
for (const csv of JSON.parse(process.argv[3])) predictions.push(await predict(loaded, { csv }));
console.log(JSON.stringify(predictions));
`;

function numbersOf(predictions: Predictions): number[] {
  return predictions.flatMap((p) => Object.values(p).flatMap((o) => (o.kind === 'regression' ? [o.value] : Object.values(o.probabilities))));
}

for (const { spec, folder, outputs, epochs } of [
  { spec: 'two_input', folder: 'part_grade', outputs: ['grade'], epochs: 15 },
  { spec: 'two_output', folder: 'part_heads', outputs: ['grade', 'price'], epochs: 15 },
]) {
  describe(`${spec}.nn trains, saves and reloads (real processes)`, () => {
    let dir: string;
    let trainer: string;
    const run = (program: string, args: string[]) => {
      const r = spawnSync(TSX, [program, ...args], { cwd: trainer, encoding: 'utf8', timeout: 240_000, env: { ...process.env, NNC_DATA_DIR: '' } });
      return { code: r.status, out: r.stdout, err: r.stderr };
    };
    let inRun: { saved: boolean; metrics: Record<string, number>; history: Record<string, number[]>; predictions: Predictions };

    beforeAll(() => {
      dir = tempDir(spec);
      copyFileSync(path.join(SPECS, `${spec}.nn`), path.join(dir, `${spec}.nn`));
      mkdirSync(path.join(dir, 'data'));
      copyFileSync(PARTS, path.join(dir, 'data', 'parts.csv'));
      for (const [rel, content] of compileSpec(path.join(dir, `${spec}.nn`), path.join(dir, 'out'))) {
        mkdirSync(path.dirname(path.join(dir, 'out', rel)), { recursive: true });
        writeFileSync(path.join(dir, 'out', rel), content);
      }
      trainer = path.join(dir, 'out', folder);
      writeFileSync(path.join(trainer, 'in-run.ts'), IN_RUN);
      writeFileSync(path.join(trainer, 'reload.ts'), RELOAD);
      const r = run('in-run.ts', ['run', String(epochs), JSON.stringify(SAMPLES)]);
      if (r.code !== 0) throw new Error(`training failed (${r.code}): ${r.err}`);
      inRun = JSON.parse(r.out.trim().split('\n').at(-1)!);
    }, 300_000);
    afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

    it('trains: every loss falls, and each output does far better than chance on the test split', () => {
      expect(inRun.saved).toBe(true);
      const lossKeys = ['loss', ...(outputs.length > 1 ? outputs.map((o) => `${o}_loss`) : []), 'val_loss'];
      for (const key of lossKeys) {
        expect(inRun.history[key], key).toHaveLength(epochs);
        expect(inRun.history[key].at(-1)!, key).toBeLessThan(inRun.history[key][0] * 0.8);
      }
      const prefix = outputs.length > 1 ? 'grade_' : '';
      expect(inRun.metrics[`grade_accuracy`]).toBeGreaterThan(0.7); // the majority class is 42%
      if (outputs.includes('price')) expect(inRun.metrics.price_r2).toBeGreaterThan(0.6);
      expect(Object.keys(inRun.history)).toContain(`${prefix}acc`);
    });

    it('a fresh process reloads the saved model and predicts the same numbers as the in-run model', () => {
      const r = run('reload.ts', ['run/model', JSON.stringify(SAMPLES)]);
      expect(r.code, r.err).toBe(0);
      const reloaded = JSON.parse(r.out.trim()) as Predictions;
      expect(reloaded.map((p) => Object.keys(p))).toEqual(SAMPLES.map(() => outputs));
      const [a, b] = [numbersOf(inRun.predictions), numbersOf(reloaded)];
      expect(a.length).toBe(SAMPLES.length * (3 + (outputs.length - 1)));
      a.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 5));
      expect(reloaded.map((p) => (p.grade as { label: string }).label)).toEqual(inRun.predictions.map((p) => (p.grade as { label: string }).label));
    });

    it('infer.ts prints every output of a row; labels.json names each classification output\'s classes', () => {
      const r = run('infer.ts', ['--model', 'run/model', '--csv', SAMPLES[0]]);
      expect(r.code, r.err).toBe(0);
      const first = inRun.predictions[0];
      const grade = first.grade as { label: string };
      expect(r.out).toContain(`: grade ${grade.label} (`);
      if (first.price) expect(r.out).toContain(`price ${(first.price as { value: number }).value.toPrecision(6)}`);
      const labels = JSON.parse(readFileSync(path.join(trainer, 'run', 'model', 'labels.json'), 'utf8'));
      expect(labels.grade).toEqual(['A', 'B', 'C']);
      if (outputs.includes('price')) expect(labels.price).toBeNull();
      const bad = run('infer.ts', ['--model', 'run/model', '--csv', '1,2,3']);
      expect(bad.code).toBe(1);
      expect(bad.err).toMatch(/expected 5 feature values .* or a full row of 7 fields, found 3/);
    });

    it('writes a report per output: a confusion matrix for the classification output, and an index', () => {
      const report = path.join(trainer, 'run', 'report');
      const index = readFileSync(path.join(report, 'report.md'), 'utf8');
      for (const o of outputs) expect(index).toContain(`[${o}/report.md](${o}/report.md)`);
      const confusion = JSON.parse(readFileSync(path.join(report, 'grade', 'confusion.json'), 'utf8'));
      expect(confusion.classes).toEqual(['A', 'B', 'C']);
      expect(confusion.matrix.flat().reduce((s: number, v: number) => s + v, 0)).toBe(72); // 20% of 360 rows
      if (outputs.includes('price')) expect(existsSync(path.join(report, 'price', 'confusion.json'))).toBe(false);
    });

    it('train.ts --resume continues from the checkpoint to more epochs', () => {
      const r = run('train.ts', ['--out', 'run', '--backend', 'cpu', '--resume', '--epochs', String(epochs + 2), '--quiet']);
      expect(r.code, r.err).toBe(0);
      const history = JSON.parse(readFileSync(path.join(trainer, 'run', 'history.json'), 'utf8'));
      expect(history.loss).toHaveLength(epochs + 2);
      expect(history.loss.slice(0, epochs)).toEqual(inRun.history.loss);
    });
  });
}

describe('specs/data/parts.csv', () => {
  it('is what src/tools/make-parts-data.ts writes (deterministic, seeded)', () => {
    expect(readFileSync(PARTS, 'utf8')).toBe(partsCsv());
  });
});
