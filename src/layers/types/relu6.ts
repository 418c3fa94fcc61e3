// relu6: min(max(x, 0), 6), as in MobileNet; tfjs' ReLU layer with maxValue 6.
import { defineLayer } from '../module.js';
import { outcome } from '../shape-kit.js';

export default defineLayer({
  type: 'relu6',
  args: {},
  positional: [],
  // activations are not counted, as in dense and `activation`
  shape: (_layer, ctx) => outcome(ctx.inShape, 0, 0),
  config: () => ({ factory: 'reLU', args: { maxValue: 6 } }),
});
