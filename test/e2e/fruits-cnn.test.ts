// fruits_cnn, the textbook's CNN (131 classes, 100 x 100 RGB, augmentation, early stopping), trained for a few
// epochs on wasm on a tiny drawn stand-in for Fruits-360 (see fruits-data.ts). fruits-cnn-cpu.test.ts trains it on cpu.
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLASS_COUNT, TEST_CLASSES, className, convKernels, drawFruits, testImage } from './fruits-data.js';
import {
  TRAINING_TIMEOUT, expectClose, expectLossFalls, expectModelMatchesSummary, predictInMemory, prepareTrainer,
  probabilitiesOf, readPngPixels, type TrainOutcome, type Workspace,
} from './helpers.js';

describe('fruits_cnn end to end (wasm)', () => {
  let ws: Workspace;
  let outcome: TrainOutcome;
  const epochs = 3;

  beforeAll(async () => {
    ws = await prepareTrainer('fruits_cnn', drawFruits);
    // 32 training samples in batches of 8: 4 steps an epoch.
    outcome = await ws.train.runTraining({ out: path.join(ws.dir, 'run'), backend: 'wasm', epochs, limit: 32, batchSize: 8, quiet: true });
  }, TRAINING_TIMEOUT);
  afterAll(() => ws?.cleanup());

  it('builds the layers the compiler summarized (3,451,623 parameters)', () => {
    expectModelMatchesSummary(ws.model.buildModel(), ws.summary);
    expectModelMatchesSummary(outcome.result.model, ws.summary);
    expect(ws.summary.totalParams).toBe(3_451_623);
  });

  it('trains: the loss falls, and the conv kernels moved', () => {
    expect(outcome.backend).toBe('wasm');
    expect(outcome.result.epochsRun).toBe(epochs);
    expectLossFalls(outcome.result.history, epochs);
    const initial = convKernels(ws.model.buildModel());
    convKernels(outcome.result.model).forEach((trained, k) => {
      expect(Math.max(...trained.map((v, i) => Math.abs(v - initial[k][i])))).toBeGreaterThan(1e-3);
    });
  });

  it('reloads the saved model: predictions on PNG files equal the in-memory model on resized pixels / 255', async () => {
    const loaded = await ws.infer.loadModel(path.join(outcome.outDir, 'model'));
    const labels = Array.from({ length: CLASS_COUNT }, (_, i) => className(i));
    expect(loaded.labels).toEqual(labels);
    for (const i of TEST_CLASSES) {
      const file = testImage(ws.dir, i);
      const pixels = await readPngPixels(file, 100, 100);
      const expected = predictInMemory(outcome.result.model, pixels.map((v) => v / 255), [100, 100, 3]);
      const predicted = await ws.infer.predict(loaded, { image: file });
      expectClose(probabilitiesOf(predicted, labels), expected);
    }
  });
});
