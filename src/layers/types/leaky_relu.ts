// leaky_relu(alpha): x for x >= 0, alpha * x below (Keras' LeakyReLU, default slope 0.3).
import { arg } from '../args.js';
import { defineLayer } from '../module.js';
import { outcome } from '../shape-kit.js';

export default defineLayer({
  type: 'leaky_relu',
  args: { alpha: arg.num({ minimum: 0, default: 0.3 }) },
  positional: ['alpha'],
  aliases: { negative_slope: 'alpha' },
  // activations are not counted, as in dense and `activation`
  shape: (_layer, ctx) => outcome(ctx.inShape, 0, 0),
  config: (layer) => ({ factory: 'leakyReLU', args: { alpha: layer.alpha } }),
});
