// Parts of shape rules that several layer modules share: rank checks with help that points at the fix, sliding
// windows computed as tfjs 4.22's conv_utils.convOutputLength, and the softmax-on-one-unit warning.
import { diag, q } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { pointer } from '../spec/spans.js';
import type { AnyLayer, LayerContext, LayerOutcome } from './module.js';

/** Thrown by a rule when the layer cannot take its input; inference stops at that layer. */
export class ShapeFailure extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics[0]?.message ?? 'shape error');
  }
}

export const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);
export const showShape = (dims: readonly (number | null)[]): string => q(`[${dims.map((d) => (d === null ? 'None' : d)).join(', ')}]`);

export const AXES_2D = ['height', 'width'];

export function layerSpan(ctx: LayerContext, arg?: string) {
  const parts: (string | number)[] = ['models', ctx.modelIndex, 'layers', ctx.layerIndex, ...(ctx.path ?? [])];
  if (arg) parts.push(arg);
  return ctx.spans.valueAt(pointer(...parts));
}

export function rankError(layer: AnyLayer, ctx: LayerContext, expected: number, help?: string): ShapeFailure {
  return new ShapeFailure([diag('NN3001', layerSpan(ctx), { expected, layer: q(layer.name), found: showShape(ctx.inShape) }, help ? { help } : {})]);
}

export function minRank(layer: AnyLayer, ctx: LayerContext, expected: number, help?: string): void {
  if (ctx.inShape.length < expected) {
    throw new ShapeFailure([diag('NN3010', layerSpan(ctx), { expected, layer: q(layer.name), found: showShape(ctx.inShape) }, help ? { help } : {})]);
  }
}

/** Help for a spatial layer that received the wrong rank: point at the input line or suggest a reshape. */
export function spatialRankHelp(ctx: LayerContext, wanted: number, kind: string): string {
  const untouched = ctx.previous.every((p) => p.layer.type === 'dropout' || p.layer.type === 'activation');
  if (ctx.inShape.length === wanted - 1 && untouched) {
    return `add a channel axis to the input, e.g. \`input ${ctx.inputName}: [${[...ctx.inputShape, 1].join(', ')}]\``;
  }
  if (ctx.inShape.length > wanted) return `${kind} reads ${wanted === 2 ? '[steps, channels]' : '[height, width, channels]'}; use the ${wanted === 2 ? '2d' : '1d'} layer or a \`reshape\``;
  return `insert a \`reshape\` to ${wanted === 2 ? '[steps, channels]' : '[height, width, channels]'} before this layer`;
}

/** Throws NN3001 unless the input has exactly `rank` axes (no batch axis). */
export function spatialRank(layer: AnyLayer, ctx: LayerContext, rank: number): void {
  if (ctx.inShape.length !== rank) throw rankError(layer, ctx, rank, spatialRankHelp(ctx, rank, layer.type));
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
export function windowLength(
  layer: AnyLayer, ctx: LayerContext, what: 'kernel' | 'pool', axis: number, axisName: string,
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
  const common = { layer: q(layer.name), axis: axisName, needed: effective, length };
  const span = layerSpan(ctx, what);
  throw new ShapeFailure([what === 'kernel'
    ? diag('NN3002', span, { kernel: q(written), ...common }, { notes })
    : diag('NN3003', span, { pool: q(written), ...common }, { notes })]);
}

export function checkStridesWithDilation(layer: AnyLayer, ctx: LayerContext, strides: number[], dilation: number[]): void {
  if (strides.every((s) => s === 1) || dilation.every((d) => d === 1)) return;
  const show = (v: number[]) => q(v.length === 1 ? String(v[0]) : `[${v.join(', ')}]`);
  throw new ShapeFailure([diag('NN3012', layerSpan(ctx, 'strides'), { dilation: show(dilation), layer: q(layer.name), strides: show(strides) })]);
}

export function softmaxWarning(layer: AnyLayer, ctx: LayerContext, out: number[], activation: string): Diagnostic[] {
  const units = out[out.length - 1];
  if (activation !== 'softmax' || units !== 1) return [];
  return [diag('NN3008', layerSpan(ctx, 'activation'), { units, layer: q(layer.name) })];
}

export function outcome(out: number[], trainable: number, flops: number, warnings: Diagnostic[] = [], nonTrainable = 0): LayerOutcome {
  return { out, dtype: 'float32', trainable, nonTrainable, flops, warnings };
}

/**
 * tfjs 4.22's batch normalization takes tensors of rank 4 at most, the batch axis included: found by the
 * differential test, which saw "batchNormalization is not implemented for array of rank 5 yet".
 */
export function normRank(layer: AnyLayer, ctx: LayerContext): void {
  if (ctx.inShape.length > 3) {
    throw new ShapeFailure([diag('NN3049', layerSpan(ctx), { layer: q(layer.name), found: showShape(ctx.inShape) })]);
  }
}

/** Output height and width of a 2-D kernel window (conv2d and its depthwise/separable kin), after the rank and
 *  strides-with-dilation checks they share. */
export function kernelWindow2d(
  layer: AnyLayer & { kernel: number[]; strides: number[]; dilation: number[]; padding: 'valid' | 'same' }, ctx: LayerContext,
): [number, number] {
  spatialRank(layer, ctx, 3);
  checkStridesWithDilation(layer, ctx, layer.strides, layer.dilation);
  const written = `[${layer.kernel.join(', ')}]`;
  const [h, w] = [0, 1].map((a) =>
    windowLength(layer, ctx, 'kernel', a, AXES_2D[a], layer.kernel[a], layer.strides[a], layer.dilation[a], layer.padding, written));
  return [h, w];
}
