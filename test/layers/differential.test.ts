// Property-based differential test against tfjs itself: random chains over every layer type, written as .nn
// source, checked by nnc (parse, schema, shapes) and built by tfjs from the configs code generation renders.
// Where nnc accepts, tfjs must build the model with nnc's shapes and counts, run a forward pass and one training
// step on zeros; where nnc rejects a layer, tfjs must fail on that layer too (or nnc's rule is a stricter one,
// listed below with its reason). Seeded and bounded: NNC_DIFF_RUNS / NNC_DIFF_SEED change the defaults.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import * as nncLayers from '../../src/codegen/runtime/layers.js';
import { instantiateLayer, layerConfig } from '../../src/codegen/layer-config.js';
import { check } from '../../src/pipeline.js';
import { layerModule, layerTypes } from '../../src/layers/registry.js';
import { untrainable } from '../../src/shapes/trainable.js';
import { generators, layerCall, type Rank } from './differential-layers.js';
import { STRICTER } from './differential-stricter.js';

const RUNS = Number(process.env.NNC_DIFF_RUNS ?? 150);
const SEED = Number(process.env.NNC_DIFF_SEED ?? 20261201);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const countOf = (ws: tf.LayerVariable[]) => ws.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b as number), 1), 0);

/** A random chain: input rank and sizes, then layers picked with a bias towards what the running rank can take. */
const chain = fc.record({
  rank: fc.constantFrom<Rank>(1, 2, 3, 4),
  dims: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 4, maxLength: 4 }),
  picks: fc.array(fc.tuple(fc.nat(1000), fc.nat(1000), fc.nat(1000), fc.nat(1000)), { minLength: 1, maxLength: 5 }),
  tokens: fc.boolean(),
});

interface Model { text: string; layers: string[]; input: number[]; int: boolean }

type Chain = typeof chain extends fc.Arbitrary<infer T> ? T : never;

function build({ rank, dims, picks, tokens }: Chain): Model {
  const input = dims.slice(0, rank).map((d) => d + (rank <= 2 ? 3 : 1));
  const layers: string[] = [];
  // an int32 input of token ids starts with an embedding, as a text model does
  const int = tokens && rank <= 2;
  let r: Rank = rank;
  if (int) {
    layers.push(`embedding(${10 + dims[0]}, ${1 + (dims[1] % 4)})`);
    r = (rank + 1) as Rank;
  }
  for (const p of picks) {
    const next = layerCall(r, p);
    layers.push(next.call);
    r = next.rank;
  }
  const text = `model M {\n  input x: [${input.join(', ')}]${int ? ' as int32' : ''}\n${layers.map((l) => `  ${l}\n`).join('')}}\n`;
  return { text, layers, input, int };
}

interface Seen { types: Set<string>; accepted: number; rejected: number; stricter: number; untrainable: number }

/** Whether tfjs takes one training step on zeros through `seq` (true when it has nothing to train). */
async function trains(seq: tf.Sequential, tensors: tf.Tensor[]): Promise<boolean> {
  if (seq.trainableWeights.length === 0) return true;
  const out = seq.outputs[0].shape.slice(1) as number[];
  seq.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
  const target = tf.zeros([2, ...out]);
  tensors.push(target);
  try {
    await seq.trainOnBatch(tensors[0], target);
    return true;
  } catch {
    return false;
  }
}

async function differ(m: Model, seen: Seen): Promise<void> {
  const r = check('diff.nn', m.text, { readFile: () => { throw new Error('no imports'); } });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  // the generator writes valid arguments: an error before the shapes is a generator bug, shown as such
  expect(errors.filter((d) => !d.code.startsWith('NN3')).map((d) => `${d.code} ${d.message}`), m.text).toEqual([]);
  const model = r.spec!.models[0];
  const info = r.shapes[0];
  for (const l of model.layers) seen.types.add(l.type);
  const failedAt = info.complete ? -1 : info.layers.length;

  // tfjs builds the layers nnc accepted and the one it rejected, and runs them forward
  const upTo = failedAt === -1 ? model.layers.length : failedAt + 1;
  const seq = tf.sequential();
  const tensors: tf.Tensor[] = [];
  try {
    let tfjsError: Error | null = null;
    try {
      for (const [i, layer] of model.layers.slice(0, upTo).entries()) {
        const cfg = layerConfig(layer, i, i === 0 ? model.input : null, 5, info.layers[i]?.outputShape);
        seq.add(instantiateLayer(cfg, tf, nncLayers));
        const shape = seq.layers[i].outputShape as (number | null)[];
        // a size of 0 or less is no shape at all, whatever tfjs' static shape says
        if (shape.some((d) => d !== null && d <= 0)) throw new Error(`layer ${i} has output shape ${JSON.stringify(shape)}`);
      }
      const x = tf.zeros([2, ...m.input], m.int ? 'int32' : 'float32');
      tensors.push(x);
      tensors.push(seq.predict(x) as tf.Tensor);
    } catch (e) {
      tfjsError = e as Error;
    }
    if (failedAt !== -1) {
      seen.rejected++;
      const code = errors[0].code;
      if (tfjsError || !(await trains(seq, tensors))) return;
      if (STRICTER[code]) {
        seen.stricter++;
        return;
      }
      throw new Error(`nnc rejects layer ${failedAt} (${code} ${errors[0].message}), tfjs builds and runs it\n${m.text}`);
    }
    if (tfjsError) throw new Error(`nnc accepts, tfjs fails: ${tfjsError.message}\n${m.text}`);
    seen.accepted++;
    seq.layers.forEach((layer, i) => {
      expect(layer.outputShape, `${m.text}layer ${i} output shape`).toEqual(info.layers[i].outputShape);
      expect([countOf(layer.trainableWeights), countOf(layer.nonTrainableWeights)], `${m.text}layer ${i} counts`)
        .toEqual([info.layers[i].trainableParams, info.layers[i].nonTrainableParams]);
    });
    const out = info.layers[info.layers.length - 1].outputShape.slice(1) as number[];
    const [x, y] = tensors;
    expect(y.shape, `${m.text}forward pass`).toEqual([2, ...out]);
    // where nnc refuses to train the model (NN4040, NN4041), tfjs must fail the step or have nothing to train
    const stuck = untrainable(model, info);
    if (stuck) {
      seen.untrainable++;
      expect(await trains(seq, tensors) && seq.trainableWeights.length > 0, `${m.text}nnc says ${stuck.code}, tfjs trains it`).toBe(false);
      return;
    }
    seq.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
    const target = tf.zeros([2, ...out]);
    tensors.push(target);
    const loss = await seq.trainOnBatch(x, target).catch((e: Error) => {
      throw new Error(`nnc accepts, tfjs fails the training step: ${e.message}\n${m.text}`);
    });
    expect(Number.isFinite(loss as number), `${m.text}training step loss ${loss}`).toBe(true);
  } finally {
    tf.dispose(tensors);
    seq.dispose();
  }
}

describe('nnc agrees with tfjs on random chains', () => {
  it(`${RUNS} models, seed ${SEED}`, async () => {
    const seen: Seen = { types: new Set(), accepted: 0, rejected: 0, stricter: 0, untrainable: 0 };
    await fc.assert(fc.asyncProperty(chain, (c) => differ(build(c), seen)), { numRuns: RUNS, seed: SEED, endOnFailure: true });
    // then each layer type the random chains missed, alone on an input of a rank it takes
    const missed = Object.keys(generators).filter((t) => !seen.types.has(t));
    for (const type of missed) {
      const rank = generators[type].takes[0];
      const input = [6, 5, 4, 3].slice(0, rank);
      const int = type === 'embedding';
      const call = generators[type].call([1, 2, 3, 4], rank).call;
      await differ({ text: `model M {\n  input x: [${input.join(', ')}]${int ? ' as int32' : ''}\n  ${call}\n}\n`, layers: [call], input, int }, seen);
    }
    console.log(`differential: ${RUNS} models (seed ${SEED}) + ${missed.length} single-layer ones (${missed.join(', ') || 'none'}): ${seen.accepted} accepted by both (${seen.untrainable} of them refused for training by nnc and not trainable in tfjs), ${seen.rejected} rejected (${seen.stricter} by a stricter nnc rule), ${seen.types.size} layer types`);
    // the generator reaches every layer type, so a new type is in this test the day it is registered
    // merge layers take several tensors, so no chain holds them: test/graph/ and the agreement test cover them
    expect([...seen.types].sort()).toEqual([...layerTypes].filter((t) => !layerModule(t)?.merge).sort());
    expect(seen.accepted).toBeGreaterThan(RUNS / 3);
  }, 600_000);
});
