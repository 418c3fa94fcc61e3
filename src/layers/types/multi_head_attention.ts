// multi_head_attention(num_heads, key_dim, value_dim, dropout): Keras' MultiHeadAttention as self-attention over
// [steps, features] (query = value = key = the previous output; several inputs come with the graph syntax).
// nnc's own tfjs layer (src/codegen/runtime/layers.ts): tfjs 4.22 has none. Parameters as Keras counts them.
import { arg } from '../args.js';
import { derivedSeed } from '../config-kit.js';
import { defineLayer } from '../module.js';
import { outcome, rankError } from '../shape-kit.js';
import { paramsLine } from '../explain-kit.js';

export default defineLayer({
  type: 'multi_head_attention',
  args: { num_heads: arg.int(), key_dim: arg.int(), value_dim: arg.filled(arg.int()), dropout: arg.rate(0) },
  positional: ['num_heads', 'key_dim'],
  shape(layer, ctx) {
    if (ctx.inShape.length !== 2) throw rankError(layer, ctx, 2, 'attention reads a sequence [steps, features]: insert a `reshape` before it');
    const [t, d] = ctx.inShape;
    const h = layer.num_heads;
    const kd = layer.key_dim;
    const vd = layer.value_dim ?? kd;
    // query, key and value kernels with their biases, then the output kernel and bias
    const params = 2 * (d * h * kd + h * kd) + (d * h * vd + h * vd) + (h * vd * d + d);
    // projections (multiply-add 2, bias 1), scores q.k, weighted sum of values, output projection
    const flops = t * (2 * d + 1) * h * (2 * kd + vd) + 2 * t * t * h * (kd + vd) + t * (2 * h * vd + 1) * d;
    return outcome([t, d], params, flops);
  },
  explain: (layer, f) => {
    const [t, d] = f.input;
    const [h, kd] = [layer.num_heads, layer.key_dim];
    const vd = layer.value_dim ?? kd;
    return [
      `output: [${t}, ${d}] (each of ${t} steps attends over ${t}; ${h} heads, key_dim ${kd}, value_dim ${vd})`,
      `query and key: 2 * (${d} * ${h} * ${kd} + ${h} * ${kd}); value: ${d} * ${h} * ${vd} + ${h} * ${vd}; output: ${h} * ${vd} * ${d} + ${d}`,
      paramsLine(f, [[2, d, h, kd], [2, h, kd], [d, h, vd], [h, vd], [h, vd, d]], d),
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
