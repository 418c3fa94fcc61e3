// dropout(rate): zeroes a fraction of the inputs while training; its seed is derived unless the spec sets one.
import { arg } from '../args.js';
import { derivedSeed } from '../config-kit.js';
import { defineLayer } from '../module.js';
import { outcome } from '../shape-kit.js';

export default defineLayer({
  type: 'dropout',
  args: { rate: arg.rate(), seed: arg.seed() },
  positional: ['rate'],
  shape: (_layer, ctx) => outcome(ctx.inShape, 0, 0),
  config: (layer, ctx) => ({ factory: 'dropout', args: { rate: layer.rate, seed: layer.seed ?? derivedSeed(ctx.seed, ctx.index, 'dropout') } }),
});
