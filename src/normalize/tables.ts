// What the language accepts beyond the schema: positional argument names, Keras-name aliases, and which
// arguments take a pair or a typed object. The schema (src/schema/schema.ts) says what values are valid; the
// layers' entries come from their modules (src/layers/).
import { layerArgumentAliases } from '../layers/registry.js';

/**
 * A lookup table without Object.prototype behind it: user-written names index these tables, and `constructor`,
 * `toString` or `__proto__` must find nothing rather than Object's own members.
 */
function table<T>(entries: Record<string, T>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, entries);
}

export { layerPositional, pairArguments } from '../layers/registry.js';

/** Keras spellings accepted for our argument names: the layer modules' aliases, and `lr`. */
export const argumentAliases: Record<string, string> = table({ ...layerArgumentAliases, lr: 'learning_rate' });

/** Positional parameters of calls used as values: `adam(0.001)`, `l2(0.01)`, `uniform(-0.05, 0.05)`. */
export const callPositional: Record<string, string[]> = table({
  sgd: ['learning_rate'], adam: ['learning_rate'], adamax: ['learning_rate'], rmsprop: ['learning_rate'],
  adagrad: ['learning_rate'], adadelta: ['learning_rate'],
  l1: ['l1'], l2: ['l2'], l1_l2: ['l1', 'l2'],
  random_uniform: ['minval', 'maxval'], random_normal: ['mean', 'stddev'], truncated_normal: ['mean', 'stddev'], constant: ['value'],
  scale: ['factor'],
  step: ['every', 'factor'], exponential: ['decay_rate', 'decay_epochs'], reduce_on_plateau: [],
});

export const callAliases: Record<string, string> = table({
  uniform: 'random_uniform', normal: 'random_normal', minmax: 'min_max', zscore: 'z_score', standardize: 'z_score',
  mse: 'mean_squared_error', mae: 'mean_absolute_error',
});

/** Properties whose value is an object with a `type`; a bare name `adam` means `{ type: "adam" }`. */
export function isTypedObjectKey(key: string): boolean {
  return key === 'optimizer' || key === 'normalize' || key === 'schedule' || key.endsWith('_initializer') || key.endsWith('_regularizer');
}

/** Positional parameters of a dataset source: `csv("iris.csv")`. */
export const sourcePositional: Record<string, string[]> = table({
  fashion_mnist: ['path'], idx: ['train_images', 'train_labels'], csv: ['train'], image_folder: ['train'],
});
