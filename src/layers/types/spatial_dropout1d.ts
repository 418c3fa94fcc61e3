// spatial_dropout1d(rate): drops whole channels of a [steps, channels] sequence while training, the same channels at
// every step (Keras' SpatialDropout1D); its seed is derived unless the spec sets one.
import { arg } from '../args.js';
import { derivedSeed } from '../config-kit.js';
import { defineLayer } from '../module.js';
import { outcome, rankError } from '../shape-kit.js';

export default defineLayer({
  type: 'spatial_dropout1d',
  args: { rate: arg.rate(), seed: arg.seed() },
  positional: ['rate'],
  shape(layer, ctx) {
    if (ctx.inShape.length !== 2) {
      throw rankError(layer, ctx, 2, 'spatial_dropout1d drops channels of a [steps, channels] sequence; use `dropout` on other shapes');
    }
    // the identity at inference
    return outcome(ctx.inShape, 0, 0);
  },
  // what it draws: one keep-or-drop per channel, shared by the steps
  explain: (layer, f) => [`mask: 1 x ${f.input[1]} (each of ${f.input[1]} channels dropped with rate ${layer.rate}, alike at all ${f.input[0]} steps)`],
  config: (layer, ctx) => ({ factory: 'spatialDropout1d', args: { rate: layer.rate, seed: layer.seed ?? derivedSeed(ctx.seed, ctx.index, 'dropout') } }),
});
