// multi_head_attention(num_heads, key_dim, value_dim, dropout): Keras' MultiHeadAttention, called as Keras calls it:
// `(x)` attends x to itself, `(query, value)` the query to the value (key = value), `(query, value, key: k)` with
// a separate key. The output has the query's steps and features; key and value must have the same steps.
// nnc's own tfjs layer (src/codegen/runtime/layers.ts): tfjs 4.22 has none. Parameters as Keras counts them.
import { diag, q } from '../../diagnostics/catalog.js';
import { arg } from '../args.js';
import { derivedSeed } from '../config-kit.js';
import { defineLayer, type LayerContext, type ShapeFacts } from '../module.js';
import { layerSpan, outcome, rankError, ShapeFailure, showShape } from '../shape-kit.js';
import { paramsLine } from '../explain-kit.js';

const ROLES = ['query', 'value', 'key'];
const from = (i: LayerContext['inputs'][number]) => (i.line === null ? q(i.name) : `${q(i.name)} (line ${i.line})`);

/** Hover lines of self-attention: query, key and value are one tensor. */
function selfAttention(layer: { num_heads: number; key_dim: number; value_dim?: number }, f: ShapeFacts): string[] {
  const [t, d] = f.input;
  const [h, kd] = [layer.num_heads, layer.key_dim];
  const vd = layer.value_dim ?? kd;
  return [
    `output: [${t}, ${d}] (each of ${t} steps attends over ${t}; ${h} heads, key_dim ${kd}, value_dim ${vd})`,
    `query and key: 2 * (${d} * ${h} * ${kd} + ${h} * ${kd}); value: ${d} * ${h} * ${vd} + ${h} * ${vd}; output: ${h} * ${vd} * ${d} + ${d}`,
    paramsLine(f, [[2, d, h, kd], [2, h, kd], [d, h, vd], [h, vd], [h, vd, d]], d),
  ];
}

export default defineLayer({
  type: 'multi_head_attention',
  args: { num_heads: arg.int(), key_dim: arg.int(), value_dim: arg.filled(arg.int()), dropout: arg.rate(0) },
  positional: ['num_heads', 'key_dim'],
  arity: { min: 1, max: 3 },
  callInputs: ROLES,
  shape(layer, ctx) {
    ctx.inputs.forEach((input, k) => {
      if (input.shape.length !== 2) {
        const what = ctx.inputs.length === 1 ? 'attention reads' : `the ${ROLES[k]} of attention is`;
        throw rankError(layer, { ...ctx, inShape: input.shape }, 2, `${what} a sequence [steps, features]: insert a \`reshape\` before it`);
      }
    });
    // Keras: value defaults to the query, key to the value
    const [query, value, key] = [ctx.inputs[0], ctx.inputs[1] ?? ctx.inputs[0], ctx.inputs[2] ?? ctx.inputs[1] ?? ctx.inputs[0]];
    if (key.shape[0] !== value.shape[0]) {
      throw new ShapeFailure([diag('NN3023', layerSpan(ctx), {
        layer: q(layer.name), key: showShape(key.shape), keyFrom: from(key), value: showShape(value.shape), valueFrom: from(value),
      })]);
    }
    const [t, d] = query.shape;
    const [s, dv] = value.shape;
    const dk = key.shape[1];
    const h = layer.num_heads;
    const kd = layer.key_dim;
    const vd = layer.value_dim ?? kd;
    // query, key and value kernels (from each one's features) with their biases, then the output kernel and bias
    const params = (d * h * kd + h * kd) + (dk * h * kd + h * kd) + (dv * h * vd + h * vd) + (h * vd * d + d);
    // projections (multiply-add 2, bias 1), scores q.k over s steps, weighted sum of values, output projection
    const projections = t * (2 * d + 1) * h * kd + s * (2 * dk + 1) * h * kd + s * (2 * dv + 1) * h * vd;
    const flops = projections + 2 * t * s * h * (kd + vd) + t * (2 * h * vd + 1) * d;
    return outcome([t, d], params, flops);
  },
  explain: (layer, f) => {
    if (f.inputs.length <= 1) return selfAttention(layer, f);
    const [[t, d], [s, dv], [, dk]] = [f.inputs[0], f.inputs[1] ?? f.inputs[0], f.inputs[2] ?? f.inputs[1] ?? f.inputs[0]];
    const [h, kd] = [layer.num_heads, layer.key_dim];
    const vd = layer.value_dim ?? kd;
    return [
      `output: [${t}, ${d}] (each of ${t} query steps attends over ${s}; ${h} heads, key_dim ${kd}, value_dim ${vd})`,
      `query: ${d} * ${h} * ${kd} + ${h} * ${kd}; key: ${dk} * ${h} * ${kd} + ${h} * ${kd}; value: ${dv} * ${h} * ${vd} + ${h} * ${vd}; output: ${h} * ${vd} * ${d} + ${d}`,
      paramsLine(f, [[d, h, kd], [h, kd], [dk, h, kd], [h, kd], [dv, h, vd], [h, vd], [h, vd, d]], d),
    ];
  },
  config: (layer, ctx) => ({
    factory: 'multiHeadAttention', custom: true,
    args: {
      numHeads: layer.num_heads, keyDim: layer.key_dim, valueDim: layer.value_dim ?? layer.key_dim, dropout: layer.dropout,
      // one seed per projection, so one training seed always gives the same initial weights
      kernelSeeds: Object.fromEntries((['query', 'key', 'value', 'output'] as const).map((w) => [w, derivedSeed(ctx.seed, ctx.index, `${w}_kernel`)])),
    },
  }),
});
