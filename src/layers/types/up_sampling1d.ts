// up_sampling1d(size): repeats each step `size` times, [steps, c] -> [steps * size, c]; nnc's own tfjs layer
// (src/codegen/runtime/layers.ts), as tfjs 4.22 has only UpSampling2D.
import { arg } from '../args.js';
import { defineLayer } from '../module.js';
import { outcome, spatialRank } from '../shape-kit.js';
import { showDims } from '../explain-kit.js';

export default defineLayer({
  type: 'up_sampling1d',
  args: { size: arg.int({ default: 2 }) },
  positional: ['size'],
  shape(layer, ctx) {
    spatialRank(layer, ctx, 2);
    // copies, no arithmetic
    return outcome([ctx.inShape[0] * layer.size, ctx.inShape[1]], 0, 0);
  },
  explain: (layer, f) => [`steps: ${f.input[0]} * ${layer.size} = ${f.out[0]}`, `channels: ${f.input[1]} (each step repeated, no weights: ${showDims(f.out)})`],
  config: (layer) => ({ factory: 'upSampling1d', custom: true, args: { size: layer.size } }),
});
