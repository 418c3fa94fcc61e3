// A graph model end to end (specs/iris_branches.nn: two branches, concatenate, a repeated residual block),
// compiled to the tfjs functional API, trained for real on the cpu backend, saved and reloaded.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPECS, expectClose, expectLossFalls, predictInMemory, prepareTrainer, probabilitiesOf, type TrainOutcome, type Workspace } from './helpers.js';

const IRIS_ROWS = readFileSync(path.join(SPECS, 'data', 'iris.csv'), 'utf8').trim().split('\n').slice(1);
const numbers = (row: string) => row.split(',').slice(0, 4).map(Number);

describe('iris_branches (a graph model) end to end', () => {
  let ws: Workspace;
  let outcome: TrainOutcome;
  const epochs = 15;

  beforeAll(async () => {
    ws = await prepareTrainer('iris_branches', (dir) => {
      mkdirSync(path.join(dir, 'data'));
      copyFileSync(path.join(SPECS, 'data', 'iris.csv'), path.join(dir, 'data', 'iris.csv'));
    });
    outcome = await ws.train.runTraining({ out: path.join(ws.dir, 'run'), backend: 'cpu', epochs, quiet: true });
  });
  afterAll(() => ws?.cleanup());

  it('builds a functional model with the layers, connections and counts the compiler summarized', () => {
    const model = ws.model.buildModel();
    expect(model.constructor.name).not.toBe('Sequential');
    const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
    const inbound = (l: (typeof layers)[number]) =>
      (l as unknown as { inboundNodes: { inboundLayers: { name: string }[] }[] }).inboundNodes[0].inboundLayers.map((x) => x.name);
    expect(layers.map((l) => [l.name, l.outputShape, l.countParams(), inbound(l)]))
      .toEqual(ws.summary.layers.map((l) => [l.name, l.outputShape, l.params, l.inputs]));
    expect(model.countParams()).toBe(ws.summary.totalParams);
  });

  it('trains: the loss falls and the test split is classified far above chance', () => {
    expectLossFalls(outcome.result.history, epochs);
    expect(outcome.metrics.accuracy).toBeGreaterThan(0.7);
  });

  it('reloads the saved model: predictions equal the in-memory model', async () => {
    const loaded = await ws.infer.loadModel(path.join(outcome.outDir, 'model'));
    const norm = loaded.preprocessing.normalize;
    for (const row of [0, 60, 120].map((i) => IRIS_ROWS[i])) {
      const zScored = numbers(row).map((v, c) => (v - norm.mean![c]) / norm.std![c]);
      const expected = predictInMemory(outcome.result.model, zScored, [4]);
      expectClose(probabilitiesOf(await ws.infer.predict(loaded, { csv: row }), loaded.labels!), expected);
    }
  });
});
