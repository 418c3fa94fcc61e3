// The one mapping from a spec layer to a tfjs layer: code generation renders it to TypeScript source,
// tests instantiate it in-process. Every random initializer and dropout gets an explicit seed derived from
// (training seed, layer index, which weight) so one seed always gives the same initial weights.
import type * as tfjs from '@tensorflow/tfjs';
import type { Activation, Initializer, Layer, ModelInput, Regularizer } from '../spec/types.js';
import { deriveSeed } from './runtime/rng.js';

export { deriveSeed };

export type ConfigValue =
  | string | number | boolean | null | ConfigValue[] | { [k: string]: ConfigValue }
  | { $call: string; args: { [k: string]: ConfigValue } }
  | DerivedSeed;

/**
 * A seed derived from the training seed: `$derivedSeed` for the spec's seed; generated code computes it from the seed it is
 * given (`deriveSeed(seed, layer, slot)`), so a trainer's `--seed` changes the initial weights too.
 */
export interface DerivedSeed { $derivedSeed: number; layer: number; slot: string }

export interface LayerConfig {
  /** tf.layers.<factory> */
  factory: string;
  args: { [k: string]: ConfigValue };
}

const TFJS_ACTIVATION: Record<Activation, string> = {
  linear: 'linear', relu: 'relu', relu6: 'relu6', elu: 'elu', selu: 'selu', sigmoid: 'sigmoid', hard_sigmoid: 'hardSigmoid',
  tanh: 'tanh', softmax: 'softmax', softplus: 'softplus', softsign: 'softsign', swish: 'swish', mish: 'mish', gelu: 'gelu',
};

const INITIALIZER_FACTORY: Record<Initializer['type'], string> = {
  glorot_uniform: 'glorotUniform', glorot_normal: 'glorotNormal', he_uniform: 'heUniform', he_normal: 'heNormal',
  lecun_uniform: 'leCunUniform', lecun_normal: 'leCunNormal', zeros: 'zeros', ones: 'ones', orthogonal: 'orthogonal',
  random_uniform: 'randomUniform', random_normal: 'randomNormal', truncated_normal: 'truncatedNormal', constant: 'constant',
};

const derivedSeed = (seed: number, layer: number, slot: string): DerivedSeed => ({ $derivedSeed: deriveSeed(seed, layer, slot), layer, slot });

function initializer(init: Initializer, seed: number, layerIndex: number, slot: string): ConfigValue {
  const call = (args: { [k: string]: ConfigValue }) => ({ $call: `tf.initializers.${INITIALIZER_FACTORY[init.type]}`, args });
  const seedOf = (given?: number): ConfigValue => given ?? derivedSeed(seed, layerIndex, slot);
  switch (init.type) {
    case 'zeros':
    case 'ones':
      return call({});
    case 'constant':
      return call({ value: init.value });
    case 'random_uniform':
      return call({ minval: init.minval, maxval: init.maxval, seed: seedOf(init.seed) });
    case 'random_normal':
    case 'truncated_normal':
      return call({ mean: init.mean, stddev: init.stddev, seed: seedOf(init.seed) });
    default:
      return call({ seed: seedOf(init.seed) });
  }
}

function regularizer(reg: Regularizer | null): ConfigValue {
  if (!reg) return null;
  switch (reg.type) {
    case 'l1': return { $call: 'tf.regularizers.l1', args: { l1: reg.l1 } };
    case 'l2': return { $call: 'tf.regularizers.l2', args: { l2: reg.l2 } };
    case 'l1_l2': return { $call: 'tf.regularizers.l1l2', args: { l1: reg.l1, l2: reg.l2 } };
  }
}

/** Drops null entries so generated code stays short and tfjs sees its own defaults. */
function compact(args: { [k: string]: ConfigValue }): { [k: string]: ConfigValue } {
  return Object.fromEntries(Object.entries(args).filter(([, v]) => v !== null));
}

function weighted(layer: Extract<Layer, { use_bias: boolean }>, seed: number, index: number): { [k: string]: ConfigValue } {
  return {
    useBias: layer.use_bias,
    kernelInitializer: initializer(layer.kernel_initializer, seed, index, 'kernel'),
    ...(layer.use_bias ? { biasInitializer: initializer(layer.bias_initializer, seed, index, 'bias') } : {}),
    kernelRegularizer: regularizer(layer.kernel_regularizer),
    biasRegularizer: layer.use_bias ? regularizer(layer.bias_regularizer) : null,
    activityRegularizer: regularizer(layer.activity_regularizer),
  };
}

const POOL_FACTORY = {
  max_pool1d: 'maxPooling1d', avg_pool1d: 'averagePooling1d', max_pool2d: 'maxPooling2d', avg_pool2d: 'averagePooling2d',
  global_max_pool1d: 'globalMaxPooling1d', global_avg_pool1d: 'globalAveragePooling1d',
  global_max_pool2d: 'globalMaxPooling2d', global_avg_pool2d: 'globalAveragePooling2d',
} as const;

const RNN_FACTORY = { lstm: 'lstm', gru: 'gru', simple_rnn: 'simpleRNN' } as const;

/**
 * `outputShape` is the layer's inferred output (LayerShapeInfo.outputShape). Pass it: tfjs' Reshape counts the
 * null batch axis as unknown and keeps a -1 in its static output shape, which breaks Flatten/Dense after it,
 * so a reshape with -1 is emitted with the size nnc computed.
 */
export function layerConfig(layer: Layer, index: number, input: ModelInput | null, seed: number, outputShape?: (number | null)[]): LayerConfig {
  // A tfjs layer's dtype is also the dtype of its weights: an int32 first layer (an embedding of token ids) would get
  // int32 weights that no optimizer can update. So an int32 input is declared float32 (the default) and fed int32
  // tensors; Embedding casts its input to int32 itself.
  const first: { [k: string]: ConfigValue } = input
    ? { inputShape: [...input.shape], ...(input.dtype === 'int32' ? {} : { dtype: input.dtype }) }
    : {};
  const base = { name: layer.name, ...first };
  const make = (factory: string, args: { [k: string]: ConfigValue }): LayerConfig => ({ factory, args: compact({ ...base, ...args }) });
  switch (layer.type) {
    case 'dense':
      return make('dense', { units: layer.units, activation: TFJS_ACTIVATION[layer.activation], ...weighted(layer, seed, index) });
    case 'flatten':
      return make('flatten', {});
    case 'reshape':
      return make('reshape', { targetShape: outputShape ? (outputShape.slice(1) as number[]) : [...layer.shape] });
    case 'dropout':
      return make('dropout', { rate: layer.rate, seed: layer.seed ?? derivedSeed(seed, index, 'dropout') });
    case 'activation':
      return make('activation', { activation: TFJS_ACTIVATION[layer.activation] });
    case 'conv1d':
    case 'conv2d':
      return make(layer.type, {
        filters: layer.filters,
        kernelSize: layer.type === 'conv2d' ? [...layer.kernel] : layer.kernel,
        strides: layer.type === 'conv2d' ? [...layer.strides] : layer.strides,
        padding: layer.padding,
        dilationRate: layer.type === 'conv2d' ? [...layer.dilation] : layer.dilation,
        activation: TFJS_ACTIVATION[layer.activation],
        ...weighted(layer, seed, index),
      });
    case 'max_pool1d':
    case 'avg_pool1d':
      return make(POOL_FACTORY[layer.type], { poolSize: layer.pool, strides: layer.strides, padding: layer.padding });
    case 'max_pool2d':
    case 'avg_pool2d':
      return make(POOL_FACTORY[layer.type], { poolSize: [...layer.pool], strides: [...layer.strides], padding: layer.padding });
    case 'global_max_pool1d':
    case 'global_avg_pool1d':
    case 'global_max_pool2d':
    case 'global_avg_pool2d':
      return make(POOL_FACTORY[layer.type], {});
    case 'batch_norm':
      return make('batchNormalization', { momentum: layer.momentum, epsilon: layer.epsilon, center: layer.center, scale: layer.scale });
    case 'layer_norm':
      return make('layerNormalization', { epsilon: layer.epsilon, center: layer.center, scale: layer.scale });
    case 'embedding':
      return make('embedding', {
        inputDim: layer.input_dim, outputDim: layer.output_dim, maskZero: layer.mask_zero,
        embeddingsInitializer: initializer(layer.embeddings_initializer, seed, index, 'embeddings'),
        embeddingsRegularizer: regularizer(layer.embeddings_regularizer),
      });
    case 'lstm':
    case 'gru':
    case 'simple_rnn':
      return make(RNN_FACTORY[layer.type], {
        units: layer.units,
        activation: TFJS_ACTIVATION[layer.activation],
        ...(layer.type === 'simple_rnn' ? {} : { recurrentActivation: TFJS_ACTIVATION[layer.recurrent_activation] }),
        returnSequences: layer.return_sequences,
        dropout: layer.dropout,
        recurrentDropout: layer.recurrent_dropout,
        ...weighted(layer, seed, index),
        recurrentInitializer: initializer(layer.recurrent_initializer, seed, index, 'recurrent'),
        recurrentRegularizer: regularizer(layer.recurrent_regularizer),
        // Keras' default: the forget gate's bias starts at 1
        ...(layer.type === 'lstm' && layer.use_bias ? { unitForgetBias: true } : {}),
      });
  }
}

const isCall = (v: ConfigValue): v is { $call: string; args: { [k: string]: ConfigValue } } =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { $call?: unknown }).$call === 'string';
const isDerivedSeed = (v: ConfigValue): v is DerivedSeed =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { $derivedSeed?: unknown }).$derivedSeed === 'number';

/** Turns a config value into the value tfjs takes, calling `tf.initializers.x(...)` etc. on `tf`. */
function resolveValue(v: ConfigValue, tf: typeof tfjs): unknown {
  if (Array.isArray(v)) return v.map((x) => resolveValue(x, tf));
  if (isDerivedSeed(v)) return v.$derivedSeed;
  if (isCall(v)) {
    const path = v.$call.split('.');
    if (path[0] !== 'tf') throw new Error(`layer config calls ${v.$call}, which is not under tf`);
    let target: unknown = tf;
    for (const part of path.slice(1)) target = (target as Record<string, unknown>)[part];
    if (typeof target !== 'function') throw new Error(`layer config calls ${v.$call}, which tfjs does not have`);
    const args = resolveValue(v.args, tf) as Record<string, unknown>;
    return Object.keys(args).length ? (target as (a: unknown) => unknown)(args) : (target as () => unknown)();
  }
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolveValue(x, tf)]));
  return v;
}

export function instantiateLayer(cfg: LayerConfig, tf: typeof tfjs): tfjs.layers.Layer {
  const factory = (tf.layers as unknown as Record<string, (args: unknown) => tfjs.layers.Layer>)[cfg.factory];
  if (typeof factory !== 'function') throw new Error(`tfjs has no layer factory tf.layers.${cfg.factory}`);
  return factory(resolveValue(cfg.args, tf));
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** An object key in TypeScript source: bare when it is an identifier, else a string literal. */
export const configKey = (k: string): string => (IDENTIFIER.test(k) ? k : JSON.stringify(k));

/** TypeScript source for a config value; strings through JSON.stringify; derived seeds from the `seed` in scope. */
export function renderConfigValue(v: ConfigValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`cannot render ${v} in a layer config`);
    return Object.is(v, -0) ? '0' : String(v);
  }
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(renderConfigValue).join(', ')}]`;
  if (isDerivedSeed(v)) return `deriveSeed(seed, ${v.layer}, ${JSON.stringify(v.slot)})`;
  if (isCall(v)) return `${v.$call}(${Object.keys(v.args).length ? renderConfigValue(v.args) : ''})`;
  const entries = Object.entries(v).map(([k, x]) => `${configKey(k)}: ${renderConfigValue(x)}`);
  return entries.length ? `{ ${entries.join(', ')} }` : '{}';
}
