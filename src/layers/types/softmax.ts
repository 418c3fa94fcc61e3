// softmax(axis): a softmax over one axis (the last by default, -1), as a layer of its own.
import { diag, q } from '../../diagnostics/catalog.js';
import { arg } from '../args.js';
import { defineLayer } from '../module.js';
import { layerSpan, outcome, ShapeFailure, showShape, softmaxWarning } from '../shape-kit.js';

export default defineLayer({
  type: 'softmax',
  args: { axis: arg.schema<number>({ type: 'integer', default: -1 }) },
  positional: ['axis'],
  shape(layer, ctx) {
    const rank = ctx.inShape.length;
    if (layer.axis === 0 || layer.axis > rank || layer.axis < -rank) {
      throw new ShapeFailure([diag('NN3043', layerSpan(ctx, 'axis'), { layer: q(layer.name), axis: layer.axis, found: showShape(ctx.inShape), rank }, {
        help: `axes count from 1 (the batch axis 0 cannot be chosen), or from the end with -1 to -${rank}`,
      })]);
    }
    const axis = layer.axis < 0 ? rank + layer.axis : layer.axis - 1;
    const units = ctx.inShape[axis];
    // activations are not counted, as in dense and `activation`
    return outcome(ctx.inShape, 0, 0, softmaxWarning(layer, ctx, [units], 'softmax'));
  },
  // tfjs 4.22 takes a softmax over the last axis only; another axis is nnc's runtime layer (axis 0 = batch there)
  config(layer, ctx) {
    const rank = (ctx.outputShape?.length ?? 0) - 1;
    const axis = layer.axis < 0 ? rank + 1 + layer.axis : layer.axis;
    return axis === rank ? { factory: 'softmax', args: { axis: -1 } } : { factory: 'axisSoftmax', custom: true, args: { axis } };
  },
});
