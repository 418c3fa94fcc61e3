// Each NN3xxx shape diagnostic: its code, message, where it points, and that inference keeps the layers before it.
import { describe, expect, it } from 'vitest';
import { inferModel } from '../../src/shapes/infer.js';
import type { Layer, ModelSpec } from '../../src/spec/types.js';
import type { SpanIndex } from '../../src/spec/spans.js';
import { L, model, spansFor, spec } from './helpers.js';

function run(m: ModelSpec, spans: SpanIndex = spansFor()) {
  return inferModel(spec([m]), 0, spans);
}

describe('NN3xxx shape diagnostics', () => {
  it('NN3002: a kernel larger than its input, with the arithmetic and the shrinking history', () => {
    const layers = [L.conv2d(4, 3), L.pool2d('max_pool2d', 2), L.conv2d(4, 5), L.conv2d(4, 3)];
    const [c1, p1, c2, c3] = layers.map((l) => l.name);
    const m = model('m', [12, 12, 1], layers);
    const spans = spansFor('/models/0/layers/3', '/models/0/layers/3/kernel');
    const { info, diagnostics } = run(m, spans);
    expect(diagnostics).toHaveLength(1);
    const [d] = diagnostics;
    expect(d.code).toBe('NN3002');
    expect(d.severity).toBe('error');
    expect(d.message).toBe(`kernel \`[3, 3]\` of \`${c3}\` does not fit its input: expected height of at least 3, found 1`);
    expect(d.span?.line).toBe(2); // the kernel argument, not the layer
    expect(d.notes).toEqual(['height: floor((1 - 3) / 1) + 1 = -1', `height: 12 -> 10 (${c1}) -> 5 (${p1}) -> 1 (${c2})`]);
    expect(d.help).toMatch(/padding: same/);
    expect(info.complete).toBe(false);
    expect(info.layers.map((l) => l.outputShape)).toEqual([[null, 10, 10, 4], [null, 5, 5, 4], [null, 1, 1, 4]]);
    expect(info.totalParams).toBe(4 * 9 + 4 + 4 * 25 * 4 + 4);
  });

  it('NN3002: a dilated kernel shows its effective size', () => {
    const { diagnostics } = run(model('m', [6, 4], [L.conv1d(2, 3, { dilation: 3 })]));
    expect(diagnostics[0].code).toBe('NN3002');
    expect(diagnostics[0].notes?.[0]).toBe('dilated kernel: (3 - 1) * 3 + 1 = 7');
  });

  it('NN3003: pooling until an axis would reach 0', () => {
    const pools = [1, 2, 3].map(() => L.pool2d('max_pool2d', 2));
    const { info, diagnostics } = run(model('m', [5, 9, 3], pools), spansFor('/models/0/layers/2/pool'));
    expect(diagnostics.map((d) => d.code)).toEqual(['NN3003']);
    expect(diagnostics[0].message).toBe(`pool \`[2, 2]\` of \`${pools[2].name}\` does not fit its input: expected height of at least 2, found 1`);
    expect(diagnostics[0].span?.line).toBe(1);
    expect(diagnostics[0].notes?.[0]).toBe('height: floor((1 - 2) / 2) + 1 = 0');
    expect(info.layers).toHaveLength(2);
  });

  it('padding same never fails where valid does', () => {
    const { diagnostics, info } = run(model('m', [1, 1, 3], [L.conv2d(2, 5, { padding: 'same' }), L.pool2d('max_pool2d', 3, { padding: 'same' })]));
    expect(diagnostics).toEqual([]);
    expect(info.layers[1].outputShape).toEqual([null, 1, 1, 2]);
  });

  it('NN3001: conv2d on a rank-2 input asks for a channel axis', () => {
    const { diagnostics, info } = run(model('m', [28, 28], [L.conv2d(8, 3)]), spansFor('/models/0/layers/0'));
    expect(diagnostics[0].code).toBe('NN3001');
    expect(diagnostics[0].message).toMatch(/^expected input of rank 3 for `conv2d_\d+`, found shape `\[28, 28\]`$/);
    expect(diagnostics[0].help).toBe('add a channel axis to the input, e.g. `input x: [28, 28, 1]`');
    expect(diagnostics[0].span?.line).toBe(1);
    expect(info.layers).toEqual([]);
    expect(info.complete).toBe(false);
  });

  it('NN3001: pools and conv1d check their rank too', () => {
    expect(run(model('m', [10, 10, 3], [L.conv1d(2, 3)])).diagnostics[0].code).toBe('NN3001');
    expect(run(model('m', [10], [L.pool1d('max_pool1d', 2)])).diagnostics[0].code).toBe('NN3001');
    expect(run(model('m', [10, 3], [L.global('global_avg_pool2d')])).diagnostics[0].code).toBe('NN3001');
    const afterDense = run(model('m', [10], [L.dense(4), L.conv2d(2, 1)])).diagnostics[0];
    expect(afterDense.help).toMatch(/reshape/);
  });

  it('NN3004: reshape to a different element count', () => {
    const { diagnostics } = run(model('m', [28, 28], [L.reshape([20, 20, 2])]), spansFor('/models/0/layers/0/shape'));
    expect(diagnostics[0].code).toBe('NN3004');
    expect(diagnostics[0].message).toBe('cannot reshape `[28, 28]` (784 elements) to `[20, 20, 2]` (800 elements)');
    expect(diagnostics[0].notes).toEqual(['28 * 28 = 784', '20 * 20 * 2 = 800']);
    expect(diagnostics[0].span?.line).toBe(1);
  });

  it('NN3005: more than one -1', () => {
    const { diagnostics } = run(model('m', [28, 28], [L.reshape([-1, -1, 4])]));
    expect(diagnostics[0].code).toBe('NN3005');
    expect(diagnostics[0].message).toMatch(/expected at most one -1 .*, found 2$/);
  });

  it('NN3006: -1 that cannot divide evenly', () => {
    const { diagnostics } = run(model('m', [5, 5], [L.reshape([-1, 4])]));
    expect(diagnostics[0].code).toBe('NN3006');
    expect(diagnostics[0].message).toBe('cannot reshape `[5, 5]` (25 elements) to `[-1, 4]`: 25 is not divisible by 4');
  });

  it('reshape with one -1 computes the missing size', () => {
    const { info } = run(model('m', [6, 4], [L.reshape([3, -1])]));
    expect(info.layers[0].outputShape).toEqual([null, 3, 8]);
  });

  it('NN3007: embedding on float input', () => {
    const { diagnostics } = run(model('m', [10], [L.embedding(50, 8)]));
    expect(diagnostics[0].code).toBe('NN3007');
    expect(diagnostics[0].message).toMatch(/^expected int32 token ids as input of `embedding_\d+`, found float32$/);
  });

  it('NN3008: softmax over a single unit is a warning and inference goes on', () => {
    const m = model('m', [4], [L.dense(1, 'softmax'), L.activation('softmax')]);
    const { diagnostics, info } = run(m, spansFor('/models/0/layers/0/activation'));
    expect(diagnostics.map((d) => [d.code, d.severity])).toEqual([['NN3008', 'warning'], ['NN3008', 'warning']]);
    expect(diagnostics[0].span?.line).toBe(1);
    expect(info.complete).toBe(true);
  });

  it('NN3009: a recurrent layer after flatten', () => {
    const { diagnostics } = run(model('m', [10, 3], [L.flatten(), L.rnn('lstm', 4)]));
    expect(diagnostics[0].code).toBe('NN3009');
    expect(diagnostics[0].message).toMatch(/^expected a sequence \[steps, features\] as input of `lstm_\d+`, found shape `\[30\]`$/);
    expect(diagnostics[0].help).toMatch(/remove the `flatten`/);
  });

  it('NN3009: stacked recurrent layers need return_sequences', () => {
    // reset_after: false says the tfjs count is meant, so no NN3040 warning comes first
    const gru = (): Layer => ({ ...L.rnn('gru', 4), reset_after: false }) as Layer;
    const first = gru();
    const { diagnostics } = run(model('m', [10, 3], [first, gru()]));
    expect(diagnostics[0].code).toBe('NN3009');
    expect(diagnostics[0].help).toBe(`set \`return_sequences: true\` on \`${first.name}\` so it passes on every step`);
  });

  it('NN3010: flatten on an already flat input (tfjs rejects it)', () => {
    const { diagnostics } = run(model('m', [784], [L.flatten()]));
    expect(diagnostics[0].code).toBe('NN3010');
    expect(diagnostics[0].message).toMatch(/^expected input of rank at least 2 for `flatten_\d+`, found shape `\[784\]`$/);
  });

  it('NN3011: a zero size in a reshape', () => {
    expect(run(model('m', [4], [L.reshape([0, 4])])).diagnostics[0].code).toBe('NN3011');
  });

  it('NN3012: strides and dilation together', () => {
    const { diagnostics } = run(model('m', [20, 20, 1], [L.conv2d(2, 3, { strides: 2, dilation: 2 })]));
    expect(diagnostics[0].code).toBe('NN3012');
    expect(diagnostics[0].message).toMatch(/^expected strides of 1 with dilation `\[2, 2\]` in `conv2d_\d+`, found strides `\[2, 2\]`$/);
  });

  it('dense directly on a rank-3 conv output is fine', () => {
    const { diagnostics, info } = run(model('m', [8, 8, 1], [L.conv2d(4, 3), L.dense(10, 'softmax')]));
    expect(diagnostics).toEqual([]);
    expect(info.layers[1].outputShape).toEqual([null, 6, 6, 10]);
    expect(info.layers[1].params).toBe(4 * 10 + 10);
  });
});

describe('FLOPs and memory', () => {
  it('MLP: 2 per multiply-add plus one per bias', () => {
    const { info } = run(model('mlp', [28, 28], [L.flatten(), L.dense(500, 'sigmoid'), L.dense(200, 'sigmoid'), L.dense(10, 'softmax')]));
    const macs = 784 * 500 + 500 * 200 + 200 * 10;
    expect(info.flops).toBe(2 * macs + 500 + 200 + 10);
    expect(info.weightBytes).toBe(494_710 * 4);
    expect(info.activationBytes).toBe((784 + 500 + 200 + 10) * 4);
  });

  it('conv2d counts every output position', () => {
    const { info } = run(model('c', [28, 28, 1], [L.conv2d(32, 3)]));
    expect(info.layers[0].flops).toBe(26 * 26 * 32 * (2 * 3 * 3 * 1 + 1));
  });

  it('batch norm: moving statistics are non-trainable', () => {
    const { info } = run(model('b', [5, 7], [L.batchNorm()]));
    expect([info.trainableParams, info.nonTrainableParams]).toEqual([14, 14]);
  });

  it('NN3048: batch norm without gamma or beta, which tfjs cannot train', () => {
    for (const off of ['center', 'scale'] as const) {
      const { diagnostics } = run(model('b', [5, 7], [L.batchNorm({ [off]: false })]));
      expect(diagnostics.map((d) => d.code)).toEqual(['NN3048']);
    }
  });
});
