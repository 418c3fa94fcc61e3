// What the native step supports, and the numeric plan (native/src/step.cc's makePlan) it runs. A model is
// supported when it is a chain of dense / conv2d / max_pool2d / flatten / reshape / dropout layers ending in a softmax dense
// layer, with no regularizers, constraints or frozen layers, trained with sparse or categorical crossentropy, the
// accuracy metric at most, and adam or plain sgd. Anything else is a reason, shown to the user.
import * as tf from '@tensorflow/tfjs';

export class NativeUnsupported extends Error {}

/** The training settings the plan depends on (from the spec). */
export interface NativeTraining { loss: string; classWeights?: boolean }

export interface ModelPlan {
  desc: Float64Array;
  optimizer: 'adam' | 'sgd';
  /** Names of the train function's outputs, in order ('loss', then metrics). */
  outputs: string[];
  /** One line: the layers it runs, e.g. `conv2d 3x3x32 relu, max_pool2d 2x2, ...`. */
  summary: string;
  dropoutLayers: number;
}

const KIND = { dense: 1, conv2d: 2, maxPool2d: 3, dropout: 4, flatten: 5 } as const;
const ACTIVATION: Record<string, number> = { linear: 0, relu: 1, sigmoid: 2, tanh: 3, softmax: 4 };
const LOSS: Record<string, number> = { sparse_categorical_crossentropy: 1, categorical_crossentropy: 2 };
const HEADER = 9;
const FIELDS = 16;

type Config = Record<string, unknown>;

function pair(v: unknown): [number, number] {
  return Array.isArray(v) ? [Number(v[0]), Number(v[1] ?? v[0])] : [Number(v), Number(v)];
}

function activationOf(layer: tf.layers.Layer, config: Config): number {
  const name = String(config.activation ?? 'linear');
  const code = ACTIVATION[name];
  if (code === undefined) throw new NativeUnsupported(`layer ${layer.name}: activation '${name}'`);
  return code;
}

function noExtras(layer: tf.layers.Layer, config: Config): void {
  for (const key of ['kernelRegularizer', 'biasRegularizer', 'activityRegularizer', 'kernelConstraint', 'biasConstraint']) {
    if (config[key] != null) throw new NativeUnsupported(`layer ${layer.name}: ${key}`);
  }
  if (!layer.trainable) throw new NativeUnsupported(`layer ${layer.name} is frozen`);
}

/** TensorFlow's 'same' padding: the extra row/column goes to the bottom/right. */
function padBefore(padding: string, size: number, out: number, stride: number, kernel: number): number {
  return padding === 'same' ? Math.floor(Math.max((out - 1) * stride + kernel - size, 0) / 2) : 0;
}

/** A layer's shape without the batch dimension. */
function sampleShape(shape: tf.Shape | tf.Shape[]): number[] {
  const s = (Array.isArray(shape[0]) ? shape[0] : shape) as (number | null)[];
  return s.slice(1).map((d) => Number(d));
}

/** The fields of one layer (see FIELDS), or a reason it cannot run natively. */
function layerFields(layer: tf.layers.Layer, inShape: number[], outShape: number[]): number[] {
  const config = layer.getConfig() as Config;
  const f = new Array<number>(FIELDS).fill(0);
  switch (layer.getClassName()) {
    case 'Dense':
      noExtras(layer, config);
      if (inShape.length !== 1) throw new NativeUnsupported(`layer ${layer.name}: dense on a rank-${inShape.length + 1} input`);
      f[0] = KIND.dense; f[1] = activationOf(layer, config); f[2] = config.useBias ? 1 : 0;
      f[5] = inShape[0]; f[8] = outShape[0];
      return f;
    case 'Conv2D': {
      noExtras(layer, config);
      if (config.dataFormat !== 'channelsLast') throw new NativeUnsupported(`layer ${layer.name}: dataFormat ${String(config.dataFormat)}`);
      const [dh, dw] = pair(config.dilationRate ?? 1);
      if (dh !== 1 || dw !== 1) throw new NativeUnsupported(`layer ${layer.name}: dilation ${dh}x${dw}`);
      const [kh, kw] = pair(config.kernelSize);
      const [sh, sw] = pair(config.strides ?? 1);
      const padding = String(config.padding);
      if (padding !== 'valid' && padding !== 'same') throw new NativeUnsupported(`layer ${layer.name}: padding ${padding}`);
      const [h, w, cin] = inShape;
      const [oh, ow, cout] = outShape;
      f.splice(0, 15, KIND.conv2d, activationOf(layer, config), config.useBias ? 1 : 0, h, w, cin, oh, ow, cout, kh, kw, sh, sw,
        padBefore(padding, h, oh, sh, kh), padBefore(padding, w, ow, sw, kw));
      return f;
    }
    case 'MaxPooling2D': {
      if (config.dataFormat != null && config.dataFormat !== 'channelsLast') throw new NativeUnsupported(`layer ${layer.name}: dataFormat ${String(config.dataFormat)}`);
      const [kh, kw] = pair(config.poolSize);
      const [sh, sw] = pair(config.strides ?? config.poolSize);
      const padding = String(config.padding);
      const [h, w, c] = inShape;
      const [oh, ow] = outShape;
      f.splice(0, 15, KIND.maxPool2d, 0, 0, h, w, c, oh, ow, c, kh, kw, sh, sw,
        padBefore(padding, h, oh, sh, kh), padBefore(padding, w, ow, sw, kw));
      return f;
    }
    case 'Flatten':
    case 'Reshape': // NHWC data in row-major order: both leave the values where they are
      f[0] = KIND.flatten;
      return f;
    case 'Dropout':
      if (config.noiseShape != null) throw new NativeUnsupported(`layer ${layer.name}: noiseShape`);
      f[0] = KIND.dropout; f[15] = Number(config.rate);
      return f;
    default:
      throw new NativeUnsupported(`layer ${layer.name} (${layer.getClassName()})`);
  }
}

function describeLayer(layer: tf.layers.Layer, f: number[]): string {
  const act = Object.keys(ACTIVATION).find((k) => ACTIVATION[k] === f[1]);
  switch (f[0]) {
    case KIND.dense: return `dense ${f[8]} ${act}`;
    case KIND.conv2d: return `conv2d ${f[9]}x${f[10]}x${f[8]} ${act}`;
    case KIND.maxPool2d: return `max_pool2d ${f[9]}x${f[10]}`;
    case KIND.dropout: return `dropout ${f[15]}`;
    default: return layer.getClassName().toLowerCase();
  }
}

/**
 * The native plan of a compiled model, or the reason it has none. `metricNames` are the compiled model's outputs
 * (LayersModel.metricsNames).
 */
export function describeModel(model: tf.LayersModel, training: NativeTraining, optimizer: tf.Optimizer,
  metricNames: string[]): ModelPlan | { reason: string } {
  try {
    if (model.inputs.length !== 1 || model.outputs.length !== 1) throw new NativeUnsupported('several inputs or outputs');
    const loss = LOSS[training.loss];
    if (loss === undefined) throw new NativeUnsupported(`loss ${training.loss}`);
    if (training.classWeights) throw new NativeUnsupported('class_weights');
    const outputs = metricNames.map((m) => {
      if (m === 'loss' || m === 'acc' || m === 'accuracy') return m;
      throw new NativeUnsupported(`metric ${m}`);
    });
    const className = optimizer.getClassName();
    const config = optimizer.getConfig() as Config;
    let opt: 'adam' | 'sgd';
    if (className === 'Adam') opt = 'adam';
    else if (className === 'SGD') opt = 'sgd';
    else throw new NativeUnsupported(`optimizer ${className}`);
    const layers = model.layers;
    const input = sampleShape(model.inputs[0].shape);
    const desc: number[] = [1, input.reduce((a, b) => a * b, 1), 0, loss, opt === 'adam' ? 2 : 1,
      Number(config.beta1 ?? 0.9), Number(config.beta2 ?? 0.999), Number(config.epsilon ?? 1e-7), layers.length];
    let inShape = input;
    const parts: string[] = [];
    let dropoutLayers = 0;
    for (const layer of layers) {
      if (layer.inboundNodes.length !== 1) throw new NativeUnsupported(`layer ${layer.name} is shared`);
      const outShape = sampleShape(layer.outputShape);
      const f = layerFields(layer, inShape, outShape);
      if (f[0] === KIND.dropout) dropoutLayers++;
      desc.push(...f);
      parts.push(describeLayer(layer, f));
      inShape = outShape;
    }
    const last = desc.slice(desc.length - FIELDS);
    if (last[0] !== KIND.dense || last[1] !== ACTIVATION.softmax) throw new NativeUnsupported('the last layer is not a softmax dense layer');
    desc[2] = last[8];
    if (model.trainableWeights.length !== model.weights.length) throw new NativeUnsupported('non-trainable weights');
    return { desc: Float64Array.from(desc), optimizer: opt, outputs, summary: parts.join(', '), dropoutLayers };
  } catch (e) {
    if (e instanceof NativeUnsupported) return { reason: `not supported: ${e.message}` };
    throw e;
  }
}
