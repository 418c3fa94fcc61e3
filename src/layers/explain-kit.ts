// Pieces of the hover arithmetic (LayerModule.explain) that several layer modules share: the sliding-window
// formula per axis, the parameter sum, and a wrapped layer's own lines.
import { layerModule } from './registry.js';
import type { AnyLayer, ShapeFacts } from './module.js';

/** 1234567 -> "1,234,567". */
export const thousands = (n: number): string => Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');

const at = (v: number | readonly number[] | undefined, axis: number, fallback: number): number =>
  v === undefined ? fallback : typeof v === 'number' ? v : v[axis];

/** One line per axis of a sliding window (conv or pool), as tfjs' convOutputLength computes it. */
export function windowLines(
  axes: string[], facts: ShapeFacts, size: number | readonly number[], strides: number | readonly number[] | undefined,
  dilation: number | readonly number[] | undefined, padding: 'valid' | 'same',
): string[] {
  return axes.map((axis, a) => {
    const n = facts.input[a];
    const s = at(strides, a, 1);
    if (padding === 'same') return `${axis}: ceil(${n} / ${s}) = ${facts.out[a]}`;
    const k = at(size, a, 1);
    const d = at(dilation, a, 1);
    const effective = d > 1 ? `((${k} - 1) * ${d} + 1)` : String(k);
    return `${axis}: floor((${n} - ${effective}) / ${s}) + 1 = ${facts.out[a]}`;
  });
}

/** `params: 3 * 3 * 1 * 32 + 32 = 320`: the weight products, then the bias (0: none). */
export function paramsLine(facts: ShapeFacts, products: (number | string)[][], bias: number): string {
  const terms = products.map((p) => p.join(' * '));
  if (bias > 0) terms.push(String(bias));
  return `params: ${terms.join(' + ')} = ${thousands(facts.params)}`;
}

/** Per axis `name: a <op> b <op> ... = out`, for layers that add to or remove from each end of an axis. */
export function sidesLines(axes: string[], facts: ShapeFacts, op: '+' | '-', ends: [number, number][]): string[] {
  return axes.map((axis, a) => `${axis}: ${facts.input[a]} ${op} ${ends[a][0]} ${op} ${ends[a][1]} = ${facts.out[a]}`);
}

/** The lines of a wrapped layer (`bidirectional(lstm(8))`), each prefixed with its type. */
export function innerLines(inner: AnyLayer, facts: ShapeFacts): string[] {
  const explain = layerModule(inner.type)?.explain;
  return explain ? explain(inner as never, facts).map((line) => `${inner.type} ${line}`) : [];
}

/** `[2, 3]` */
export const showDims = (dims: readonly number[]): string => `[${dims.join(', ')}]`;
