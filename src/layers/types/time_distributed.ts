// time_distributed(<layer>): the same layer (the same weights) applied to every step of [steps, ...]: the
// parameters of one, the work of `steps`.
import { arg } from '../args.js';
import { defineLayer, type AnyLayer } from '../module.js';
import { innerConfig, innerShape } from '../nested.js';
import { minRank, outcome } from '../shape-kit.js';
import { innerLines, showDims } from '../explain-kit.js';

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
  explain: (layer, f) => [
    `each of ${f.input[0]} steps: ${showDims(f.input.slice(1))} -> ${showDims(f.out.slice(1))}, with the same weights`,
    ...innerLines(layer.layer, { input: f.input.slice(1), inputs: [f.input.slice(1)], out: f.out.slice(1), params: f.params }),
  ],
  config: (layer, ctx) => ({
    factory: 'timeDistributed',
    args: { layer: innerConfig(layer.name, layer.layer, { ...ctx, outputShape: ctx.outputShape ? [null, ...ctx.outputShape.slice(2)] : undefined }) },
  }),
});
