// repeat_vector(n): [features] -> [n, features], the same vector at every step (a decoder's input).
import { arg } from '../args.js';
import { defineLayer } from '../module.js';
import { outcome, rankError } from '../shape-kit.js';

export default defineLayer({
  type: 'repeat_vector',
  args: { n: arg.int() },
  positional: ['n'],
  shape(layer, ctx) {
    if (ctx.inShape.length !== 1) throw rankError(layer, ctx, 1, 'repeat_vector repeats a vector: insert a `flatten` or a global pooling before it');
    // copies, no arithmetic
    return outcome([layer.n, ctx.inShape[0]], 0, 0);
  },
  explain: (layer, f) => [`steps: ${layer.n} (n: the vector at each step)`, `features: ${f.input[0]}`],
  config: (layer) => ({ factory: 'repeatVector', args: { n: layer.n } }),
});
