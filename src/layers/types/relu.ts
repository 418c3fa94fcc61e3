// relu(max_value): max(x, 0), capped at max_value when given (Keras' ReLU layer).
import { arg } from '../args.js';
import { defineLayer } from '../module.js';
import { outcome } from '../shape-kit.js';

export default defineLayer({
  type: 'relu',
  args: { max_value: arg.optionalNum({ exclusiveMinimum: 0 }) },
  positional: ['max_value'],
  // activations are not counted, as in dense and `activation`
  shape: (_layer, ctx) => outcome(ctx.inShape, 0, 0),
  config: (layer) => ({ factory: 'reLU', args: { maxValue: layer.max_value ?? null } }),
});
