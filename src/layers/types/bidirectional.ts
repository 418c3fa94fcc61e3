// bidirectional(<lstm|gru|simple_rnn>, merge_mode): the recurrent layer run forwards and backwards over the steps,
// the two outputs merged (concatenated by default): twice the parameters, twice the work.
import { diag, q } from '../../diagnostics/catalog.js';
import { arg } from '../args.js';
import { defineLayer, type AnyLayer } from '../module.js';
import { innerConfig, innerShape } from '../nested.js';
import { layerSpan, outcome, product, ShapeFailure } from '../shape-kit.js';
import { innerLines, thousands } from '../explain-kit.js';

const RECURRENT = ['lstm', 'gru', 'simple_rnn'];

export default defineLayer({
  type: 'bidirectional',
  args: {
    layer: arg.schema<AnyLayer>({ $ref: '#/$defs/layer' }),
    merge_mode: arg.oneOf(['concat', 'sum', 'mul', 'ave'] as const, 'concat'),
  },
  positional: ['layer', 'merge_mode'],
  shape(layer, ctx) {
    if (!RECURRENT.includes(layer.layer.type)) {
      throw new ShapeFailure([diag('NN3046', layerSpan(ctx, 'layer'), { layer: q(layer.name), found: q(layer.layer.type) })]);
    }
    const one = innerShape(layer.layer, { ...ctx, wrapperName: layer.name }, ctx.inShape);
    const last = one.out.length - 1;
    const out = layer.merge_mode === 'concat' ? one.out.map((d, i) => (i === last ? 2 * d : d)) : one.out;
    // concat copies; sum and mul are one step per output element, ave two
    const merge = layer.merge_mode === 'concat' ? 0 : (layer.merge_mode === 'ave' ? 2 : 1) * product(out);
    return outcome(out, 2 * one.trainable, 2 * one.flops + merge, one.warnings, 2 * one.nonTrainable);
  },
  explain: (layer, f) => {
    const last = f.out.length - 1;
    const one = { ...f, out: layer.merge_mode === 'concat' ? f.out.map((d, i) => (i === last ? d / 2 : d)) : f.out, params: f.params / 2 };
    return [
      ...innerLines(layer.layer, one),
      layer.merge_mode === 'concat'
        ? `merge concat: ${one.out[last]} + ${one.out[last]} = ${f.out[last]} (forward, backward)`
        : `merge ${layer.merge_mode}: forward and backward elementwise, ${f.out[last]} kept`,
      `params: 2 * ${thousands(one.params)} = ${thousands(f.params)} (forward and backward)`,
    ];
  },
  config: (layer, ctx) => ({ factory: 'bidirectional', args: { layer: innerConfig(layer.name, layer.layer, ctx), mergeMode: layer.merge_mode } }),
});
