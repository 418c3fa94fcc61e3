// time_distributed(<layer>): the same layer (the same weights) applied to every step of [steps, ...]: the
// parameters of one, the work of `steps`.
import { arg } from '../args.js';
import { defineLayer, type AnyLayer } from '../module.js';
import { innerConfig, innerShape } from '../nested.js';
import { minRank, outcome } from '../shape-kit.js';

export default defineLayer({
  type: 'time_distributed',
  args: { layer: arg.schema<AnyLayer>({ $ref: '#/$defs/layer' }) },
  positional: ['layer'],
  shape(layer, ctx) {
    minRank(layer, ctx, 2, 'time_distributed applies its layer to each step of [steps, ...]: the input needs a steps axis and one more');
    const [steps, ...rest] = ctx.inShape;
    const one = innerShape(layer.layer, { ...ctx, wrapperName: layer.name }, rest);
    return outcome([steps, ...one.out], one.trainable, steps * one.flops, one.warnings, one.nonTrainable);
  },
  config: (layer, ctx) => ({
    factory: 'timeDistributed',
    args: { layer: innerConfig(layer.name, layer.layer, { ...ctx, outputShape: ctx.outputShape ? [null, ...ctx.outputShape.slice(2)] : undefined }) },
  }),
});
