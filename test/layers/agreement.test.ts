// Agreement with tfjs, per layer type: every hand-derived case of test/fixtures/layers/<type>.json is checked by nnc,
// compiled to its tfjs config (the one code generation renders), built by tfjs itself as a one-layer model on the
// cpu backend and run forward. nnc's output shape and trainable / non-trainable counts must equal tfjs'.
import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as nncLayers from '../../src/codegen/runtime/layers.js';
import { instantiateLayer, layerConfig } from '../../src/codegen/layer-config.js';
import { check } from '../../src/pipeline.js';
import { layerTypes } from '../../src/layers/registry.js';
import { buildFunctional, countOf, outputShapes } from '../graph/tfjs-functional.js';

interface Case { layer: string; input?: number[]; inputs?: [string, number[]][]; dtype?: 'float32' | 'int32'; states?: number[][] }

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const fixtureDir = 'test/fixtures/layers';

/** nnc's view of a one-layer model, and the same model as tfjs builds it from nnc's config. */
export function agree(c: Case): void {
  if (c.inputs || c.states) return agreeGraph(c, c.inputs ?? [['x', c.input!]]);
  const input = c.input!;
  const text = `model M {\n  input x: [${input.join(', ')}]${c.dtype ? ` as ${c.dtype}` : ''}\n  ${c.layer}\n}\n`;
  const r = check('agree.nn', text, { readFile: () => { throw new Error('no imports'); } });
  expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), c.layer).toEqual([]);
  const model = r.spec!.models[0];
  const info = r.shapes[0].layers[0];
  const cfg = layerConfig(model.layers[0], 0, model.input, 11, info.outputShape);
  const seq = tf.sequential({ layers: [instantiateLayer(cfg, tf, nncLayers)] });
  try {
    const layer = seq.layers[0];
    expect(layer.outputShape, `${c.layer}: output shape`).toEqual(info.outputShape);
    expect({ trainable: countOf(layer.trainableWeights), nonTrainable: countOf(layer.nonTrainableWeights) }, c.layer)
      .toEqual({ trainable: info.trainableParams, nonTrainable: info.nonTrainableParams });
    const x = tf.zeros([2, ...input], c.dtype ?? 'float32');
    const y = seq.predict(x) as tf.Tensor;
    expect(y.shape, `${c.layer}: forward pass`).toEqual([2, ...(info.outputShape.slice(1) as number[])]);
    tf.dispose([x, y]);
  } finally {
    seq.dispose();
  }
}

/**
 * A case with several named inputs (a merge, attention's query and value) or several outputs (a recurrent layer's
 * states), built as a functional tfjs model (tf.input, apply, tf.model) as generated model.ts builds it.
 */
function agreeGraph(c: Case, inputs: [string, number[]][]): void {
  const text = `model M {\n${inputs.map(([n, s]) => `  input ${n}: [${s.join(', ')}]`).join('\n')}\n  ${c.layer}\n}\n`;
  const r = check('agree.nn', text, { readFile: () => { throw new Error('no imports'); } });
  expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), c.layer).toEqual([]);
  const info = r.shapes[0].layers[0];
  const f = buildFunctional(r.spec!.models[0], r.shapes[0]);
  try {
    const layer = f.layers.get(info.name)!;
    expect(outputShapes(layer), `${c.layer}: output shapes`).toEqual([info.outputShape, ...(info.stateShapes ?? [])]);
    expect({ trainable: countOf(layer.trainableWeights), nonTrainable: countOf(layer.nonTrainableWeights) }, c.layer)
      .toEqual({ trainable: info.trainableParams, nonTrainable: info.nonTrainableParams });
    const values = inputs.map(([, s]) => tf.zeros([2, ...s]));
    const ys = [f.model.predict(values.length === 1 ? values[0] : values)].flat() as tf.Tensor[];
    expect(ys[0].shape, `${c.layer}: forward pass`).toEqual([2, ...(info.outputShape.slice(1) as number[])]);
    tf.dispose([...values, ...ys]);
  } finally {
    f.model.dispose();
  }
}

describe('every layer type agrees with tfjs', () => {
  it('has cases for every registered layer type', () => {
    const files = readdirSync(fixtureDir).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
    expect(files.sort()).toEqual([...layerTypes].sort());
  });
  for (const type of [...layerTypes].sort()) {
    const { cases } = JSON.parse(readFileSync(`${fixtureDir}/${type}.json`, 'utf8')) as { cases: Case[] };
    for (const c of cases) it(`${type}: ${c.layer} on ${JSON.stringify(c.inputs ?? c.input)}`, () => agree(c));
  }
});
