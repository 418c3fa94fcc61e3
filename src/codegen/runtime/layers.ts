// Layers that tfjs 4.22 lacks, written as tfjs layers: registered for serialization, so that a saved model.json
// naming them loads again in a fresh process (model-io.ts imports this file before any load). Class names and
// config keys are Keras', so a model reads the same in both.
import * as tf from '@tensorflow/tfjs';
// tfjs 4.22 bugs mended for every model that loads this file
import './tfjs-mends.js';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
type Shape = (number | null)[];

const single = (inputs: tf.Tensor | tf.Tensor[]): tf.Tensor => (Array.isArray(inputs) ? inputs[0] : inputs);
const shapeOf = (s: Shape | Shape[]): Shape => (Array.isArray(s[0]) ? (s[0] as Shape) : (s as Shape));
const ends = (v: number | [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);
const plus = (d: number | null, n: number): number | null => (d === null ? null : d + n);

/** Zeros before and after the steps of [batch, steps, channels]. */
export class ZeroPadding1D extends tf.layers.Layer {
  static className = 'ZeroPadding1D';
  readonly padding: [number, number];
  constructor(args: LayerArgs & { padding?: number | [number, number] }) {
    super(args);
    this.padding = ends(args.padding ?? 1);
    // [batch, steps, channels] only, as Keras' InputSpec(ndim=3)
    this.inputSpec = [{ ndim: 3 }];
  }
  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [b, steps, c] = shapeOf(inputShape);
    return [b, plus(steps, this.padding[0] + this.padding[1]), c];
  }
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.pad(single(inputs), [[0, 0], this.padding, [0, 0]]));
  }
  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), padding: [...this.padding] };
  }
}

/** Drops steps at the start and end of [batch, steps, channels]. */
export class Cropping1D extends tf.layers.Layer {
  static className = 'Cropping1D';
  readonly cropping: [number, number];
  constructor(args: LayerArgs & { cropping?: number | [number, number] }) {
    super(args);
    this.cropping = ends(args.cropping ?? 1);
    // [batch, steps, channels] only, as Keras' InputSpec(ndim=3)
    this.inputSpec = [{ ndim: 3 }];
  }
  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [b, steps, c] = shapeOf(inputShape);
    return [b, plus(steps, -this.cropping[0] - this.cropping[1]), c];
  }
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = single(inputs);
    return tf.tidy(() => tf.slice(x, [0, this.cropping[0], 0], [-1, x.shape[1]! - this.cropping[0] - this.cropping[1], -1]));
  }
  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), cropping: [...this.cropping] };
  }
}

/** Repeats each step `size` times: [batch, steps, channels] -> [batch, steps * size, channels]. */
export class UpSampling1D extends tf.layers.Layer {
  static className = 'UpSampling1D';
  readonly size: number;
  constructor(args: LayerArgs & { size?: number }) {
    super(args);
    this.size = args.size ?? 2;
    // [batch, steps, channels] only, as Keras' InputSpec(ndim=3)
    this.inputSpec = [{ ndim: 3 }];
  }
  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [b, steps, c] = shapeOf(inputShape);
    return [b, steps === null ? null : steps * this.size, c];
  }
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = single(inputs);
    const [batch, steps, channels] = x.shape;
    return tf.tidy(() => tf.reshape(tf.tile(tf.expandDims(x, 2), [1, 1, this.size, 1]), [batch, steps * this.size, channels]));
  }
  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), size: this.size };
  }
}

/** ELU with any alpha: tfjs 4.22's ELU layer refuses an alpha other than 1. */
export class AlphaELU extends tf.layers.Layer {
  static className = 'AlphaELU';
  readonly alpha: number;
  constructor(args: LayerArgs & { alpha?: number }) {
    super(args);
    this.alpha = args.alpha ?? 1;
  }
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = single(inputs);
    // relu(x) + alpha * (e^min(x, 0) - 1): no comparison op, which tfjs cannot differentiate through
    return tf.tidy(() => tf.add(tf.relu(x), tf.mul(this.alpha, tf.sub(tf.exp(tf.minimum(x, 0)), 1))));
  }
  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}

/** Softmax over any axis: tfjs 4.22's softmax takes only the last one. `axis` counts the batch axis as 0. */
export class AxisSoftmax extends tf.layers.Layer {
  static className = 'AxisSoftmax';
  readonly axis: number;
  constructor(args: LayerArgs & { axis: number }) {
    super(args);
    this.axis = args.axis;
  }
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = single(inputs);
    return tf.tidy(() => {
      const e = tf.exp(tf.sub(x, tf.max(x, this.axis, true)));
      return tf.div(e, tf.sum(e, this.axis, true));
    });
  }
  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), axis: this.axis };
  }
}

/**
 * Layer normalization over the last axis, with gamma (`scale`) and beta (`center`) each optional: tfjs 4.22's
 * LayerNormalization throws in its gradient when one of them is off.
 */
export class LayerNorm extends tf.layers.Layer {
  static className = 'NncLayerNorm';
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  private gamma: tf.LayerVariable | null = null;
  private beta: tf.LayerVariable | null = null;
  constructor(args: LayerArgs & { epsilon?: number; center?: boolean; scale?: boolean }) {
    super(args);
    this.epsilon = args.epsilon ?? 1e-3;
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
  }
  build(inputShape: Shape | Shape[]): void {
    const shape = shapeOf(inputShape);
    const features = shape[shape.length - 1]!;
    if (this.scale) this.gamma = this.addWeight('gamma', [features], 'float32', tf.initializers.ones());
    if (this.center) this.beta = this.addWeight('beta', [features], 'float32', tf.initializers.zeros());
    this.built = true;
  }
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = single(inputs);
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, -1, true);
      let y = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, this.epsilon)));
      if (this.gamma) y = tf.mul(y, this.gamma.read());
      if (this.beta) y = tf.add(y, this.beta.read());
      return y;
    });
  }
  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon, center: this.center, scale: this.scale };
  }
}

/**
 * Keras' MultiHeadAttention (tfjs 4.22 has none): `numHeads` heads of scaled dot-product attention with their own
 * query, key and value projections, and an output projection back to the query's features. Takes one tensor
 * (self-attention) or [query, value] / [query, value, key]; weights and their shapes are Keras'.
 */
export class MultiHeadAttention extends tf.layers.Layer {
  static className = 'MultiHeadAttention';
  readonly numHeads: number;
  readonly keyDim: number;
  readonly valueDim: number;
  readonly dropout: number;
  /** Seeds of the four projections' glorot-uniform kernels (generated code derives them from the training seed). */
  readonly kernelSeeds: Partial<Record<'query' | 'key' | 'value' | 'output', number>>;
  private w: Record<string, tf.LayerVariable> = {};
  constructor(args: LayerArgs & { numHeads: number; keyDim: number; valueDim?: number; dropout?: number; kernelSeeds?: MultiHeadAttention['kernelSeeds'] }) {
    super(args);
    this.numHeads = args.numHeads;
    this.keyDim = args.keyDim;
    this.valueDim = args.valueDim ?? args.keyDim;
    this.dropout = args.dropout ?? 0;
    this.kernelSeeds = { ...args.kernelSeeds };
  }
  private shapes(inputShape: Shape | Shape[]): Shape[] {
    const list = (Array.isArray(inputShape[0]) ? inputShape : [inputShape]) as Shape[];
    // sequences only, as nnc's checker has it (NN3001): on [batch, h, w, c] the projections would read h as steps
    // and w as features, and give a tensor of another rank than the layer's declared shape
    const other = list.find((s) => s.length !== 3);
    if (other) throw new Error(`MultiHeadAttention takes sequences [batch, steps, features], found shape ${JSON.stringify(other)}`);
    return [list[0], list[1] ?? list[0], list[2] ?? list[1] ?? list[0]];
  }
  build(inputShape: Shape | Shape[]): void {
    const [q, v, k] = this.shapes(inputShape).map((s) => s[s.length - 1]!);
    const { numHeads: h, keyDim: kd, valueDim: vd } = this;
    const glorot = (which: keyof MultiHeadAttention['kernelSeeds']) => tf.initializers.glorotUniform({ seed: this.kernelSeeds[which] });
    const add = (name: string, shape: number[], init: ReturnType<typeof tf.initializers.zeros>) => (this.w[name] = this.addWeight(name, shape, 'float32', init));
    add('query_kernel', [q, h, kd], glorot('query')); add('query_bias', [h, kd], tf.initializers.zeros());
    add('key_kernel', [k, h, kd], glorot('key')); add('key_bias', [h, kd], tf.initializers.zeros());
    add('value_kernel', [v, h, vd], glorot('value')); add('value_bias', [h, vd], tf.initializers.zeros());
    add('output_kernel', [h, vd, q], glorot('output')); add('output_bias', [q], tf.initializers.zeros());
    this.built = true;
  }
  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return this.shapes(inputShape)[0];
  }
  /** [b, t, d] x kernel [d, h, e] + bias [h, e] -> [b, h, t, e]. */
  private project(x: tf.Tensor, name: string, e: number): tf.Tensor {
    const [b, t, d] = x.shape;
    const y = tf.add(tf.matMul(tf.reshape(x, [b * t, d]), tf.reshape(this.w[`${name}_kernel`].read(), [d, this.numHeads * e])), tf.reshape(this.w[`${name}_bias`].read(), [this.numHeads * e]));
    return tf.transpose(tf.reshape(y, [b, t, this.numHeads, e]), [0, 2, 1, 3]);
  }
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const [query, value, key] = [list[0], list[1] ?? list[0], list[2] ?? list[1] ?? list[0]];
    return tf.tidy(() => {
      const [b, t, d] = query.shape;
      const q = tf.mul(this.project(query, 'query', this.keyDim), 1 / Math.sqrt(this.keyDim));
      const k = this.project(key, 'key', this.keyDim);
      const v = this.project(value, 'value', this.valueDim);
      let scores = tf.softmax(tf.matMul(q, k, false, true));
      if (kwargs?.training && this.dropout > 0) scores = tf.dropout(scores, this.dropout);
      const heads = tf.reshape(tf.transpose(tf.matMul(scores, v), [0, 2, 1, 3]), [b * t, this.numHeads * this.valueDim]);
      const out = tf.add(tf.matMul(heads, tf.reshape(this.w.output_kernel.read(), [this.numHeads * this.valueDim, d])), this.w.output_bias.read());
      return tf.reshape(out, [b, t, d]);
    });
  }
  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), numHeads: this.numHeads, keyDim: this.keyDim, valueDim: this.valueDim, dropout: this.dropout, kernelSeeds: this.kernelSeeds };
  }
}

/**
 * Keras' Subtract (tfjs 4.22 has none): `a - b` of exactly two tensors, broadcast as tfjs' own merges (Add) do: a
 * tensor of lower rank gets size-1 axes after the batch axis, then per axis equal sizes or one of them 1.
 */
export class Subtract extends tf.layers.Layer {
  static className = 'Subtract';
  private static pair(inputShape: Shape | Shape[]): [Shape, Shape] {
    if (!Array.isArray(inputShape[0]) || inputShape.length !== 2) {
      throw new Error(`A Subtract layer should be called on exactly 2 inputs, got ${Array.isArray(inputShape[0]) ? inputShape.length : 1}`);
    }
    return inputShape as [Shape, Shape];
  }
  build(inputShape: Shape | Shape[]): void {
    this.computeOutputShape(inputShape);
    this.built = true;
  }
  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [a, b] = Subtract.pair(inputShape);
    const batch = a[0] ?? b[0] ?? null;
    const [x, y] = [a.slice(1), b.slice(1)];
    const [long, short] = x.length >= y.length ? [x, y] : [y, x];
    const lead = long.length - short.length;
    const out: Shape = long.slice(0, lead);
    short.forEach((j, k) => {
      const i = long[lead + k];
      if (i === null || j === null) out.push(null);
      else if (i === j || j === 1) out.push(i);
      else if (i === 1) out.push(j);
      else throw new Error(`Subtract: inputs with shapes ${JSON.stringify(a)} and ${JSON.stringify(b)} cannot be broadcast`);
    });
    return [batch, ...out];
  }
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    if (!Array.isArray(inputs) || inputs.length !== 2) throw new Error('A Subtract layer should be called on exactly 2 inputs');
    return tf.tidy(() => {
      let [a, b] = inputs;
      while (a.rank < b.rank) a = tf.expandDims(a, 1);
      while (b.rank < a.rank) b = tf.expandDims(b, 1);
      return tf.sub(a, b);
    });
  }
}

for (const cls of [ZeroPadding1D, Cropping1D, UpSampling1D, AlphaELU, AxisSoftmax, LayerNorm, MultiHeadAttention, Subtract]) tf.serialization.registerClass(cls);

/** Factories in the style of tf.layers.*, as generated model.ts calls them: `layers.zeroPadding1d({ ... })`. */
export const zeroPadding1d = (args: ConstructorParameters<typeof ZeroPadding1D>[0]) => new ZeroPadding1D(args);
export const cropping1d = (args: ConstructorParameters<typeof Cropping1D>[0]) => new Cropping1D(args);
export const upSampling1d = (args: ConstructorParameters<typeof UpSampling1D>[0]) => new UpSampling1D(args);
export const alphaElu = (args: ConstructorParameters<typeof AlphaELU>[0]) => new AlphaELU(args);
export const layerNorm = (args: ConstructorParameters<typeof LayerNorm>[0]) => new LayerNorm(args);
export const multiHeadAttention = (args: ConstructorParameters<typeof MultiHeadAttention>[0]) => new MultiHeadAttention(args);
export const axisSoftmax = (args: ConstructorParameters<typeof AxisSoftmax>[0]) => new AxisSoftmax(args);
export const subtract = (args: ConstructorParameters<typeof Subtract>[0]) => new Subtract(args);
