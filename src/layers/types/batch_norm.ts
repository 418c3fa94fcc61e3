// batch_norm: normalizes each channel (the last axis) by batch statistics, with a moving mean and variance.
import { arg } from '../args.js';
import { defineLayer } from '../module.js';
import { diag, q } from '../../diagnostics/catalog.js';
import { layerSpan, minRank, normRank, outcome, product, ShapeFailure } from '../shape-kit.js';
import { thousands } from '../explain-kit.js';

export default defineLayer({
  type: 'batch_norm',
  args: {
    momentum: arg.num({ minimum: 0, maximum: 1, default: 0.99 }), epsilon: arg.num({ exclusiveMinimum: 0, default: 0.001 }),
    center: arg.bool(true), scale: arg.bool(true),
  },
  positional: [],
  shape(layer, ctx) {
    minRank(layer, ctx, 1);
    normRank(layer, ctx);
    // found by the differential test: tfjs 4.22's BatchNormalization reads gamma and beta in every training step,
    // so one that is switched off makes the first step throw
    const off = !layer.center ? 'center' : !layer.scale ? 'scale' : null;
    if (off) throw new ShapeFailure([diag('NN3048', layerSpan(ctx, off), { layer: q(layer.name), arg: q(`${off}: false`) })]);
    const channels = ctx.inShape[ctx.inShape.length - 1];
    const perChannel = (layer.center ? 1 : 0) + (layer.scale ? 1 : 0);
    // inference folds to one multiply and one add per element; the moving mean and variance are not trained
    return outcome(ctx.inShape, perChannel * channels, 2 * product(ctx.inShape), [], 2 * channels);
  },
  explain: (_layer, f) => [`params: 4 * ${f.input[f.input.length - 1]} = ${thousands(f.params)} (per channel: gamma and beta trainable, the moving mean and variance not)`],
  config: (layer) => ({ factory: 'batchNormalization', args: { momentum: layer.momentum, epsilon: layer.epsilon, center: layer.center, scale: layer.scale } }),
});
