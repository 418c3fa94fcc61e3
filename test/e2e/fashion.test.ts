// The Fashion-MNIST specs, trained on the subset the repo ships (specs/data/fashion-mnist-mini, given as --data-dir
// so that a full copy installed on the machine is not picked up instead), on wasm for speed.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FASHION_MINI, expectClose, expectLossFalls, expectModelMatchesSummary, predictInMemory, prepareTrainer,
  TRAINING_TIMEOUT, probabilitiesOf, type TrainOutcome, type Workspace,
} from './helpers.js';

const CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** The first `count` test images of the shipped subset as raw 0..255 pixels, read straight from the IDX file. */
function rawTestImages(count: number): Float32Array[] {
  const bytes = gunzipSync(readFileSync(path.join(FASHION_MINI, 't10k-images-idx3-ubyte.gz')));
  expect(bytes.readUInt32BE(0)).toBe(0x803); // IDX magic: unsigned bytes, 3 dimensions
  const [rows, cols] = [bytes.readUInt32BE(8), bytes.readUInt32BE(12)];
  return Array.from({ length: count }, (_, i) => Float32Array.from(bytes.subarray(16 + i * rows * cols, 16 + (i + 1) * rows * cols)));
}

function describeFashion(specName: string, backend: 'cpu' | 'wasm', limit: number, epochs: number, inputShape: number[]) {
  describe(`${specName} end to end (${backend})`, () => {
    let ws: Workspace;
    let outcome: TrainOutcome;

    beforeAll(async () => {
      ws = await prepareTrainer(specName, () => {});
      outcome = await ws.train.runTraining({
        out: path.join(ws.dir, 'run'), backend, epochs, limit, dataDir: FASHION_MINI, quiet: true,
      });
    }, TRAINING_TIMEOUT);
    afterAll(() => ws?.cleanup());

    it('trains on the shipped subset: the loss falls and test accuracy is far above chance', () => {
      expect(outcome.backend).toBe(backend);
      expectLossFalls(outcome.result.history, epochs);
      // 10 classes: chance is 0.1.
      expect(outcome.metrics.accuracy).toBeGreaterThan(0.4);
    });

    it('builds the layers the compiler summarized', () => {
      expectModelMatchesSummary(ws.model.buildModel(), ws.summary);
      expectModelMatchesSummary(outcome.result.model, ws.summary);
    });

    it('reloads the saved model: predictions on raw pixels equal the in-memory model on pixels / 255', async () => {
      const loaded = await ws.infer.loadModel(path.join(outcome.outDir, 'model'));
      expect(loaded.labels).toEqual(CLASSES);
      for (const raw of rawTestImages(5)) {
        const expected = predictInMemory(outcome.result.model, raw.map((v) => v / 255), inputShape);
        const predicted = await ws.infer.predict(loaded, raw);
        expectClose(probabilitiesOf(predicted, CLASSES), expected);
      }
    });
  });
}

describeFashion('fashion_mlp', 'wasm', 600, 2, [28, 28]);
describeFashion('fashion_cnn', 'wasm', 320, 2, [28, 28, 1]);
