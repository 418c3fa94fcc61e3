// prelu: a leaky ReLU whose slope is learnt, one per input element unless shared along `shared_axes`
// (1-based sample axes, as Keras: `prelu(shared_axes: [1, 2])` learns one slope per channel of an image).
import { diag, q } from '../../diagnostics/catalog.js';
import { arg } from '../args.js';
import { initializer, regularizer } from '../config-kit.js';
import { paramsLine } from '../explain-kit.js';
import { defineLayer } from '../module.js';
import { layerSpan, outcome, product, ShapeFailure, showShape } from '../shape-kit.js';

export default defineLayer({
  type: 'prelu',
  args: {
    alpha_initializer: arg.initializer('zeros'), alpha_regularizer: arg.regularizer(),
    shared_axes: arg.schema<number[]>({ type: 'array', items: { type: 'integer', minimum: 1 }, uniqueItems: true, default: [] }),
  },
  positional: [],
  shape(layer, ctx) {
    const rank = ctx.inShape.length;
    const bad = layer.shared_axes.find((a) => a > rank);
    if (bad !== undefined) {
      throw new ShapeFailure([diag('NN3044', layerSpan(ctx, 'shared_axes'), { layer: q(layer.name), axis: bad, found: showShape(ctx.inShape), rank })]);
    }
    const alphas = product(ctx.inShape.map((d, i) => (layer.shared_axes.includes(i + 1) ? 1 : d)));
    // activations are not counted, as in dense and `activation`
    return outcome(ctx.inShape, alphas, 0);
  },
  explain: (layer, f) => [
    paramsLine(f, [f.input.map((d, i) => (layer.shared_axes.includes(i + 1) ? 1 : d))], 0) +
      (layer.shared_axes.length ? ` (one slope per element, shared along axes ${layer.shared_axes.join(', ')})` : ' (one slope per element)'),
  ],
  config: (layer, ctx) => ({
    factory: 'prelu',
    args: {
      alphaInitializer: initializer(layer.alpha_initializer, ctx, 'alpha'), alphaRegularizer: regularizer(layer.alpha_regularizer),
      sharedAxes: layer.shared_axes.length ? [...layer.shared_axes] : null,
    },
  }),
});
