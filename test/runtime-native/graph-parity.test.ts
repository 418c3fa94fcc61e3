// The native whole-step path on graphs against tfjs's own train function (what is compared, and the tolerances:
// parity-helpers.ts): a residual block (conv2d with `padding: same` and no bias, batch_norm in training mode with
// its moving statistics, standalone activation layers, an add of the block's input and its convolutions, global
// average pooling, dropout), and a dense graph whose add merges three branches, the model's input among them, and
// whose tensor feeds two layers (gradients accumulate at the fork). Fallback reasons for graphs the step cannot run.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { nativeTrainFunction } from '../../src/codegen/runtime/native.js';
import { biasInit, glorot, paritySuite, requireNativeOnWasm, type Case } from './parity-helpers.js';

const uniform = (minval: number, maxval: number, seed: number) => tf.initializers.randomUniform({ minval, maxval, seed });

/** batch_norm with moving statistics and gamma away from their defaults, so that every term of the update shows. */
function batchNorm(seed: number, momentum = 0.9): tf.layers.Layer {
  return tf.layers.batchNormalization({
    momentum, epsilon: 1e-3, gammaInitializer: uniform(0.5, 1.5, seed), betaInitializer: biasInit(seed + 1),
    movingMeanInitializer: uniform(-0.3, 0.3, seed + 2), movingVarianceInitializer: uniform(0.5, 2, seed + 3),
  });
}

function residualBlock(): tf.LayersModel {
  const image = tf.input({ shape: [6, 6, 2] });
  const stem = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: glorot(1), biasInitializer: biasInit(11) }).apply(image) as tf.SymbolicTensor;
  let y = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: glorot(2) }).apply(stem) as tf.SymbolicTensor;
  y = batchNorm(20).apply(y) as tf.SymbolicTensor;
  y = tf.layers.activation({ activation: 'relu' }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: glorot(3) }).apply(y) as tf.SymbolicTensor;
  y = batchNorm(30, 0.99).apply(y) as tf.SymbolicTensor;
  const sum = tf.layers.add().apply([y, stem]) as tf.SymbolicTensor;
  let z = tf.layers.activation({ activation: 'relu' }).apply(sum) as tf.SymbolicTensor;
  z = tf.layers.globalAveragePooling2d({}).apply(z) as tf.SymbolicTensor;
  z = tf.layers.dropout({ rate: 0.25, seed: 5 }).apply(z) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: glorot(4), biasInitializer: biasInit(14) }).apply(z) as tf.SymbolicTensor;
  return tf.model({ inputs: image, outputs: out });
}

function branches(): tf.LayersModel {
  const x = tf.input({ shape: [5] });
  // No biases before batch_norm: their gradient is zero (up to rounding), which adam turns into steps of either sign.
  const d1 = tf.layers.dense({ units: 5, kernelInitializer: glorot(1), useBias: false }).apply(x) as tf.SymbolicTensor;
  const d2 = tf.layers.dense({ units: 5, activation: 'tanh', kernelInitializer: glorot(2), useBias: false }).apply(x) as tf.SymbolicTensor;
  const merged = tf.layers.add().apply([x, d1, d2]) as tf.SymbolicTensor;
  const normed = batchNorm(40).apply(merged) as tf.SymbolicTensor;
  const a = tf.layers.activation({ activation: 'sigmoid' }).apply(normed) as tf.SymbolicTensor;
  // `a` feeds two layers: its gradient is the sum of both.
  const h1 = tf.layers.dense({ units: 4, activation: 'relu', kernelInitializer: glorot(3), biasInitializer: biasInit(13) }).apply(a) as tf.SymbolicTensor;
  const h2 = tf.layers.dense({ units: 4, kernelInitializer: glorot(4), biasInitializer: biasInit(14) }).apply(a) as tf.SymbolicTensor;
  const t = tf.layers.activation({ activation: 'tanh' }).apply(tf.layers.add().apply([h1, h2]) as tf.SymbolicTensor) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: glorot(5), biasInitializer: biasInit(15) }).apply(t) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: out });
}

const CASES: Case[] = [
  { name: 'residual block: conv2d same without bias, batch_norm, activation, add, global_avg_pool2d, dropout', input: [6, 6, 2], model: residualBlock },
  { name: 'add of three branches (the model input among them), batch_norm on dense features, a fork', input: [5], model: branches, loss: 'categorical_crossentropy' },
];

describe('native whole-step path on graphs', () => {
  beforeAll(requireNativeOnWasm);

  paritySuite(CASES);

  it('says why a graph is not supported', () => {
    const reason = (model: tf.LayersModel) => {
      const opt = tf.train.adam();
      model.compile({ optimizer: opt, loss: 'sparseCategoricalCrossentropy' });
      const r = nativeTrainFunction(model, { loss: 'sparse_categorical_crossentropy' }, opt, ['loss']);
      return 'reason' in r ? r.reason : 'supported';
    };
    const softmax = () => tf.layers.dense({ units: 3, activation: 'softmax' });
    const a = tf.input({ shape: [4] });
    const b = tf.input({ shape: [4] });
    const twoInputs = softmax().apply(tf.layers.add().apply([a, b]) as tf.SymbolicTensor) as tf.SymbolicTensor;
    expect(reason(tf.model({ inputs: [a, b], outputs: twoInputs }))).toMatch(/several inputs or outputs/);
    const x = tf.input({ shape: [4] });
    const mul = tf.layers.multiply().apply([x, tf.layers.dense({ units: 4 }).apply(x) as tf.SymbolicTensor]) as tf.SymbolicTensor;
    expect(reason(tf.model({ inputs: x, outputs: softmax().apply(mul) as tf.SymbolicTensor }))).toMatch(/not supported: layer .*\(Multiply\)/);
    const shared = tf.layers.dense({ units: 4 });
    const twice = shared.apply(shared.apply(x) as tf.SymbolicTensor) as tf.SymbolicTensor;
    expect(reason(tf.model({ inputs: x, outputs: softmax().apply(twice) as tf.SymbolicTensor }))).toMatch(/is shared/);
    const img = tf.input({ shape: [4, 4, 2] });
    const channelsFirst = tf.layers.batchNormalization({ axis: 1 }).apply(img) as tf.SymbolicTensor;
    const head = softmax().apply(tf.layers.flatten().apply(channelsFirst) as tf.SymbolicTensor) as tf.SymbolicTensor;
    expect(reason(tf.model({ inputs: img, outputs: head }))).toMatch(/axis 1 \(only the last\)/);
    const ok = softmax().apply(tf.layers.add().apply([x, tf.layers.dense({ units: 4 }).apply(x) as tf.SymbolicTensor]) as tf.SymbolicTensor) as tf.SymbolicTensor;
    expect(reason(tf.model({ inputs: x, outputs: ok }))).toBe('supported');
  });
});
