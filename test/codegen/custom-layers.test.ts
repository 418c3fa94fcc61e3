// nnc's own tfjs layers (src/codegen/runtime/layers.ts), for what tfjs 4.22 lacks: each computes what Keras'
// layer computes, and a generated model that uses them is saved and reloaded in a fresh process with the same
// predictions (the classes are registered for serialization).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as layers from '../../src/codegen/runtime/layers.js';
import { compileSpec } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** [1, steps, channels] with x[0][t][c] = 10 * t + c. */
const ramp = (steps: number, channels: number) => tf.tensor3d([Array.from({ length: steps }, (_, t) => Array.from({ length: channels }, (_, c) => 10 * t + c))]);
const run = (layer: tf.layers.Layer, x: tf.Tensor) => (layer.apply(x) as tf.Tensor).arraySync();

describe('nnc runtime layers compute what Keras computes', () => {
  it('zero_padding1d adds zero steps at each end', () => {
    expect(run(layers.zeroPadding1d({ padding: [1, 2] }), ramp(2, 2))).toEqual([[[0, 0], [0, 1], [10, 11], [0, 0], [0, 0]]]);
  });
  it('cropping1d drops steps at each end', () => {
    expect(run(layers.cropping1d({ cropping: [1, 2] }), ramp(5, 1))).toEqual([[[10], [20]]]);
  });
  it('up_sampling1d repeats each step in place', () => {
    expect(run(layers.upSampling1d({ size: 3 }), ramp(2, 1))).toEqual([[[0], [0], [0], [10], [10], [10]]]);
  });
  it('elu with alpha 0.5 is x above 0 and 0.5 * (e^x - 1) below', () => {
    const y = run(layers.alphaElu({ alpha: 0.5 }), tf.tensor2d([[-2, -0.5, 0, 3]])) as number[][];
    [-2, -0.5, 0, 3].forEach((x, i) => expect(y[0][i]).toBeCloseTo(x > 0 ? x : 0.5 * Math.expm1(x), 6));
  });
  it('layer_norm without gamma or beta computes what tfjs computes forward, and trains', async () => {
    const x = tf.tensor2d([[1, 2, 4, 8], [0, -1, 3, 3]]);
    for (const args of [{ center: false }, { scale: false }]) {
      const mine = layers.layerNorm({ ...args, epsilon: 1e-3 });
      const theirs = tf.layers.layerNormalization({ ...args, epsilon: 1e-3 });
      const [a, b] = [run(mine, x) as number[][], run(theirs, x) as number[][]];
      a.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(b[i][j], 5)));
      const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 4 }), layers.layerNorm(args)] });
      m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      expect(Number.isFinite(await m.trainOnBatch(x, tf.zeros([2, 4])) as number)).toBe(true);
    }
  });

  it('each takes a training step after a dense layer, with a finite loss', async () => {
    const make: [string, () => tf.layers.Layer][] = [
      ['zeroPadding1d', () => layers.zeroPadding1d({ padding: [1, 1] })], ['cropping1d', () => layers.cropping1d({ cropping: [1, 0] })],
      ['upSampling1d', () => layers.upSampling1d({ size: 2 })], ['alphaElu', () => layers.alphaElu({ alpha: 0.5 })],
      ['axisSoftmax', () => layers.axisSoftmax({ axis: 1 })], ['layerNorm', () => layers.layerNorm({ scale: false })],
      ['multiHeadAttention', () => layers.multiHeadAttention({ numHeads: 2, keyDim: 3, dropout: 0.2 })],
    ];
    for (const [name, layer] of make) {
      const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4, 3], units: 2 }), layer()] });
      m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      const out = m.outputs[0].shape.slice(1) as number[];
      const loss = await m.trainOnBatch(tf.ones([2, 4, 3]), tf.zeros([2, ...out]));
      expect(Number.isFinite(loss as number), name).toBe(true);
    }
  });

  it('multi-head attention with one head of key_dim d is softmax(q k^T / sqrt(d)) v projected, as Keras', () => {
    const mha = layers.multiHeadAttention({ numHeads: 1, keyDim: 2 });
    const x = tf.tensor3d([[[1, 0], [0, 1], [1, 1]]]);
    const y = (mha.apply(x) as tf.Tensor).arraySync() as number[][][];
    const [qk, qb, kk, kb, vk, vb, ok, ob] = mha.getWeights().map((w) => w.arraySync()) as unknown as number[][][];
    const proj = (k: number[][][], b: number[][], row: number[]) => [0, 1].map((e) => row[0] * k[0][0][e] + row[1] * k[1][0][e] + b[0][e]);
    const rows = [[1, 0], [0, 1], [1, 1]];
    const [q, k, v] = [[qk, qb], [kk, kb], [vk, vb]].map(([kern, bias]) => rows.map((r) => proj(kern as unknown as number[][][], bias as unknown as number[][], r)));
    for (let t = 0; t < 3; t++) {
      const s = k.map((kr) => (q[t][0] * kr[0] + q[t][1] * kr[1]) / Math.sqrt(2));
      const e = s.map((z) => Math.exp(z - Math.max(...s)));
      const a = e.map((z) => z / e.reduce((p, c) => p + c, 0));
      const head = [0, 1].map((j) => a.reduce((p, w, i) => p + w * v[i][j], 0));
      const out = [0, 1].map((o) => head[0] * (ok as unknown as number[][][])[0][0][o] + head[1] * (ok as unknown as number[][][])[0][1][o] + (ob as unknown as number[])[o]);
      out.forEach((o, j) => expect(y[0][t][j]).toBeCloseTo(o, 5));
    }
  });

  it('multi-head attention takes sequences only: an image [batch, h, w, c] is refused, not read as steps and features', () => {
    // tfjs built it and ran it forward before, with an output of rank 3 where the layer declared rank 4 (differential-dag seed 5)
    const image = tf.input({ shape: [1, 1, 1] });
    expect(() => layers.multiHeadAttention({ numHeads: 2, keyDim: 1 }).apply(image)).toThrow(/takes sequences \[batch, steps, features\], found shape \[null,1,1,1\]/);
    const sequence = tf.input({ shape: [3, 2] });
    expect(() => layers.multiHeadAttention({ numHeads: 2, keyDim: 1 }).apply([sequence, image])).toThrow(/found shape \[null,1,1,1\]/);
    expect((layers.multiHeadAttention({ numHeads: 2, keyDim: 1 }).apply([sequence, sequence]) as tf.SymbolicTensor).shape).toEqual([null, 3, 2]);
  });
  it('subtract is a - b, a lower-rank or size-1 b broadcast as tfjs add broadcasts it, and takes exactly 2 tensors', () => {
    const a = tf.tensor3d([[[5, 7], [1, 2]]]);
    expect((layers.subtract({}).apply([a, tf.tensor3d([[[1, 2], [3, 5]]])]) as tf.Tensor).arraySync()).toEqual([[[4, 5], [-2, -3]]]);
    expect((layers.subtract({}).apply([a, tf.tensor2d([[1, 10]])]) as tf.Tensor).arraySync()).toEqual([[[4, -3], [0, -8]]]);
    expect((layers.subtract({}).apply([tf.tensor2d([[1, 10]]), a]) as tf.Tensor).arraySync()).toEqual([[[-4, 3], [0, 8]]]);
    const [x, y] = [tf.input({ shape: [2, 3] }), tf.input({ shape: [1, 3] })];
    expect((layers.subtract({}).apply([x, y]) as tf.SymbolicTensor).shape).toEqual([null, 2, 3]);
    expect(() => layers.subtract({}).apply([x, y, x])).toThrow(/exactly 2 inputs/);
    expect(() => layers.subtract({}).apply([x, tf.input({ shape: [4, 3] })])).toThrow(/cannot be broadcast/);
  });

  it('softmax over the steps sums to 1 along that axis, not the last', () => {
    const x = tf.tensor3d([[[1, 5], [2, 1], [3, 0]]]);
    const y = run(layers.axisSoftmax({ axis: 1 }), x) as number[][][];
    for (const c of [0, 1]) expect(y[0].reduce((s, row) => s + row[c], 0)).toBeCloseTo(1, 6);
    const e = [1, 2, 3].map(Math.exp);
    expect(y[0][2][0]).toBeCloseTo(e[2] / (e[0] + e[1] + e[2]), 6);
  });
});

const root = path.resolve('tmp/custom-layers');
const outDir = path.join(root, 'out');
const specText = `model Odd {
  input x: [6, 2]
  zero_padding1d([1, 2])
  up_sampling1d(2)
  cropping1d([2, 1])
  conv1d(3, 3, activation: tanh)
  elu(0.5)
  softmax(axis: 1)
  multi_head_attention(2, 4, dropout: 0.1)
  flatten
  dense(2, activation: softmax)
}
dataset d = csv("data.csv") { label: "y", features: [${Array.from({ length: 12 }, (_, i) => `"f${i}"`).join(', ')}] }
train Odd on d { loss: sparse_categorical_crossentropy, optimizer: adam, epochs: 1 }
`;

describe('a generated model with nnc runtime layers', () => {
  beforeAll(() => {
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
    writeFileSync(path.join(root, 'odd.nn'), specText);
    const files = compileSpec(path.relative(process.cwd(), path.join(root, 'odd.nn')), outDir);
    for (const [rel, content] of files) {
      mkdirSync(path.dirname(path.join(outDir, rel)), { recursive: true });
      writeFileSync(path.join(outDir, rel), content);
    }
    writeFileSync(path.join(outDir, 'tsconfig.json'), readFileSync('generated/tsconfig.json', 'utf8'));
  });

  it('imports them in model.ts only', () => {
    const model = readFileSync(path.join(outDir, 'odd/model.ts'), 'utf8');
    expect(model).toContain("import * as layers from './lib/layers.js';");
    expect(model).toMatch(/model\.add\(layers\.upSampling1d\(\{/);
    expect(model).toMatch(/model\.add\(tf\.layers\.conv1d\(\{/);
  });

  it('type-checks under --strict', () => expect(typeErrors(outDir)).toBe(''), 240_000);

  it('saves, and reloads in a fresh process predicting the same numbers', () => {
    const { before, after } = saveAndReload(path.join(outDir, 'odd'), path.join(root, 'saved'));
    expect(before).toHaveLength(2);
    expect(before[0] + before[1]).toBeCloseTo(1, 5);
    expect(after).toEqual(before);
  }, 120_000);
});

function typeErrors(dir: string): string {
  try {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', path.join(dir, 'tsconfig.json')], { encoding: 'utf8', stdio: 'pipe' });
    return '';
  } catch (e) {
    return String((e as { stdout?: string }).stdout ?? e);
  }
}

/**
 * Builds the generated model, predicts on a ramp [1, 6, 2] and saves it; then in a fresh process loads and predicts.
 * With `train`, one adam step on the ramp (label 1) comes first; `untrained` is what the model predicted before it.
 */
function saveAndReload(dir: string, saved: string, train = false): { before: number[]; after: number[]; untrained?: number[]; loss?: number } {
  {
    const input = JSON.stringify(Array.from({ length: 6 }, (_, t) => [t / 6, 1 - t / 3]));
    const step = `const x0 = tf.tensor3d([${input}]);
const y0 = Array.from((m.predict(x0) as tf.Tensor).dataSync());
m.compile({ optimizer: tf.train.adam(0.05), loss: 'sparseCategoricalCrossentropy' });
const loss = await m.trainOnBatch(x0, tf.tensor1d([1]));
console.log(JSON.stringify({ untrained: y0, loss }));`;
    const save = `import * as tf from '@tensorflow/tfjs';
import { buildModel } from './model.ts';
import { saveModelAtomic } from './lib/model-io.ts';
await tf.setBackend('cpu');
const m = buildModel(3);
${train ? step : ''}
const y = m.predict(tf.tensor3d([${input}])) as tf.Tensor;
await saveModelAtomic(m, ${JSON.stringify(saved)});
console.log(JSON.stringify(Array.from(y.dataSync())));`;
    const load = `import * as tf from '@tensorflow/tfjs';
import { loadModelFromDir } from './lib/model-io.ts';
await tf.setBackend('cpu');
const m = await loadModelFromDir(${JSON.stringify(saved)});
const y = m.predict(tf.tensor3d([${input}])) as tf.Tensor;
console.log(JSON.stringify(Array.from(y.dataSync())));`;
    writeFileSync(path.join(dir, 'save.mts'), save);
    writeFileSync(path.join(dir, 'load.mts'), load);
    const lines = (script: string) => execFileSync(process.execPath, ['--import', 'tsx', path.join(dir, script)], { encoding: 'utf8', stdio: 'pipe' }).trim().split('\n');
    const saving = lines('save.mts');
    const last = (out: string[]) => JSON.parse(out[out.length - 1]) as number[];
    const trained = train ? (JSON.parse(saving[saving.length - 2]) as { untrained: number[]; loss: number }) : {};
    return { before: last(saving), after: last(lines('load.mts')), ...trained };
  }
}

function writeCompiled(spec: string, file: string, out: string): void {
  rmSync(path.dirname(file), { recursive: true, force: true });
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, spec);
  for (const [rel, content] of compileSpec(path.relative(process.cwd(), file), out)) {
    mkdirSync(path.dirname(path.join(out, rel)), { recursive: true });
    writeFileSync(path.join(out, rel), content);
  }
}

// Cross-attention with query, value and key from three branches, and an LSTM started from another one's states:
// the functional model passes several tensors to nnc's attention layer and `initialState` to tfjs' LSTM.
const crossRoot = path.resolve('tmp/custom-layers-graph');
const crossSpec = `model Cross {
  input x: [6, 2]
  q = conv1d(4, 3, activation: tanh)(x)
  v = max_pool1d(2)(x)
  k = dense(3)(v)
  a = multi_head_attention(2, 4, value_dim: 3)(q, v, key: k)
  seq, h, c = lstm(5, return_sequences: true, return_state: true)(a)
  last = lstm(5)(seq, initial_state: [h, c])
  dense(2, activation: softmax)(last)
}
dataset d = csv("data.csv") { label: "y", features: [${Array.from({ length: 12 }, (_, i) => `"f${i}"`).join(', ')}] }
train Cross on d { loss: sparse_categorical_crossentropy, optimizer: adam, epochs: 1 }
`;

describe('a generated graph with cross-attention and recurrent states', () => {
  const out = path.join(crossRoot, 'out');
  beforeAll(() => {
    writeCompiled(crossSpec, path.join(crossRoot, 'cross.nn'), out);
    writeFileSync(path.join(out, 'tsconfig.json'), readFileSync('generated/tsconfig.json', 'utf8'));
  });

  it('type-checks under --strict', () => expect(typeErrors(out)).toBe(''), 240_000);

  it('passes query, value and key as a list, and the states as initialState', () => {
    const model = readFileSync(path.join(out, 'cross/model.ts'), 'utf8');
    expect(model).toMatch(/const a = layers\.multiHeadAttention\(\{\n(    .*\n)*  \}\)\.apply\(\[q, v, k\]\) as tf\.SymbolicTensor;/);
    expect(model).toMatch(/const \[seq, h, c\] = tf\.layers\.lstm\(\{\n(    .*\n)*    returnState: true,\n(    .*\n)*  \}\)\.apply\(a\) as tf\.SymbolicTensor\[\];/);
    expect(model).toMatch(/\.apply\(seq, \{ initialState: \[h, c\] \}\) as tf\.SymbolicTensor;/);
  });

  it('saves, and reloads in a fresh process predicting the same numbers', () => {
    const { before, after } = saveAndReload(path.join(out, 'cross'), path.join(crossRoot, 'saved'));
    expect(before).toHaveLength(2);
    expect(before[0] + before[1]).toBeCloseTo(1, 5);
    expect(after).toEqual(before);
  }, 120_000);
});

// subtract(a, b), nnc's own merge layer, in a generated graph: a step of training, then save and reload.
const subRoot = path.resolve('tmp/custom-layers-subtract');
const subSpec = `model Diff {
  input x: [6, 2]
  a = dense(3, activation: tanh)(x)
  b = dense(1)(x)
  d = subtract(a, b)
  flatten
  dense(2, activation: softmax)
}
dataset d = csv("data.csv") { label: "y", features: [${Array.from({ length: 12 }, (_, i) => `"f${i}"`).join(', ')}] }
train Diff on d { loss: sparse_categorical_crossentropy, optimizer: adam, epochs: 1 }
`;

describe('a generated graph with subtract', () => {
  const out = path.join(subRoot, 'out');
  beforeAll(() => writeCompiled(subSpec, path.join(subRoot, 'diff.nn'), out));

  it('applies nnc\'s Subtract to the two tensors in order', () => {
    const model = readFileSync(path.join(out, 'diff/model.ts'), 'utf8');
    expect(model).toMatch(/const d = layers\.subtract\(\{\n(    .*\n)*  \}\)\.apply\(\[a, b\]\) as tf\.SymbolicTensor;/);
  });

  it('trains a step, saves, and reloads in a fresh process predicting the same numbers', () => {
    const { before, after, untrained, loss } = saveAndReload(path.join(out, 'diff'), path.join(subRoot, 'saved'), true);
    expect(Number.isFinite(loss)).toBe(true);
    expect(before).toHaveLength(2);
    // the step moved the prediction towards label 1
    expect(before[1]).toBeGreaterThan(untrained![1]);
    expect(after).toEqual(before);
  }, 120_000);
});
