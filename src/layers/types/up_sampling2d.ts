// up_sampling2d(size): repeats each row `size[0]` times and each column `size[1]` times, [h, w, c] -> [h*s0, w*s1, c].
import { arg } from '../args.js';
import { defineLayer } from '../module.js';
import { diag, q } from '../../diagnostics/catalog.js';
import { layerSpan, outcome, ShapeFailure, showShape, spatialRank } from '../shape-kit.js';

export default defineLayer({
  type: 'up_sampling2d',
  args: { size: arg.pair([2, 2]), interpolation: arg.oneOf(['nearest', 'bilinear'] as const, 'nearest') },
  positional: ['size'],
  shape(layer, ctx) {
    spatialRank(layer, ctx, 3);
    const [h, w, c] = ctx.inShape;
    // found by the differential test: tfjs 4.22's ResizeBilinear gradient swaps height and width, so a training
    // step through bilinear up-sampling of a non-square input throws
    if (layer.interpolation === 'bilinear' && h !== w) {
      throw new ShapeFailure([diag('NN3047', layerSpan(ctx, 'interpolation'), { layer: q(layer.name), found: showShape(ctx.inShape) })]);
    }
    const out = [h * layer.size[0], w * layer.size[1], c];
    // nearest copies; bilinear mixes 4 neighbours per output element: 3 lerps of a subtract, a multiply and an add
    return outcome(out, 0, layer.interpolation === 'bilinear' ? 9 * out[0] * out[1] * c : 0);
  },
  explain: (layer, f) => [
    `height: ${f.input[0]} * ${layer.size[0]} = ${f.out[0]}`,
    `width: ${f.input[1]} * ${layer.size[1]} = ${f.out[1]}`,
    `channels: ${f.input[2]} (${layer.interpolation} interpolation, no weights)`,
  ],
  config: (layer) => ({ factory: 'upSampling2d', args: { size: [...layer.size], interpolation: layer.interpolation } }),
});
