// Merge layers: `add(x, y)`, `subtract(a, b)`, `multiply`, `average`, `maximum`, `minimum` (elementwise, with tfjs' broadcasting of
// size-1 axes) and `concatenate(a, b, axis: -1)`. Their positional arguments are the tensors they merge.
import { diag, q } from '../../diagnostics/catalog.js';
import { arg } from '../args.js';
import { defineLayer, type AnyLayer, type LayerContext } from '../module.js';
import { layerSpan, outcome, product, ShapeFailure, showShape } from '../shape-kit.js';
import { showDims } from '../explain-kit.js';

const from = (i: LayerContext['inputs'][number]) => (i.line === null ? q(i.name) : `${q(i.name)} (line ${i.line})`);

function mismatch(layer: AnyLayer, ctx: LayerContext, a: number, b: number, op: string, notes: string[], help: string): ShapeFailure {
  const [x, y] = [ctx.inputs[a], ctx.inputs[b]];
  return new ShapeFailure([diag('NN3016', layerSpan(ctx), {
    layer: q(layer.name), op, first: showShape(x.shape), firstFrom: from(x), second: showShape(y.shape), secondFrom: from(y),
  }, { notes, help })]);
}

/**
 * tfjs' Merge.computeElementwiseOpOutputShape: shapes lined up from their last axes (a tensor of lower rank gets
 * size-1 axes after the batch axis, as Merge.call expands it), per axis equal sizes or one of them 1.
 */
function broadcast(layer: AnyLayer, ctx: LayerContext, op: string): number[] {
  let out = ctx.inputs[0].shape;
  for (let k = 1; k < ctx.inputs.length; k++) {
    const s = ctx.inputs[k].shape;
    const [long, short] = out.length >= s.length ? [out, s] : [s, out];
    const lead = long.length - short.length;
    const next: number[] = long.slice(0, lead);
    for (let i = 0; i < short.length; i++) {
      const [a, b] = [long[lead + i], short[i]];
      if (a === b || b === 1) next.push(a);
      else if (a === 1) next.push(b);
      else {
        const notes = [`axis ${lead + i + 1}: ${a} and ${b} are neither equal nor 1`];
        if (lead) notes.push(`ranks differ (${out.length} and ${s.length}): tfjs lines the shapes up from their last axes`);
        throw mismatch(layer, ctx, 0, k, op, notes,
          'make the branches agree, e.g. a 1x1 `conv2d` or `dense` to the same size, or the same strides on both');
      }
    }
    out = next;
  }
  return out;
}

/**
 * `own`: the layer is nnc's runtime layer `layers.<factory>` (tfjs 4.22 has no such merge), taking exactly `own.inputs`
 * tensors.
 */
export function elementwise<const T extends string>(type: T, factory: string, op: string, flopsPerInput: (n: number) => number, own?: { inputs: number }) {
  return defineLayer({
    type,
    args: {},
    positional: [],
    arity: own ? { min: own.inputs, max: own.inputs } : { min: 2 },
    merge: true,
    shape(layer, ctx) {
      const out = broadcast(layer, ctx, op);
      return outcome(out, 0, flopsPerInput(ctx.inputs.length) * product(out));
    },
    explain: (_layer, f) => [
      `${op}: ${f.inputs.map(showDims).join(', ')} -> ${showDims(f.out)}`,
      ...f.out.flatMap((d, i) => (f.inputs.some((s) => s[i] !== d) ? [`axis ${i + 1}: size 1 broadcast to ${d}`] : [])),
    ],
    config: () => (own ? { factory, custom: true, args: {} } : { factory, args: {} }),
  });
}

export const concatenate = defineLayer({
  type: 'concatenate',
  args: { axis: arg.schema<number>({ type: 'integer', not: { const: 0 }, default: -1 }) },
  positional: [],
  arity: { min: 2 },
  merge: true,
  shape(layer, ctx) {
    const rank = ctx.inputs[0].shape.length;
    // `axis` counts the batch axis as tfjs does: 1 is the first sample axis, -1 the last.
    const axis = layer.axis < 0 ? rank + layer.axis : layer.axis - 1;
    if (axis < 0 || axis >= rank) {
      throw new ShapeFailure([diag('NN3017', layerSpan(ctx, 'axis'), { layer: q(layer.name), axis: layer.axis, rank: rank + 1 })]);
    }
    const out = [...ctx.inputs[0].shape];
    for (let k = 1; k < ctx.inputs.length; k++) {
      const s = ctx.inputs[k].shape;
      const bad = s.length !== rank ? -1 : s.findIndex((d, i) => i !== axis && d !== out[i]);
      if (s.length !== rank || bad >= 0) {
        const note = s.length !== rank ? `ranks differ: ${rank} and ${s.length}` : `axis ${bad + 1}: ${out[bad]} and ${s[bad]} differ, and only axis ${axis + 1} may`;
        throw mismatch(layer, ctx, 0, k, 'concatenate', [note], 'concatenate joins tensors whose sizes agree on every axis but the one it joins along');
      }
      out[axis] += s[axis];
    }
    return outcome(out, 0, 0);
  },
  explain: (layer, f) => {
    const axis = layer.axis < 0 ? f.out.length + layer.axis : layer.axis - 1;
    return [`axis ${axis + 1}: ${f.inputs.map((s) => s[axis]).join(' + ')} = ${f.out[axis]}`, `other axes kept: ${showDims(f.out)}`];
  },
  config: (layer) => ({ factory: 'concatenate', args: { axis: layer.axis } }),
});
