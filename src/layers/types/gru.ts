// gru(units): see ../families/recurrent.ts. tfjs builds GRUs with `reset_after: false` only, one bias per gate,
// where Keras' default `reset_after: true` has two: a GRU that does not write `reset_after: false` warns when
// that makes its parameter count differ from the same layer in Keras.
import { diag, q } from '../../diagnostics/catalog.js';
import { arg } from '../args.js';
import { recurrent } from '../families/recurrent.js';
import { defineLayer } from '../module.js';
import { layerSpan, ShapeFailure } from '../shape-kit.js';

const base = recurrent('gru', 'gru', 3);

export default defineLayer({
  ...base,
  args: { ...base.args, reset_after: arg.flag() },
  shape(layer, ctx) {
    if (layer.reset_after === true) throw new ShapeFailure([diag('NN3045', layerSpan(ctx, 'reset_after'), { layer: q(layer.name) })]);
    const result = base.shape(layer, ctx);
    if (layer.reset_after === false || !layer.use_bias) return result;
    const count = (n: number) => n.toLocaleString('en-US');
    const warning = diag('NN3040', layerSpan(ctx), { layer: q(layer.name), found: count(result.trainable), keras: count(result.trainable + 3 * layer.units) });
    return { ...result, warnings: [...result.warnings, warning] };
  },
  explain: (layer, f) => base.explain!(layer, f),
  config: (layer, ctx) => base.config(layer, ctx),
});
