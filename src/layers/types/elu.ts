// elu(alpha): x for x > 0, alpha * (exp(x) - 1) below.
import { arg } from '../args.js';
import { defineLayer } from '../module.js';
import { outcome } from '../shape-kit.js';

export default defineLayer({
  type: 'elu',
  args: { alpha: arg.num({ minimum: 0, default: 1 }) },
  positional: ['alpha'],
  // activations are not counted, as in dense and `activation`
  shape: (_layer, ctx) => outcome(ctx.inShape, 0, 0),
  // tfjs 4.22's ELU layer refuses alpha other than 1; nnc's runtime has one that takes any alpha
  config: (layer) => (layer.alpha === 1 ? { factory: 'elu', args: { alpha: 1 } } : { factory: 'alphaElu', custom: true, args: { alpha: layer.alpha } }),
});
