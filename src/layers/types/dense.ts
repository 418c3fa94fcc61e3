// dense(units): a fully connected layer on the last axis, as tf.layers.dense.
import { arg, weightedArgs } from '../args.js';
import { weighted, TFJS_ACTIVATION } from '../config-kit.js';
import { defineLayer } from '../module.js';
import { minRank, outcome, product, softmaxWarning } from '../shape-kit.js';
import { paramsLine } from '../explain-kit.js';

export default defineLayer({
  type: 'dense',
  args: { units: arg.int(), activation: arg.activation('linear'), ...weightedArgs },
  positional: ['units'],
  shape(layer, ctx) {
    minRank(layer, ctx, 1);
    const last = ctx.inShape[ctx.inShape.length - 1];
    const out = [...ctx.inShape.slice(0, -1), layer.units];
    const positions = product(ctx.inShape.slice(0, -1));
    const bias = layer.use_bias ? layer.units : 0;
    return outcome(out, last * layer.units + bias, positions * (2 * last * layer.units + bias), softmaxWarning(layer, ctx, out, layer.activation));
  },
  explain: (layer, f) => [
    `units: ${f.input[f.input.length - 1]} -> ${layer.units}`,
    paramsLine(f, [[f.input[f.input.length - 1], layer.units]], layer.use_bias ? layer.units : 0),
  ],
  config: (layer, ctx) => ({ factory: 'dense', args: { units: layer.units, activation: TFJS_ACTIVATION[layer.activation], ...weighted(layer, ctx) } }),
});
