// What the language accepts beyond the schema: positional argument names, Keras-name aliases, and which
// arguments take a pair or a typed object. The schema (src/schema/schema.ts) says what values are valid.

/**
 * A lookup table without Object.prototype behind it: user-written names index these tables, and `constructor`,
 * `toString` or `__proto__` must find nothing rather than Object's own members.
 */
function table<T>(entries: Record<string, T>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, entries);
}

/** Positional parameters of each layer, in order: `dense(500)` is `dense(units: 500)`. */
export const layerPositional: Record<string, string[]> = table({
  dense: ['units'], flatten: [], reshape: ['shape'], dropout: ['rate'], activation: ['activation'],
  conv1d: ['filters', 'kernel'], conv2d: ['filters', 'kernel'],
  max_pool1d: ['pool'], avg_pool1d: ['pool'], max_pool2d: ['pool'], avg_pool2d: ['pool'],
  global_max_pool1d: [], global_avg_pool1d: [], global_max_pool2d: [], global_avg_pool2d: [],
  batch_norm: [], layer_norm: [], embedding: ['input_dim', 'output_dim'],
  lstm: ['units'], gru: ['units'], simple_rnn: ['units'],
});

/** Keras spellings accepted for our argument names. */
export const argumentAliases: Record<string, string> = table({
  kernel_size: 'kernel', pool_size: 'pool', dilation_rate: 'dilation', lr: 'learning_rate',
});

/** Arguments of 2-D layers that take a pair and accept one number for both axes. */
export const pairArguments = new Set(['kernel', 'strides', 'dilation', 'pool']);
export const twoDimensional = new Set(['conv2d', 'max_pool2d', 'avg_pool2d']);

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
