// Per-layer shape rules: output shape, parameter counts and forward FLOPs of one layer, computed exactly as
// tfjs 4.22 does (conv_utils.convOutputLength, the layers' addWeight calls). Shapes here have no batch axis.
import type { Diagnostic } from '../diagnostics/types.js';
import { diag, q } from '../diagnostics/catalog.js';
import type { Layer, RecurrentLayer } from '../spec/types.js';
import type { SpanIndex } from '../spec/spans.js';
import { pointer } from '../spec/spans.js';

export interface LayerOutcome {
  out: number[];
  dtype: 'float32' | 'int32';
  trainable: number;
  nonTrainable: number;
  /** Forward FLOPs per sample: a multiply-add counts 2, a bias add, comparison or elementwise step 1. */
  flops: number;
  warnings: Diagnostic[];
}

/** Thrown by a rule when the layer cannot take its input; inference stops at that layer. */
export class ShapeFailure extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics[0]?.message ?? 'shape error');
  }
}

/** What a rule may look at besides its own layer. */
export interface LayerContext {
  modelIndex: number;
  layerIndex: number;
  spans: SpanIndex;
  inShape: number[];
  dtype: 'float32' | 'int32';
  /** Input name and shape as declared, for help lines. */
  inputName: string;
  inputShape: number[];
  /** The layers before this one, with their output shapes. */
  previous: { layer: Layer; out: number[] }[];
}

export const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);
export const showShape = (dims: readonly (number | null)[]): string => q(`[${dims.map((d) => (d === null ? 'None' : d)).join(', ')}]`);

const GATES: Record<RecurrentLayer['type'], number> = { lstm: 4, gru: 3, simple_rnn: 1 };
const AXES_2D = ['height', 'width'];

function layerSpan(ctx: LayerContext, arg?: string) {
  const parts: (string | number)[] = ['models', ctx.modelIndex, 'layers', ctx.layerIndex];
  if (arg) parts.push(arg);
  return ctx.spans.valueAt(pointer(...parts));
}

function rankError(layer: Layer, ctx: LayerContext, expected: number, help?: string): ShapeFailure {
  return new ShapeFailure([diag('NN3001', layerSpan(ctx), { expected, layer: q(layer.name), found: showShape(ctx.inShape) }, help ? { help } : {})]);
}

function minRank(layer: Layer, ctx: LayerContext, expected: number, help?: string): void {
  if (ctx.inShape.length < expected) {
    throw new ShapeFailure([diag('NN3010', layerSpan(ctx), { expected, layer: q(layer.name), found: showShape(ctx.inShape) }, help ? { help } : {})]);
  }
}

/** Help for a spatial layer that received the wrong rank: point at the input line or suggest a reshape. */
function spatialRankHelp(ctx: LayerContext, wanted: number, kind: string): string {
  const untouched = ctx.previous.every((p) => p.layer.type === 'dropout' || p.layer.type === 'activation');
  if (ctx.inShape.length === wanted - 1 && untouched) {
    return `add a channel axis to the input, e.g. \`input ${ctx.inputName}: [${[...ctx.inputShape, 1].join(', ')}]\``;
  }
  if (ctx.inShape.length > wanted) return `${kind} reads ${wanted === 2 ? '[steps, channels]' : '[height, width, channels]'}; use the ${wanted === 2 ? '2d' : '1d'} layer or a \`reshape\``;
  return `insert a \`reshape\` to ${wanted === 2 ? '[steps, channels]' : '[height, width, channels]'} before this layer`;
}

/** How one axis changed through the earlier layers of the same rank, e.g. `height: 28 -> 14 (max_pool2d_1)`. */
function axisTrace(ctx: LayerContext, axis: number, axisName: string): string | null {
  let text = `${axisName}: ${ctx.inputShape.length === ctx.inShape.length ? ctx.inputShape[axis] : '?'}`;
  let last = ctx.inputShape.length === ctx.inShape.length ? ctx.inputShape[axis] : -1;
  let steps = 0;
  for (const p of ctx.previous) {
    if (p.out.length !== ctx.inShape.length) return null;
    if (p.out[axis] !== last) {
      text += ` -> ${p.out[axis]} (${p.layer.name})`;
      last = p.out[axis];
      steps++;
    }
  }
  return steps > 0 ? text : null;
}

/** Output length of a sliding window (conv or pool) along one axis, or a ShapeFailure when it does not fit. */
function windowLength(
  layer: Layer, ctx: LayerContext, what: 'kernel' | 'pool', axis: number, axisName: string,
  size: number, stride: number, dilation: number, padding: 'valid' | 'same', written: string,
): number {
  const length = ctx.inShape[axis];
  if (padding === 'same') return Math.ceil(length / stride);
  const effective = (size - 1) * dilation + 1;
  const out = Math.floor((length - effective) / stride) + 1;
  if (out >= 1) return out;
  const notes: string[] = [];
  if (dilation > 1) notes.push(`dilated ${what}: (${size} - 1) * ${dilation} + 1 = ${effective}`);
  notes.push(`${axisName}: floor((${length} - ${effective}) / ${stride}) + 1 = ${out}`);
  const trace = axisTrace(ctx, axis, axisName);
  if (trace) notes.push(trace);
  const code = what === 'kernel' ? 'NN3002' : 'NN3003';
  const args = { [what]: q(written), layer: q(layer.name), axis: axisName, needed: effective, length };
  throw new ShapeFailure([diag(code, layerSpan(ctx, what), args, { notes })]);
}

function checkStridesWithDilation(layer: Layer, ctx: LayerContext, strides: number[], dilation: number[]): void {
  if (strides.every((s) => s === 1) || dilation.every((d) => d === 1)) return;
  const show = (v: number[]) => q(v.length === 1 ? String(v[0]) : `[${v.join(', ')}]`);
  throw new ShapeFailure([diag('NN3012', layerSpan(ctx, 'strides'), { dilation: show(dilation), layer: q(layer.name), strides: show(strides) })]);
}

function softmaxWarning(layer: Layer, ctx: LayerContext, out: number[], activation: string): Diagnostic[] {
  const units = out[out.length - 1];
  if (activation !== 'softmax' || units !== 1) return [];
  return [diag('NN3008', layerSpan(ctx, 'activation'), { units, layer: q(layer.name) })];
}

function outcome(out: number[], trainable: number, flops: number, warnings: Diagnostic[] = [], nonTrainable = 0): LayerOutcome {
  return { out, dtype: 'float32', trainable, nonTrainable, flops, warnings };
}

function recurrentHelp(layer: Layer, ctx: LayerContext): string {
  const prev = ctx.previous[ctx.previous.length - 1]?.layer;
  if (prev && (prev.type === 'lstm' || prev.type === 'gru' || prev.type === 'simple_rnn') && !prev.return_sequences) {
    return `set \`return_sequences: true\` on ${q(prev.name)} so it passes on every step`;
  }
  if (ctx.previous.some((p) => p.layer.type === 'flatten')) return `remove the \`flatten\` before ${q(layer.name)}: recurrent layers read [steps, features]`;
  if (ctx.inShape.length === 1) return `add a feature axis, e.g. \`input ${ctx.inputName}: [${ctx.inShape[0]}, 1]\`, or use an embedding`;
  return 'insert a `reshape` to [steps, features] before this layer';
}

/** Applies one layer to an input shape. Throws ShapeFailure when the layer cannot take that input. */
export function applyLayer(layer: Layer, ctx: LayerContext): LayerOutcome {
  const inShape = ctx.inShape;
  const last = inShape[inShape.length - 1];
  switch (layer.type) {
    case 'dense': {
      minRank(layer, ctx, 1);
      const out = [...inShape.slice(0, -1), layer.units];
      const positions = product(inShape.slice(0, -1));
      const bias = layer.use_bias ? layer.units : 0;
      return outcome(out, last * layer.units + bias, positions * (2 * last * layer.units + bias), softmaxWarning(layer, ctx, out, layer.activation));
    }
    case 'flatten':
      // tfjs Flatten requires input rank >= 3 including the batch axis
      minRank(layer, ctx, 2, 'remove this `flatten`: its input is already flat');
      return outcome([product(inShape)], 0, 0);
    case 'reshape':
      return outcome(reshapeTarget(layer, ctx), 0, 0);
    case 'dropout':
      return outcome(inShape, 0, 0);
    case 'activation':
      return outcome(inShape, 0, 0, softmaxWarning(layer, ctx, inShape, layer.activation));
    case 'conv1d': {
      if (inShape.length !== 2) throw rankError(layer, ctx, 2, spatialRankHelp(ctx, 2, 'conv1d'));
      checkStridesWithDilation(layer, ctx, [layer.strides], [layer.dilation]);
      const steps = windowLength(layer, ctx, 'kernel', 0, 'steps', layer.kernel, layer.strides, layer.dilation, layer.padding, String(layer.kernel));
      const out = [steps, layer.filters];
      const bias = layer.use_bias ? layer.filters : 0;
      const macs = layer.kernel * last * layer.filters;
      return outcome(out, macs + bias, steps * (2 * macs + bias), softmaxWarning(layer, ctx, out, layer.activation));
    }
    case 'conv2d': {
      if (inShape.length !== 3) throw rankError(layer, ctx, 3, spatialRankHelp(ctx, 3, 'conv2d'));
      checkStridesWithDilation(layer, ctx, layer.strides, layer.dilation);
      const written = `[${layer.kernel.join(', ')}]`;
      const [h, w] = [0, 1].map((a) =>
        windowLength(layer, ctx, 'kernel', a, AXES_2D[a], layer.kernel[a], layer.strides[a], layer.dilation[a], layer.padding, written));
      const out = [h, w, layer.filters];
      const bias = layer.use_bias ? layer.filters : 0;
      const macs = layer.kernel[0] * layer.kernel[1] * last * layer.filters;
      return outcome(out, macs + bias, h * w * (2 * macs + bias), softmaxWarning(layer, ctx, out, layer.activation));
    }
    case 'max_pool1d':
    case 'avg_pool1d': {
      if (inShape.length !== 2) throw rankError(layer, ctx, 2, spatialRankHelp(ctx, 2, layer.type));
      const steps = windowLength(layer, ctx, 'pool', 0, 'steps', layer.pool, layer.strides, 1, layer.padding, String(layer.pool));
      return outcome([steps, last], 0, steps * last * layer.pool);
    }
    case 'max_pool2d':
    case 'avg_pool2d': {
      if (inShape.length !== 3) throw rankError(layer, ctx, 3, spatialRankHelp(ctx, 3, layer.type));
      const written = `[${layer.pool.join(', ')}]`;
      const [h, w] = [0, 1].map((a) => windowLength(layer, ctx, 'pool', a, AXES_2D[a], layer.pool[a], layer.strides[a], 1, layer.padding, written));
      return outcome([h, w, last], 0, h * w * last * layer.pool[0] * layer.pool[1]);
    }
    case 'global_max_pool1d':
    case 'global_avg_pool1d':
    case 'global_max_pool2d':
    case 'global_avg_pool2d': {
      const rank = layer.type.endsWith('1d') ? 2 : 3;
      if (inShape.length !== rank) throw rankError(layer, ctx, rank, spatialRankHelp(ctx, rank, layer.type));
      return outcome([last], 0, product(inShape));
    }
    case 'batch_norm': {
      minRank(layer, ctx, 1);
      const perChannel = (layer.center ? 1 : 0) + (layer.scale ? 1 : 0);
      // inference folds to one multiply and one add per element
      return outcome(inShape, perChannel * last, 2 * product(inShape), [], 2 * last);
    }
    case 'layer_norm': {
      minRank(layer, ctx, 1);
      const perFeature = (layer.center ? 1 : 0) + (layer.scale ? 1 : 0);
      // mean, subtract, square, variance, divide, scale, shift: about 7 steps per element
      return outcome(inShape, perFeature * last, 7 * product(inShape));
    }
    case 'embedding': {
      if (ctx.dtype !== 'int32') {
        throw new ShapeFailure([diag('NN3007', layerSpan(ctx), { layer: q(layer.name), dtype: ctx.dtype })]);
      }
      return outcome([...inShape, layer.output_dim], layer.input_dim * layer.output_dim, 0);
    }
    case 'lstm':
    case 'gru':
    case 'simple_rnn': {
      if (inShape.length !== 2) {
        throw new ShapeFailure([diag('NN3009', layerSpan(ctx), { layer: q(layer.name), found: showShape(inShape) }, { help: recurrentHelp(layer, ctx) })]);
      }
      const [steps, features] = inShape;
      const gates = GATES[layer.type];
      const bias = layer.use_bias ? gates * layer.units : 0;
      const macs = gates * layer.units * (features + layer.units);
      const out = layer.return_sequences ? [steps, layer.units] : [layer.units];
      return outcome(out, macs + bias, steps * (2 * macs + bias), softmaxWarning(layer, ctx, out, layer.activation));
    }
  }
}

function reshapeTarget(layer: Extract<Layer, { type: 'reshape' }>, ctx: LayerContext): number[] {
  const span = layerSpan(ctx, 'shape');
  const count = product(ctx.inShape);
  const target = `[${layer.shape.join(', ')}]`;
  const unknowns = layer.shape.filter((d) => d === -1).length;
  if (unknowns > 1) throw new ShapeFailure([diag('NN3005', span, { layer: q(layer.name), count: unknowns })]);
  if (layer.shape.some((d) => d !== -1 && d <= 0)) throw new ShapeFailure([diag('NN3011', span, { layer: q(layer.name), target: q(target) })]);
  const known = product(layer.shape.filter((d) => d !== -1));
  const found = showShape(ctx.inShape);
  const countNote = `${ctx.inShape.join(' * ') || '1'} = ${count}`;
  if (unknowns === 1) {
    if (count % known !== 0) {
      throw new ShapeFailure([diag('NN3006', span, { found, count, target: q(target), known }, {
        notes: [countNote, `${count} / ${known} = ${count / known}`],
      })]);
    }
    return layer.shape.map((d) => (d === -1 ? count / known : d));
  }
  if (known !== count) {
    const rest = product(layer.shape.slice(1));
    const help = layer.shape.length > 1 && count % rest === 0
      ? `use -1 for the size to compute, e.g. \`shape: [${[-1, ...layer.shape.slice(1)].join(', ')}]\``
      : undefined;
    throw new ShapeFailure([diag('NN3004', span, { found, count, target: q(target), targetCount: known }, {
      notes: [countNote, `${layer.shape.join(' * ')} = ${known}`],
      ...(help ? { help } : {}),
    })]);
  }
  return [...layer.shape];
}
