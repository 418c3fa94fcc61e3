// A smoke test on real Fashion-MNIST, where Debian's dataset-fashion-mnist is installed (.ci/run installs it):
// the generated textbook MLP trains for a few hundred steps on real data and must reach a sane accuracy.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareTrainer, TRAINING_TIMEOUT, type Workspace } from './helpers.js';

const DEBIAN = '/usr/share/datasets/fashion-mnist';

describe.skipIf(!existsSync(path.join(DEBIAN, 'train-images-idx3-ubyte.gz')))('fashion_mlp on real Fashion-MNIST', () => {
  let ws: Workspace | undefined;
  afterAll(() => ws?.cleanup());

  it('trains 300 steps and reaches over 75% test accuracy on the full test set', async () => {
    ws = await prepareTrainer('fashion_mlp', () => {});
    // 9,600 samples / batch 32 = 300 steps.
    const outcome = await ws.train.runTraining({ out: path.join(ws.dir, 'run'), backend: 'wasm', epochs: 1, limit: 9600, dataDir: DEBIAN, quiet: true });
    expect(outcome.result.epochsRun).toBe(1);
    expect(outcome.metrics.accuracy).toBeGreaterThan(0.75);
  }, TRAINING_TIMEOUT);
});
