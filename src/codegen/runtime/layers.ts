// Layers that tfjs 4.22 lacks, written as tfjs layers: registered for serialization, so that a saved model.json
// naming them loads again in a fresh process (model-io.ts imports this file before any load). Class names and
// config keys are Keras', so a model reads the same in both.
import * as tf from '@tensorflow/tfjs';

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

for (const cls of [ZeroPadding1D, Cropping1D, UpSampling1D, AlphaELU, AxisSoftmax, LayerNorm]) tf.serialization.registerClass(cls);

/** Factories in the style of tf.layers.*, as generated model.ts calls them: `layers.zeroPadding1d({ ... })`. */
export const zeroPadding1d = (args: ConstructorParameters<typeof ZeroPadding1D>[0]) => new ZeroPadding1D(args);
export const cropping1d = (args: ConstructorParameters<typeof Cropping1D>[0]) => new Cropping1D(args);
export const upSampling1d = (args: ConstructorParameters<typeof UpSampling1D>[0]) => new UpSampling1D(args);
export const alphaElu = (args: ConstructorParameters<typeof AlphaELU>[0]) => new AlphaELU(args);
export const layerNorm = (args: ConstructorParameters<typeof LayerNorm>[0]) => new LayerNorm(args);
export const axisSoftmax = (args: ConstructorParameters<typeof AxisSoftmax>[0]) => new AxisSoftmax(args);
