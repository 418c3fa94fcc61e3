// Parts of tfjs layer configs that several layer modules share: activations, initializers with seeds derived
// from (training seed, layer index, which weight), regularizers and the kernel-owning layers' arguments.
import type { Activation, Initializer, Regularizer } from '../codegen/runtime/spec-types.js';
import { deriveSeed } from '../codegen/runtime/rng.js';

export type ConfigValue =
  | string | number | boolean | null | ConfigValue[] | { [k: string]: ConfigValue }
  | { $call: string; args: { [k: string]: ConfigValue } }
  | DerivedSeed;

/**
 * A seed derived from the training seed: `$derivedSeed` for the spec's seed; generated code computes it from the seed it is
 * given (`deriveSeed(seed, layer, slot)`), so a trainer's `--seed` changes the initial weights too.
 */
export interface DerivedSeed { $derivedSeed: number; layer: number; slot: string }

/** What a module's config() may use besides its layer. */
export interface ConfigContext {
  /** The training's seed. */
  seed: number;
  /** The layer's position in the model: seeds are derived from it. */
  index: number;
  /** The layer's inferred output, with the null batch axis (LayerShapeInfo.outputShape), when known. */
  outputShape?: (number | null)[];
}

export const TFJS_ACTIVATION: Record<Activation, string> = {
  linear: 'linear', relu: 'relu', relu6: 'relu6', elu: 'elu', selu: 'selu', sigmoid: 'sigmoid', hard_sigmoid: 'hardSigmoid',
  tanh: 'tanh', softmax: 'softmax', softplus: 'softplus', softsign: 'softsign', swish: 'swish', mish: 'mish', gelu: 'gelu',
};

const INITIALIZER_FACTORY: Record<Initializer['type'], string> = {
  glorot_uniform: 'glorotUniform', glorot_normal: 'glorotNormal', he_uniform: 'heUniform', he_normal: 'heNormal',
  lecun_uniform: 'leCunUniform', lecun_normal: 'leCunNormal', zeros: 'zeros', ones: 'ones', orthogonal: 'orthogonal',
  random_uniform: 'randomUniform', random_normal: 'randomNormal', truncated_normal: 'truncatedNormal', constant: 'constant',
};

export const derivedSeed = (seed: number, layer: number, slot: string): DerivedSeed => ({ $derivedSeed: deriveSeed(seed, layer, slot), layer, slot });

export function initializer(init: Initializer, ctx: ConfigContext, slot: string): ConfigValue {
  const call = (args: { [k: string]: ConfigValue }) => ({ $call: `tf.initializers.${INITIALIZER_FACTORY[init.type]}`, args });
  const seedOf = (given?: number): ConfigValue => given ?? derivedSeed(ctx.seed, ctx.index, slot);
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

export function regularizer(reg: Regularizer | null): ConfigValue {
  if (!reg) return null;
  switch (reg.type) {
    case 'l1': return { $call: 'tf.regularizers.l1', args: { l1: reg.l1 } };
    case 'l2': return { $call: 'tf.regularizers.l2', args: { l2: reg.l2 } };
    case 'l1_l2': return { $call: 'tf.regularizers.l1l2', args: { l1: reg.l1, l2: reg.l2 } };
  }
}

export interface WeightedValues {
  use_bias: boolean;
  kernel_initializer: Initializer;
  bias_initializer: Initializer;
  kernel_regularizer: Regularizer | null;
  bias_regularizer: Regularizer | null;
  activity_regularizer: Regularizer | null;
}

/** useBias, the kernel's and bias' initializers and regularizers, and the activity regularizer. */
export function weighted(layer: WeightedValues, ctx: ConfigContext): { [k: string]: ConfigValue } {
  return {
    useBias: layer.use_bias,
    kernelInitializer: initializer(layer.kernel_initializer, ctx, 'kernel'),
    ...(layer.use_bias ? { biasInitializer: initializer(layer.bias_initializer, ctx, 'bias') } : {}),
    kernelRegularizer: regularizer(layer.kernel_regularizer),
    biasRegularizer: layer.use_bias ? regularizer(layer.bias_regularizer) : null,
    activityRegularizer: regularizer(layer.activity_regularizer),
  };
}
