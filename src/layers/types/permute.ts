// permute(dims): reorders the axes of a sample, 1-based as in Keras: `permute([2, 1])` swaps [steps, features].
import { diag, q } from '../../diagnostics/catalog.js';
import { arg } from '../args.js';
import { defineLayer } from '../module.js';
import { layerSpan, outcome, ShapeFailure, showShape } from '../shape-kit.js';

export default defineLayer({
  type: 'permute',
  args: { dims: arg.schema<number[]>({ type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 1, uniqueItems: true }) },
  positional: ['dims'],
  shape(layer, ctx) {
    const rank = ctx.inShape.length;
    if (layer.dims.length !== rank || layer.dims.some((d) => d > rank)) {
      const every = Array.from({ length: rank }, (_, i) => i + 1);
      throw new ShapeFailure([diag('NN3042', layerSpan(ctx, 'dims'), { layer: q(layer.name), dims: q(`[${layer.dims.join(', ')}]`), found: showShape(ctx.inShape), rank }, {
        help: `list each of the axes ${every.join(', ')} once, e.g. \`dims: [${[...every].reverse().join(', ')}]\``,
      })]);
    }
    // a transpose moves elements, no arithmetic
    return outcome(layer.dims.map((d) => ctx.inShape[d - 1]), 0, 0);
  },
  explain: (layer, f) => layer.dims.map((d, i) => `axis ${i + 1}: ${f.out[i]} (input axis ${d})`),
  config: (layer) => ({ factory: 'permute', args: { dims: [...layer.dims] } }),
});
