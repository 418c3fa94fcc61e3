// Zero padding and cropping, 1-D and 2-D: rows or steps added or removed at each side, no weights, no arithmetic.
// tfjs 4.22 has ZeroPadding2D and Cropping2D; the 1-D ones are nnc's own (src/codegen/runtime/layers.ts).
import { diag, q } from '../../diagnostics/catalog.js';
import { arg } from '../args.js';
import { defineLayer, type AnyLayer, type LayerContext } from '../module.js';
import { AXES_2D, layerSpan, outcome, ShapeFailure, spatialRank } from '../shape-kit.js';
import { sidesLines } from '../explain-kit.js';

type Side = number | [number, number];
const ends = (v: Side): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

function cropped(layer: AnyLayer, ctx: LayerContext, axis: number, axisName: string, [a, b]: [number, number]): number {
  const length = ctx.inShape[axis];
  const left = length - a - b;
  if (left >= 1) return left;
  throw new ShapeFailure([diag('NN3041', layerSpan(ctx, 'cropping'), { layer: q(layer.name), axis: axisName, length, removed: a + b }, {
    notes: [`${axisName}: ${length} - ${a} - ${b} = ${left}`],
  })]);
}

export function zeroPadding1d() {
  return defineLayer({
    type: 'zero_padding1d',
    args: { padding: arg.ends(1) },
    positional: ['padding'],
    shape(layer, ctx) {
      spatialRank(layer, ctx, 2);
      const [a, b] = ends(layer.padding);
      return outcome([ctx.inShape[0] + a + b, ctx.inShape[1]], 0, 0);
    },
    explain: (layer, f) => sidesLines(['steps'], f, '+', [ends(layer.padding)]),
    config: (layer) => ({ factory: 'zeroPadding1d', custom: true, args: { padding: ends(layer.padding) } }),
  });
}

export function zeroPadding2d() {
  return defineLayer({
    type: 'zero_padding2d',
    args: { padding: arg.sides([1, 1]) },
    positional: ['padding'],
    shape(layer, ctx) {
      spatialRank(layer, ctx, 3);
      const [[t, b], [l, r]] = layer.padding.map(ends);
      return outcome([ctx.inShape[0] + t + b, ctx.inShape[1] + l + r, ctx.inShape[2]], 0, 0);
    },
    explain: (layer, f) => sidesLines(AXES_2D, f, '+', layer.padding.map(ends)),
    config: (layer) => ({ factory: 'zeroPadding2d', args: { padding: layer.padding.map(ends) } }),
  });
}

export function cropping1d() {
  return defineLayer({
    type: 'cropping1d',
    args: { cropping: arg.ends([1, 1]) },
    positional: ['cropping'],
    shape(layer, ctx) {
      spatialRank(layer, ctx, 2);
      return outcome([cropped(layer, ctx, 0, 'steps', ends(layer.cropping)), ctx.inShape[1]], 0, 0);
    },
    explain: (layer, f) => sidesLines(['steps'], f, '-', [ends(layer.cropping)]),
    config: (layer) => ({ factory: 'cropping1d', custom: true, args: { cropping: ends(layer.cropping) } }),
  });
}

export function cropping2d() {
  return defineLayer({
    type: 'cropping2d',
    args: { cropping: arg.sides([0, 0]) },
    positional: ['cropping'],
    shape(layer, ctx) {
      spatialRank(layer, ctx, 3);
      const [h, w] = layer.cropping.map((v, a) => cropped(layer, ctx, a, AXES_2D[a], ends(v)));
      return outcome([h, w, ctx.inShape[2]], 0, 0);
    },
    explain: (layer, f) => sidesLines(AXES_2D, f, '-', layer.cropping.map(ends)),
    config: (layer) => ({ factory: 'cropping2D', args: { cropping: layer.cropping.map(ends) } }),
  });
}
