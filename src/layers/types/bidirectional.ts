// bidirectional(<lstm|gru|simple_rnn>, merge_mode): the recurrent layer run forwards and backwards over the steps,
// the two outputs merged (concatenated by default): twice the parameters, twice the work.
import { diag, q } from '../../diagnostics/catalog.js';
import { arg } from '../args.js';
import { defineLayer, type AnyLayer } from '../module.js';
import { innerConfig, innerShape } from '../nested.js';
import { layerSpan, outcome, product, ShapeFailure } from '../shape-kit.js';
import { innerLines, thousands } from '../explain-kit.js';
import { checkInitialState, stateKinds } from '../families/recurrent.js';

const RECURRENT = ['lstm', 'gru', 'simple_rnn'];

/**
 * With `return_state: true` on the wrapped layer it gives its output, then the forward layer's states, then the
 * backward layer's, as Keras and tfjs do: `out, fh, fc, bh, bc = bidirectional(lstm(64, return_state: true))`.
 */
const bidirectionalStates = (inner: unknown): string[] => {
  const l = inner as { type?: unknown; return_state?: unknown } | undefined;
  if (l?.return_state !== true || typeof l.type !== 'string' || !RECURRENT.includes(l.type)) return [];
  const kinds = stateKinds(l.type);
  return [...kinds.map((k) => `forward_${k}`), ...kinds.map((k) => `backward_${k}`)];
};

export default defineLayer({
  type: 'bidirectional',
  args: {
    layer: arg.schema<AnyLayer>({ $ref: '#/$defs/layer' }),
    merge_mode: arg.oneOf(['concat', 'sum', 'mul', 'ave'] as const, 'concat'),
  },
  positional: ['layer', 'merge_mode'],
  stateOutputs: (args) => bidirectionalStates(args.layer),
  // the forward layer's initial states, then the backward layer's, as Keras and tfjs split them
  stateInput: 'initial_state',
  shape(layer, ctx) {
    if (!RECURRENT.includes(layer.layer.type)) {
      throw new ShapeFailure([diag('NN3046', layerSpan(ctx, 'layer'), { layer: q(layer.name), found: q(layer.layer.type) })]);
    }
    const inner = layer.layer as AnyLayer & { units: number };
    const kinds = bidirectionalStates({ ...inner, return_state: true });
    checkInitialState({ ...inner, name: layer.name }, ctx, kinds,
      `give the forward states, then the backward ones: \`initial_state: [${kinds.join(', ')}]\`, each [${inner.units}]`);
    const one = innerShape(layer.layer, { ...ctx, wrapperName: layer.name, initialState: [] }, ctx.inShape, { states: true });
    const last = one.out.length - 1;
    const out = layer.merge_mode === 'concat' ? one.out.map((d, i) => (i === last ? 2 * d : d)) : one.out;
    // concat copies; sum and mul are one step per output element, ave two
    const merge = layer.merge_mode === 'concat' ? 0 : (layer.merge_mode === 'ave' ? 2 : 1) * product(out);
    const result = outcome(out, 2 * one.trainable, 2 * one.flops + merge, one.warnings, 2 * one.nonTrainable);
    // each direction's states, [units] each: forward's then backward's
    return one.states ? { ...result, states: [...one.states, ...one.states] } : result;
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
      ...(bidirectionalStates(layer.layer).length ? [`states: ${bidirectionalStates(layer.layer).join(', ')}, each [${(layer.layer as { units?: number }).units}]`] : []),
    ];
  },
  config: (layer, ctx) => ({ factory: 'bidirectional', args: { layer: innerConfig(layer.name, layer.layer, ctx), mergeMode: layer.merge_mode } }),
});
