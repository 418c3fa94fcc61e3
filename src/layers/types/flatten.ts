// flatten: every axis but the batch axis into one.
import { defineLayer } from '../module.js';
import { minRank, outcome, product } from '../shape-kit.js';

export default defineLayer({
  type: 'flatten',
  args: {},
  positional: [],
  shape(layer, ctx) {
    // tfjs Flatten requires input rank >= 3 including the batch axis
    minRank(layer, ctx, 2, 'remove this `flatten`: its input is already flat');
    return outcome([product(ctx.inShape)], 0, 0);
  },
  explain: (_layer, f) => [`elements: ${f.input.join(' * ')} = ${f.out[0]}`],
  config: () => ({ factory: 'flatten', args: {} }),
});
