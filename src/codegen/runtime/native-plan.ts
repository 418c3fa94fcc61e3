// What the native step supports, and the numeric plan (native/src/step.cc's makePlan) it runs. A model is
// supported when it is a graph (a chain is one) with one input and one output of dense / conv2d / max_pool2d /
// global_avg_pool2d / flatten / reshape / dropout / batch_norm / activation / add layers whose output is a softmax
// dense layer, with no regularizers, constraints or frozen layers, trained with sparse or categorical crossentropy,
// the accuracy metric at most, and adam or plain sgd. Anything else is a reason, shown to the user.
import * as tf from '@tensorflow/tfjs';

export class NativeUnsupported extends Error {}

/** The training settings the plan depends on (from the spec). */
/** `lossWeight`: the one output's loss weight; the native step takes none but 1. */
export interface NativeTraining { loss: string; classWeights?: boolean; lossWeight?: number }

export interface ModelPlan {
  desc: Float64Array;
  optimizer: 'adam' | 'sgd';
  /** Names of the train function's outputs, in order ('loss', then metrics). */
  outputs: string[];
  /** One line: the layers it runs, e.g. `conv2d 3x3x32 relu, max_pool2d 2x2, ...`. */
  summary: string;
  dropoutLayers: number;
  /** The model's trainable weights in the plan's parameter order (= model.trainableWeights). */
  params: tf.LayerVariable[];
  /** batch_norm's moving mean and variance, in the plan's state order: the native step updates them in place. */
  states: tf.LayerVariable[];
}

const KIND = { dense: 1, conv2d: 2, maxPool2d: 3, dropout: 4, flatten: 5, add: 6, batchNorm: 7, globalAvgPool2d: 8, activation: 9 } as const;
const ACTIVATION: Record<string, number> = { linear: 0, relu: 1, sigmoid: 2, tanh: 3, softmax: 4 };
const LOSS: Record<string, number> = { sparse_categorical_crossentropy: 1, categorical_crossentropy: 2 };
const HEADER = 10;
const FIELDS = 18; // then the node's inputs (indices of earlier nodes, -1 for the model's input)

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
  for (const key of ['kernelRegularizer', 'biasRegularizer', 'activityRegularizer', 'kernelConstraint', 'biasConstraint',
    'betaRegularizer', 'gammaRegularizer', 'betaConstraint', 'gammaConstraint']) {
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
    case 'Add':
      f[0] = KIND.add;
      return f;
    case 'Activation':
      f[0] = KIND.activation; f[1] = activationOf(layer, config);
      if (f[1] === ACTIVATION.softmax) throw new NativeUnsupported(`layer ${layer.name}: a softmax activation layer`);
      return f;
    case 'BatchNormalization': {
      noExtras(layer, config);
      const axis = Number(config.axis ?? -1);
      if (axis !== -1 && axis !== inShape.length) throw new NativeUnsupported(`layer ${layer.name}: axis ${axis} (only the last)`);
      if (config.center === false || config.scale === false) throw new NativeUnsupported(`layer ${layer.name}: center or scale off`);
      f[0] = KIND.batchNorm; f[5] = inShape[inShape.length - 1];
      f[15] = Number(config.momentum ?? 0.99); f[16] = Number(config.epsilon ?? 1e-3);
      return f;
    }
    case 'GlobalAveragePooling2D': {
      if (config.dataFormat != null && config.dataFormat !== 'channelsLast') throw new NativeUnsupported(`layer ${layer.name}: dataFormat ${String(config.dataFormat)}`);
      const [h, w, c] = inShape;
      f[0] = KIND.globalAvgPool2d; f[3] = h; f[4] = w; f[5] = c; f[8] = c;
      return f;
    }
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
    case KIND.add: return 'add';
    case KIND.batchNorm: return 'batch_norm';
    case KIND.globalAvgPool2d: return 'global_avg_pool2d';
    case KIND.activation: return act ?? 'activation';
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
    if (training.lossWeight !== undefined && training.lossWeight !== 1) throw new NativeUnsupported('loss_weights');
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
    const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
    const input = sampleShape(model.inputs[0].shape);
    const inputLayer = model.inputLayers[0];
    const index = new Map<tf.layers.Layer, number>(layers.map((l, i) => [l, i]));
    const outputLayer = model.outputLayers[0];
    const desc: number[] = [2, input.reduce((a, b) => a * b, 1), 0, loss, opt === 'adam' ? 2 : 1,
      Number(config.beta1 ?? 0.9), Number(config.beta2 ?? 0.999), Number(config.epsilon ?? 1e-7), layers.length,
      index.get(outputLayer) ?? -1];
    const parts: string[] = [];
    const states: tf.LayerVariable[] = [];
    let dropoutLayers = 0;
    let output: number[] = [];
    layers.forEach((layer, i) => {
      if (layer.inboundNodes.length !== 1) throw new NativeUnsupported(`layer ${layer.name} is shared`);
      const node = layer.inboundNodes[0];
      // model.layers is in topological order: every input is the model's input or an earlier node.
      const inputs = node.inboundLayers.map((from, j) => {
        if (from === inputLayer) return -1;
        const at = index.get(from);
        if (at === undefined || at >= i || node.tensorIndices[j] !== 0) throw new NativeUnsupported(`layer ${layer.name}: input from ${from.name}`);
        return at;
      });
      const inShapes = node.inputTensors.map((t) => sampleShape(t.shape));
      if (inShapes.some((s) => s.join() !== inShapes[0].join())) throw new NativeUnsupported(`layer ${layer.name}: inputs of different shapes`);
      const outShape = sampleShape(layer.outputShape);
      const f = layerFields(layer, inShapes[0], outShape);
      if (inputs.length !== 1 && f[0] !== KIND.add) throw new NativeUnsupported(`layer ${layer.name}: several inputs`);
      if (f[0] === KIND.dropout) dropoutLayers++;
      if (f[0] === KIND.batchNorm) states.push(...(layer.nonTrainableWeights as tf.LayerVariable[]));
      f[17] = inputs.length;
      desc.push(...f, ...inputs);
      parts.push(describeLayer(layer, f) + (inputs.length > 1 || (inputs[0] !== i - 1 && i > 0) ? `(${node.inboundLayers.map((l) => l.name).join(', ')})` : ''));
      if (layer === outputLayer) output = f;
    });
    if (output[0] !== KIND.dense || output[1] !== ACTIVATION.softmax) throw new NativeUnsupported('the output layer is not a softmax dense layer');
    desc[2] = output[8];
    const params = layers.flatMap((l) => l.trainableWeights);
    const trainable = model.trainableWeights;
    if (params.length !== trainable.length || params.some((p, i) => p !== trainable[i])) throw new NativeUnsupported('the trainable weights are not in layer order');
    if (model.weights.length !== trainable.length + states.length) throw new NativeUnsupported('non-trainable weights');
    return { desc: Float64Array.from(desc), optimizer: opt, outputs, summary: parts.join(', '), dropoutLayers, params, states };
  } catch (e) {
    if (e instanceof NativeUnsupported) return { reason: `not supported: ${e.message}` };
    throw e;
  }
}
