// bn_cnn (conv + batch norm, `same` padding, augmentation, step schedule, best-only checkpoint) on small image
// folders the test draws: four classes that differ in shape and colour. Also runs generated/tiny_vgg/infer.ts as a
// process on the model it trained.
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REPO, drawShapePng, expectClose, expectLossFalls, expectModelMatchesSummary, predictInMemory, prepareTrainer,
  TRAINING_TIMEOUT, probabilitiesOf, readPngPixels, seededRandom, type Shape, type TrainOutcome, type Workspace,
} from './helpers.js';

const run = promisify(execFile);

const CLASSES: { name: Shape; color: [number, number, number] }[] = [
  { name: 'circle', color: [230, 40, 40] },
  { name: 'cross', color: [230, 220, 40] },
  { name: 'square', color: [40, 200, 60] },
  { name: 'triangle', color: [50, 80, 240] },
];
const TRAIN_PER_CLASS = 10;
const TEST_PER_CLASS = 2;

/** data/shapes/{train,test}/<class>/<i>.png, 32 x 32, as the spec's dataset expects. */
async function drawShapes(dir: string): Promise<void> {
  const random = seededRandom(7);
  for (const [split, count] of [['train', TRAIN_PER_CLASS], ['test', TEST_PER_CLASS]] as const) {
    for (const { name, color } of CLASSES) {
      for (let i = 0; i < count; i++) await drawShapePng(path.join(dir, 'data', 'shapes', split, name, `${i}.png`), 32, name, color, random);
    }
  }
}

const testImage = (ws: Workspace, className: string, i: number) => path.join(ws.dir, 'data', 'shapes', 'test', className, `${i}.png`);

describe('bn_cnn end to end (wasm)', () => {
  let ws: Workspace;
  let outcome: TrainOutcome;
  const epochs = 4;

  beforeAll(async () => {
    ws = await prepareTrainer('bn_cnn', drawShapes);
    // 40 images: 32 train, 8 validation; batches of 8 give 4 steps an epoch.
    outcome = await ws.train.runTraining({ out: path.join(ws.dir, 'run'), backend: 'wasm', epochs, batchSize: 8, quiet: true });
  }, TRAINING_TIMEOUT);
  afterAll(() => ws?.cleanup());

  it('trains on the drawn shapes: the loss falls', () => {
    expect(outcome.backend).toBe('wasm');
    expect(outcome.result.epochsRun).toBe(epochs);
    expectLossFalls(outcome.result.history, epochs);
    expect(outcome.result.history.val_acc ?? outcome.result.history.val_accuracy).toHaveLength(epochs);
  });

  it('builds the layers the compiler summarized, batch norm statistics as non-trainable parameters', () => {
    expectModelMatchesSummary(ws.model.buildModel(), ws.summary);
    expectModelMatchesSummary(outcome.result.model, ws.summary);
    expect(ws.summary.nonTrainableParams).toBeGreaterThan(0);
  });

  it('reloads the saved model: predictions on PNG files equal the in-memory model on pixels / 255', async () => {
    const loaded = await ws.infer.loadModel(path.join(outcome.outDir, 'model'));
    const labels = CLASSES.map((c) => c.name);
    expect(loaded.labels).toEqual(labels);
    for (const { name } of CLASSES) {
      const file = testImage(ws, name, 0);
      const pixels = await readPngPixels(file, 32, 32);
      const expected = predictInMemory(outcome.result.model, pixels.map((v) => v / 255), [32, 32, 3]);
      const predicted = await ws.infer.predict(loaded, { image: file });
      expectClose(probabilitiesOf(predicted, labels), expected);
    }
  });

  it('the committed generated/<x>/infer.ts works as a command: `npx tsx infer.ts --model DIR <png>...`', async () => {
    const files = CLASSES.map(({ name }) => testImage(ws, name, 1));
    // generated/tiny_vgg is `nnc compile specs/bn_cnn.nn -o generated`; it reads the model trained above.
    const infer = path.join(REPO, 'generated', path.basename(ws.trainerDir), 'infer.ts');
    const { stdout } = await run('npx', ['tsx', infer, '--model', path.join(outcome.outDir, 'model'), '--backend', 'wasm', ...files], { cwd: REPO });
    const loaded = await ws.infer.loadModel(path.join(outcome.outDir, 'model'));
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(files.length);
    for (const [i, file] of files.entries()) {
      const p = await ws.infer.predict(loaded, { image: file });
      if (p.kind !== 'classification') throw new Error('expected a classification');
      expect(lines[i]).toBe(`${file}: ${p.label} (${(p.confidence * 100).toFixed(1)}%)`);
    }
  });
});
