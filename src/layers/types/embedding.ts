// embedding(input_dim, output_dim): a table lookup from int32 token ids to vectors.
import { diag, q } from '../../diagnostics/catalog.js';
import { arg } from '../args.js';
import { initializer, regularizer } from '../config-kit.js';
import { defineLayer } from '../module.js';
import { layerSpan, outcome, ShapeFailure } from '../shape-kit.js';
import { paramsLine } from '../explain-kit.js';

export default defineLayer({
  type: 'embedding',
  args: {
    input_dim: arg.int(), output_dim: arg.int(), mask_zero: arg.bool(false),
    embeddings_initializer: arg.initializer('random_uniform'), embeddings_regularizer: arg.regularizer(),
  },
  positional: ['input_dim', 'output_dim'],
  shape(layer, ctx) {
    if (ctx.dtype !== 'int32') throw new ShapeFailure([diag('NN3007', layerSpan(ctx), { layer: q(layer.name), dtype: ctx.dtype })]);
    // a lookup: no arithmetic
    return outcome([...ctx.inShape, layer.output_dim], layer.input_dim * layer.output_dim, 0);
  },
  explain: (layer, f) => [`appends output_dim ${layer.output_dim}`, paramsLine(f, [[layer.input_dim, layer.output_dim]], 0)],
  config: (layer, ctx) => ({
    factory: 'embedding',
    args: {
      inputDim: layer.input_dim, outputDim: layer.output_dim, maskZero: layer.mask_zero,
      embeddingsInitializer: initializer(layer.embeddings_initializer, ctx, 'embeddings'),
      embeddingsRegularizer: regularizer(layer.embeddings_regularizer),
    },
  }),
});
