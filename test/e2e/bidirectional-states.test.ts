// A bidirectional LSTM whose forward and backward states (`return_state: true`) start a second one (`initial_state`)
// and are features besides its output: a generated
// trainer, in a folder outside the repository's generated/, trains on specs/data/parts.csv as a `tsx` process,
// saves, and a fresh process reloads the saved model and predicts the same numbers as the model still in memory.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileSpec } from '../codegen/helpers.js';
import { REPO, SPECS, tempDir } from './helpers.js';

const TSX = path.join(REPO, 'node_modules', '.bin', 'tsx');
const EPOCHS = 6;
const SPEC = `model PartSequence {
  input part: [5]
  steps = reshape([5, 1])(part)
  _, forward_h, forward_c, backward_h, backward_c = bidirectional(lstm(8, return_state: true))(steps)
  again = bidirectional(lstm(8))(steps, initial_state: [forward_h, forward_c, backward_h, backward_c])
  both = concatenate(again, backward_c, backward_h)
  dense(16, activation: relu)
  grade = dense(3, activation: softmax)
}

dataset parts = csv("data/parts.csv") {
  features: ["length", "width", "height", "density", "hardness"]
  label: "grade"
  normalize: z_score
  validation: 15%
  test: 20%
}

train PartSequence on parts {
  loss: sparse_categorical_crossentropy
  optimizer: adam(0.01)
  metrics: [accuracy]
  epochs: ${EPOCHS}
  batch_size: 16
  seed: 3
}
`;
/** Normalized feature rows, fed as they are to both models. */
const ROWS = [[0.5, -1, 0.2, 1.5, -0.3], [-1.2, 0.4, 0.9, -0.5, 0.8], [0, 0, 0, 0, 0]];
const IN_RUN = `import * as tf from '@tensorflow/tfjs';
import { runTraining } from './train.js';
const outcome = await runTraining({ out: 'run', backend: 'cpu', quiet: true });
const model = outcome.result.model;
const y = model.predict(tf.tensor2d(${JSON.stringify(ROWS)}));
console.log(JSON.stringify({ saved: outcome.saved, metrics: outcome.metrics, history: outcome.result.history, layers: model.layers.map((l) => l.getClassName()), predictions: Array.from(y.dataSync()) }));
process.exit(0);
`;
const RELOAD = `import * as tf from '@tensorflow/tfjs';
import { loadModel } from './infer.js';
import { initBackend } from './runtime.js';
await initBackend('cpu', { quiet: true });
const { model } = await loadModel('run/model');
console.log(JSON.stringify(Array.from(model.predict(tf.tensor2d(${JSON.stringify(ROWS)})).dataSync())));
`;

describe('bidirectional(lstm(..., return_state: true)) and initial_state train end to end (real processes)', () => {
  let dir: string;
  let trainer: string;
  let inRun: { saved: boolean; metrics: Record<string, number>; history: Record<string, number[]>; layers: string[]; predictions: number[] };
  const run = (program: string) => {
    const r = spawnSync(TSX, [program], { cwd: trainer, encoding: 'utf8', timeout: 240_000, env: { ...process.env, NNC_DATA_DIR: '' } });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  beforeAll(() => {
    dir = tempDir('bidirectional-states');
    writeFileSync(path.join(dir, 'bidi.nn'), SPEC);
    mkdirSync(path.join(dir, 'data'));
    copyFileSync(path.join(SPECS, 'data', 'parts.csv'), path.join(dir, 'data', 'parts.csv'));
    for (const [rel, content] of compileSpec(path.join(dir, 'bidi.nn'), path.join(dir, 'out'))) {
      mkdirSync(path.dirname(path.join(dir, 'out', rel)), { recursive: true });
      writeFileSync(path.join(dir, 'out', rel), content);
    }
    trainer = path.join(dir, 'out', 'part_sequence');
    writeFileSync(path.join(trainer, 'in-run.ts'), IN_RUN);
    writeFileSync(path.join(trainer, 'reload.ts'), RELOAD);
    const r = run('in-run.ts');
    if (r.code !== 0) throw new Error(`training failed (${r.code}): ${r.err}`);
    inRun = JSON.parse(r.out.trim().split('\n').at(-1)!);
  }, 300_000);
  afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('model.ts takes the output and the four states as one list from tfjs\' Bidirectional', () => {
    const model = readFileSync(path.join(trainer, 'model.ts'), 'utf8');
    expect(model).toContain('const [bidirectional_1, forward_h, forward_c, backward_h, backward_c] = tf.layers.bidirectional({');
    expect(model).toMatch(/returnState: true/);
    expect(model).toContain('.apply(steps, { initialState: [forward_h, forward_c, backward_h, backward_c] })');
    expect(model).toContain('.apply([again, backward_c, backward_h])');
    expect(inRun.layers).toContain('Bidirectional');
  });

  it('trains: the loss falls and the test split does far better than chance', () => {
    expect(inRun.saved).toBe(true);
    for (const key of ['loss', 'val_loss']) {
      expect(inRun.history[key], key).toHaveLength(EPOCHS);
      expect(inRun.history[key].at(-1)!, key).toBeLessThan(inRun.history[key][0] * 0.8);
    }
    expect(inRun.metrics.accuracy).toBeGreaterThan(0.7); // the majority class is 42%
  });

  it('a fresh process reloads the saved model and predicts the same numbers', () => {
    const r = run('reload.ts');
    expect(r.code, r.err).toBe(0);
    const reloaded = JSON.parse(r.out.trim().split('\n').at(-1)!) as number[];
    expect(reloaded).toHaveLength(ROWS.length * 3);
    reloaded.forEach((v, i) => expect(v).toBeCloseTo(inRun.predictions[i], 5));
  });
});
