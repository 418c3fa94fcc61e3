// layer_norm: normalizes each sample over its last axis.
import { arg } from '../args.js';
import { defineLayer } from '../module.js';
import { minRank, outcome, product } from '../shape-kit.js';
import { paramsLine } from '../explain-kit.js';

export default defineLayer({
  type: 'layer_norm',
  args: { epsilon: arg.num({ exclusiveMinimum: 0, default: 0.001 }), center: arg.bool(true), scale: arg.bool(true) },
  positional: [],
  shape(layer, ctx) {
    minRank(layer, ctx, 1);
    const features = ctx.inShape[ctx.inShape.length - 1];
    const perFeature = (layer.center ? 1 : 0) + (layer.scale ? 1 : 0);
    // mean, subtract, square, variance, divide, scale, shift: about 7 steps per element
    return outcome(ctx.inShape, perFeature * features, 7 * product(ctx.inShape));
  },
  // found by the differential test: tfjs 4.22's LayerNormalization throws in its gradient without gamma or beta,
  // and on inputs of more than 3 axes besides the batch; those are nnc's own runtime layer
  explain: (layer, f) => {
    const kept = [layer.scale ? 'gamma' : null, layer.center ? 'beta' : null].filter((k) => k !== null);
    const last = f.input[f.input.length - 1];
    return [`normalizes each position over its ${last} features`, kept.length ? `${paramsLine(f, [[kept.length, last]], 0)} (${kept.join(', ')})` : 'params: none (center and scale off)'];
  },
  config(layer, ctx) {
    const own = layer.center && layer.scale && (ctx.outputShape?.length ?? 0) <= 4;
    return { factory: own ? 'layerNormalization' : 'layerNorm', args: { epsilon: layer.epsilon, center: layer.center, scale: layer.scale }, ...(own ? {} : { custom: true }) };
  },
});
