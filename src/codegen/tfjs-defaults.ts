// tfjs 4.22's defaults for the layer arguments nnc writes, so that model.ts leaves them out and reads like the code
// a person would write (`tf.layers.dense({ units: 10, activation: "softmax" })`). Only arguments whose default
// does not depend on the others are listed, and none that a person states anyway (units, filters, sizes); seeds and
// seeded initializers are never defaults. test/codegen/tfjs-defaults.test.ts builds every layer type's fixtures and
// every spec with and without these arguments and requires the same getConfig() and the same initial weights.
import type { ConfigValue } from '../layers/config-kit.js';

type Defaults = Record<string, ConfigValue | ((args: { [k: string]: ConfigValue }) => ConfigValue)>;

const zeros: ConfigValue = { $call: 'tf.initializers.zeros', args: {} };
/** The bias of every layer with weights. */
const bias: Defaults = { useBias: true, biasInitializer: zeros };
const conv2dLike: Defaults = { ...bias, activation: 'linear', strides: [1, 1], padding: 'valid', dilationRate: [1, 1] };
const rnn: Defaults = { ...bias, activation: 'tanh', returnSequences: false, dropout: 0, recurrentDropout: 0 };
/** A pooling layer's strides default to its pool size. */
const pooling: Defaults = { strides: (args) => args.poolSize, padding: 'valid' };

/** By tf.layers factory; the first layer's `dtype: "float32"` is every factory's default. */
export const TFJS_DEFAULTS: Record<string, Defaults> = {
  dense: { ...bias, activation: 'linear' },
  conv1d: { ...bias, activation: 'linear', strides: 1, padding: 'valid', dilationRate: 1 },
  conv2d: conv2dLike,
  conv2dTranspose: { ...bias, activation: 'linear', strides: [1, 1], padding: 'valid' },
  depthwiseConv2d: { ...conv2dLike, depthMultiplier: 1 },
  separableConv2d: { ...conv2dLike, depthMultiplier: 1 },
  maxPooling1d: pooling, averagePooling1d: pooling, maxPooling2d: pooling, averagePooling2d: pooling,
  batchNormalization: { momentum: 0.99, epsilon: 0.001, center: true, scale: true },
  layerNormalization: { epsilon: 0.001, center: true, scale: true },
  lstm: rnn,
  gru: rnn,
  simpleRNN: rnn,
  bidirectional: { mergeMode: 'concat' },
  upSampling2d: { interpolation: 'nearest' },
  elu: { alpha: 1 },
  leakyReLU: { alpha: 0.3 },
  prelu: { alphaInitializer: zeros },
};

const same = (a: ConfigValue, b: ConfigValue) => JSON.stringify(a) === JSON.stringify(b);

/** A layer's arguments without those equal to tfjs's defaults for `factory`; wrapped layers (tf.layers calls) too. */
export function withoutTfjsDefaults(factory: string, args: { [k: string]: ConfigValue }): { [k: string]: ConfigValue } {
  const defaults = TFJS_DEFAULTS[factory] ?? {};
  const kept: { [k: string]: ConfigValue } = {};
  for (const [key, value] of Object.entries(args)) {
    const d = key === 'dtype' ? 'float32' : defaults[key];
    if (d !== undefined && same(value, typeof d === 'function' ? d(args) : d)) continue;
    kept[key] = wrapped(value);
  }
  return kept;
}

/** `tf.layers.lstm({ ... })` inside bidirectional or time_distributed: its own defaults left out. */
function wrapped(value: ConfigValue): ConfigValue {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !('$call' in value)) return value;
  const call = value as { $call: string; args: { [k: string]: ConfigValue } };
  if (!call.$call.startsWith('tf.layers.')) return value;
  return { $call: call.$call, args: withoutTfjsDefaults(call.$call.slice('tf.layers.'.length), call.args) };
}
