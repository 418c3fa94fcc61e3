// The CSV specs (iris_csv: classification with z-score; iris_regression: regression with min-max), compiled next to a
// copy of specs/data/iris.csv and trained for real on the cpu backend.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SPECS, expectClose, expectLossFalls, expectModelMatchesSummary, predictInMemory, prepareTrainer, probabilitiesOf,
  type TrainOutcome, type Workspace,
} from './helpers.js';

const IRIS_ROWS = readFileSync(path.join(SPECS, 'data', 'iris.csv'), 'utf8').trim().split('\n').slice(1);
// Rows from each species, as full CSV rows (label included; infer.ts picks the features out).
const SAMPLE_ROWS = [0, 1, 60, 75, 120, 149].map((i) => IRIS_ROWS[i]);
const numbers = (row: string) => row.split(',').slice(0, 4).map(Number);

function copyIris(dir: string): void {
  mkdirSync(path.join(dir, 'data'));
  copyFileSync(path.join(SPECS, 'data', 'iris.csv'), path.join(dir, 'data', 'iris.csv'));
}

describe('iris_csv (classification, z-score) end to end', () => {
  let ws: Workspace;
  let outcome: TrainOutcome;
  const epochs = 20;

  beforeAll(async () => {
    ws = await prepareTrainer('iris_csv', copyIris);
    outcome = await ws.train.runTraining({ out: path.join(ws.dir, 'run'), backend: 'cpu', epochs, quiet: true });
  });
  afterAll(() => ws?.cleanup());

  it('trains: the loss falls and the test split is classified far above chance', () => {
    expect(outcome.backend).toBe('cpu');
    expect(outcome.result.epochsRun).toBe(epochs);
    expectLossFalls(outcome.result.history, epochs);
    expect(outcome.result.history.val_loss).toHaveLength(epochs);
    // 3 balanced classes: chance is 1/3.
    expect(outcome.metrics.accuracy).toBeGreaterThan(0.7);
  });

  it('builds the layers the compiler summarized', () => {
    expectModelMatchesSummary(ws.model.buildModel(), ws.summary);
    expectModelMatchesSummary(outcome.result.model, ws.summary);
  });

  it("derives the initial weights from the spec's seed, or from the seed a trainer is given (--seed)", () => {
    const kernels = (seed?: number) => {
      const model = ws.model.buildModel(seed);
      const values = model.getWeights().map((w) => Array.from(w.dataSync()));
      model.dispose();
      return values;
    };
    const fromSpec = kernels();
    expect(kernels(ws.model.SPEC_SEED)).toEqual(fromSpec);
    expect(kernels(ws.model.SPEC_SEED + 1)[0]).not.toEqual(fromSpec[0]);
  });

  it('reloads the saved model: predictions on raw CSV rows equal the in-memory model on z-scored features', async () => {
    const loaded = await ws.infer.loadModel(path.join(outcome.outDir, 'model'));
    expect(loaded.labels).toEqual(['setosa', 'versicolor', 'virginica']);
    const norm = loaded.preprocessing.normalize;
    expect(norm.type).toBe('z_score');
    // Fitted on the training split: close to the whole file's column means.
    const columnMeans = [0, 1, 2, 3].map((c) => IRIS_ROWS.reduce((s, r) => s + numbers(r)[c], 0) / IRIS_ROWS.length);
    norm.mean!.forEach((m, c) => expect(Math.abs(m - columnMeans[c])).toBeLessThan(0.3));
    for (const row of SAMPLE_ROWS) {
      const zScored = numbers(row).map((v, c) => (v - norm.mean![c]) / norm.std![c]);
      const expected = predictInMemory(outcome.result.model, zScored, [4]);
      const predicted = await ws.infer.predict(loaded, { csv: row });
      expectClose(probabilitiesOf(predicted, loaded.labels!), expected);
    }
  });
});

describe('iris_regression (regression, min-max) end to end', () => {
  let ws: Workspace;
  let outcome: TrainOutcome;
  const epochs = 15;

  beforeAll(async () => {
    ws = await prepareTrainer('iris_regression', copyIris);
    outcome = await ws.train.runTraining({ out: path.join(ws.dir, 'run'), backend: 'cpu', epochs, quiet: true });
  });
  afterAll(() => ws?.cleanup());

  it('trains: the loss falls and the test split beats predicting the mean', () => {
    expectLossFalls(outcome.result.history, epochs);
    // r2 > 0 means better than the constant mean predictor.
    expect(outcome.metrics.r2).toBeGreaterThan(0.5);
  });

  it('builds the layers the compiler summarized', () => {
    expectModelMatchesSummary(outcome.result.model, ws.summary);
  });

  it('reloads the saved model: predictions on feature rows equal the in-memory model on min-max scaled features', async () => {
    const loaded = await ws.infer.loadModel(path.join(outcome.outDir, 'model'));
    const norm = loaded.preprocessing.normalize;
    expect(norm.type).toBe('min_max');
    for (const row of SAMPLE_ROWS) {
      // The features are sepal_length, sepal_width, petal_length (not petal_width, the label).
      const features = numbers(row).slice(0, 3);
      const scaled = features.map((v, c) => (v - norm.min![c]) / (norm.max![c] - norm.min![c]));
      const [expected] = predictInMemory(outcome.result.model, scaled, [3]);
      const predicted = await ws.infer.predict(loaded, { csv: features.join(',') });
      expect(predicted.kind).toBe('regression');
      if (predicted.kind === 'regression') expectClose([predicted.value], [expected]);
    }
  });
});
