// Max and average pooling over windows (1-D and 2-D) and over whole axes (global); strides default to the pool
// size (filled in by src/normalize/complete.ts), as in Keras.
import { arg } from '../args.js';
import { defineLayer } from '../module.js';
import { AXES_2D, outcome, product, spatialRank, windowLength } from '../shape-kit.js';
import { windowLines } from '../explain-kit.js';

export function pool1d<const T extends string>(type: T, factory: string) {
  return defineLayer({
    type,
    args: { pool: arg.int(), strides: arg.filled(arg.int()), padding: arg.padding() },
    positional: ['pool'],
    aliases: { pool_size: 'pool' },
    shape(layer, ctx) {
      spatialRank(layer, ctx, 2);
      const steps = windowLength(layer, ctx, 'pool', 0, 'steps', layer.pool, layer.strides, 1, layer.padding, String(layer.pool));
      const channels = ctx.inShape[1];
      // one comparison or addition per window element
      return outcome([steps, channels], 0, steps * channels * layer.pool);
    },
    explain: (layer, f) => windowLines(['steps'], f, layer.pool, layer.strides ?? layer.pool, 1, layer.padding),
    config: (layer) => ({ factory, args: { poolSize: layer.pool, strides: layer.strides, padding: layer.padding } }),
  });
}

export function pool2d<const T extends string>(type: T, factory: string) {
  return defineLayer({
    type,
    args: { pool: arg.pair(), strides: arg.filled(arg.pair()), padding: arg.padding() },
    positional: ['pool'],
    aliases: { pool_size: 'pool' },
    shape(layer, ctx) {
      spatialRank(layer, ctx, 3);
      const written = `[${layer.pool.join(', ')}]`;
      const [h, w] = [0, 1].map((a) => windowLength(layer, ctx, 'pool', a, AXES_2D[a], layer.pool[a], layer.strides[a], 1, layer.padding, written));
      const channels = ctx.inShape[2];
      return outcome([h, w, channels], 0, h * w * channels * layer.pool[0] * layer.pool[1]);
    },
    explain: (layer, f) => windowLines(['height', 'width'], f, layer.pool, layer.strides ?? layer.pool, 1, layer.padding),
    config: (layer) => ({ factory, args: { poolSize: [...layer.pool], strides: [...layer.strides], padding: layer.padding } }),
  });
}

/** Pools each channel over all its positions: [steps, c] or [h, w, c] -> [c]. */
export function globalPool<const T extends string>(type: T, factory: string, rank: 2 | 3) {
  return defineLayer({
    type,
    args: {},
    positional: [],
    shape(layer, ctx) {
      spatialRank(layer, ctx, rank);
      return outcome([ctx.inShape[rank - 1]], 0, product(ctx.inShape));
    },
    explain: (_layer, f) => [`pools over ${f.input.slice(0, -1).join(' x ')}, keeps ${f.input[f.input.length - 1]} channels`],
    config: () => ({ factory, args: {} }),
  });
}
