// activation(fn): an activation function as a layer of its own.
import { arg } from '../args.js';
import { TFJS_ACTIVATION } from '../config-kit.js';
import { defineLayer } from '../module.js';
import { outcome, softmaxWarning } from '../shape-kit.js';

export default defineLayer({
  type: 'activation',
  args: { activation: arg.activation() },
  positional: ['activation'],
  shape: (layer, ctx) => outcome(ctx.inShape, 0, 0, softmaxWarning(layer, ctx, ctx.inShape, layer.activation)),
  config: (layer) => ({ factory: 'activation', args: { activation: TFJS_ACTIVATION[layer.activation] } }),
});
