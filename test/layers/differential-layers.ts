// The differential test's layer generator: for each layer type, the input ranks it takes, the rank it gives,
// and a call with arguments drawn from four random numbers. The generator prefers a layer the running rank can
// take, and sometimes picks any layer, so that nnc's rejections are compared with tfjs' too. A layer type without a
// generator here is drawn from its fixture cases (test/fixtures/layers/<type>.json), so a new type is in the test
// with nothing but its module and fixtures; a generator of its own only varies its arguments more.
import { readFileSync } from 'node:fs';
import { layerModule, layerTypes } from '../../src/layers/registry.js';

export type Rank = 1 | 2 | 3 | 4;
type Pick = [number, number, number, number];

interface Gen { takes: Rank[]; call: (p: Pick, rank: Rank) => { call: string; rank: Rank } }

const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'gelu', 'swish', 'relu6'];
const of = <T>(xs: readonly T[], n: number): T => xs[n % xs.length];
const pad = (n: number) => of(['valid', 'same'], n);
const same = (rank: Rank) => rank;
const rnn = (type: string) => (p: Pick) => ({
  call: `${type}(${1 + (p[1] % 5)}${p[2] % 2 ? ', return_sequences: true' : ''}${type === 'gru' && p[3] % 2 ? ', reset_after: false' : ''})`,
  rank: (p[2] % 2 ? 2 : 1) as Rank,
});
const keep = (call: (p: Pick) => string) => (p: Pick, rank: Rank) => ({ call: call(p), rank: same(rank) });
const to = (rank: Rank, call: (p: Pick) => string) => (p: Pick) => ({ call: call(p), rank });

/** Layer types with arguments drawn from the random numbers; the others come from their fixtures (below). */
const drawn: Record<string, Gen> = {
  dense: { takes: [1, 2, 3], call: keep((p) => `dense(${1 + (p[1] % 6)}, activation: ${of(ACTIVATIONS, p[2])}${p[3] % 5 === 0 ? ', trainable: false' : ''})`) },
  flatten: { takes: [2, 3, 4], call: to(1, () => 'flatten') },
  reshape: { takes: [1, 2, 3], call: (p) => (p[1] % 2 ? { call: 'reshape([-1, 1])', rank: 2 } : { call: `reshape([${1 + (p[2] % 3)}, -1, 1])`, rank: 3 }) },
  dropout: { takes: [1, 2, 3, 4], call: keep((p) => `dropout(${(p[1] % 9) / 10})`) },
  activation: { takes: [1, 2, 3, 4], call: keep((p) => `activation(${of(ACTIVATIONS, p[1])})`) },
  conv1d: { takes: [2], call: keep((p) => `conv1d(${1 + (p[1] % 4)}, ${1 + (p[2] % 3)}, strides: ${1 + (p[3] % 2)}, padding: ${pad(p[0])})`) },
  conv2d: { takes: [3], call: keep((p) => `conv2d(${1 + (p[1] % 4)}, ${1 + (p[2] % 3)}, ${p[3] % 3 === 2 ? 'dilation: 2' : `strides: ${1 + (p[3] % 2)}`}, padding: ${pad(p[0])})`) },
  max_pool1d: { takes: [2], call: keep((p) => `max_pool1d(${1 + (p[1] % 3)}, padding: ${pad(p[2])})`) },
  avg_pool1d: { takes: [2], call: keep((p) => `avg_pool1d(${1 + (p[1] % 3)}, strides: ${1 + (p[3] % 2)})`) },
  max_pool2d: { takes: [3], call: keep((p) => `max_pool2d(${1 + (p[1] % 3)}, padding: ${pad(p[2])})`) },
  avg_pool2d: { takes: [3], call: keep((p) => `avg_pool2d([${1 + (p[1] % 2)}, ${1 + (p[2] % 3)}])`) },
  global_max_pool1d: { takes: [2], call: to(1, () => 'global_max_pool1d') },
  global_avg_pool1d: { takes: [2], call: to(1, () => 'global_avg_pool1d') },
  global_max_pool2d: { takes: [3], call: to(1, () => 'global_max_pool2d') },
  global_avg_pool2d: { takes: [3], call: to(1, () => 'global_avg_pool2d') },
  batch_norm: { takes: [1, 2, 3, 4], call: keep((p) => `batch_norm(center: ${p[1] % 2 === 0}${p[2] % 4 === 0 ? ', trainable: false' : ''})`) },
  layer_norm: { takes: [1, 2, 3, 4], call: keep((p) => `layer_norm(scale: ${p[1] % 2 === 0})`) },
  embedding: { takes: [1], call: (p) => ({ call: `embedding(${5 + (p[1] % 9)}, ${1 + (p[2] % 4)})`, rank: 2 }) },
  lstm: { takes: [2], call: rnn('lstm') },
  gru: { takes: [2], call: rnn('gru') },
  simple_rnn: { takes: [2], call: rnn('simple_rnn') },
  conv2d_transpose: { takes: [3], call: keep((p) => `conv2d_transpose(${1 + (p[1] % 3)}, ${1 + (p[2] % 3)}, strides: ${1 + (p[3] % 2)}, padding: ${pad(p[0])})`) },
  up_sampling1d: { takes: [2], call: keep((p) => `up_sampling1d(${1 + (p[1] % 3)})`) },
  up_sampling2d: { takes: [3], call: keep((p) => `up_sampling2d([${1 + (p[1] % 2)}, ${1 + (p[2] % 3)}]${p[3] % 2 ? ', interpolation: bilinear' : ''})`) },
  zero_padding1d: { takes: [2], call: keep((p) => `zero_padding1d([${p[1] % 3}, ${p[2] % 2}])`) },
  zero_padding2d: { takes: [3], call: keep((p) => (p[3] % 2 ? `zero_padding2d(${p[1] % 3})` : `zero_padding2d([[${p[1] % 2}, ${p[2] % 3}], ${p[0] % 2}])`)) },
  cropping1d: { takes: [2], call: keep((p) => `cropping1d([${p[1] % 3}, ${p[2] % 2}])`) },
  cropping2d: { takes: [3], call: keep((p) => `cropping2d([[${p[1] % 2}, ${p[2] % 3}], [${p[0] % 2}, 0]])`) },
  separable_conv2d: { takes: [3], call: keep((p) => `separable_conv2d(${1 + (p[1] % 3)}, ${1 + (p[2] % 3)}, depth_multiplier: ${1 + (p[3] % 2)}, padding: ${pad(p[0])})`) },
  depthwise_conv2d: { takes: [3], call: keep((p) => `depthwise_conv2d(${1 + (p[1] % 3)}, depth_multiplier: ${1 + (p[2] % 2)}, strides: ${1 + (p[3] % 2)})`) },
  repeat_vector: { takes: [1], call: to(2, (p) => `repeat_vector(${1 + (p[1] % 4)})`) },
  permute: {
    takes: [1, 2, 3, 4],
    call: (p, rank) => {
      const dims = Array.from({ length: rank }, (_, i) => i + 1);
      for (let i = dims.length - 1; i > 0; i--) {
        const j = (p[1] + 7 * i) % (i + 1);
        [dims[i], dims[j]] = [dims[j], dims[i]];
      }
      return { call: `permute([${dims.join(', ')}])`, rank };
    },
  },
  leaky_relu: { takes: [1, 2, 3, 4], call: keep((p) => `leaky_relu(${(p[1] % 5) / 10})`) },
  prelu: { takes: [1, 2, 3], call: (p, rank) => ({ call: p[1] % 2 && rank > 1 ? `prelu(shared_axes: [1])` : 'prelu', rank }) },
  elu: { takes: [1, 2, 3, 4], call: keep((p) => `elu(${of([1, 0.5, 2], p[1])})`) },
  relu: { takes: [1, 2, 3, 4], call: keep((p) => (p[1] % 2 ? `relu(max_value: ${1 + (p[2] % 6)})` : 'relu')) },
  relu6: { takes: [1, 2, 3, 4], call: keep(() => 'relu6') },
  softmax: { takes: [1, 2, 3], call: (p, rank) => ({ call: `softmax(axis: ${of([-1, 1, -rank, rank], p[1])})`, rank }) },
  bidirectional: {
    takes: [2],
    call: (p) => {
      const inner = rnn(of(['lstm', 'gru', 'simple_rnn'], p[3]))(p);
      return { call: `bidirectional(${inner.call}, merge_mode: ${of(['concat', 'sum', 'mul', 'ave'], p[0])})`, rank: inner.rank };
    },
  },
  multi_head_attention: { takes: [2], call: keep((p) => `multi_head_attention(${1 + (p[1] % 3)}, ${1 + (p[2] % 4)}${p[3] % 2 ? `, value_dim: ${1 + (p[0] % 3)}` : ''})`) },
  time_distributed: {
    takes: [2, 3, 4],
    call: (p, rank) => {
      if (rank === 4 && p[1] % 2) return { call: `time_distributed(conv2d(${1 + (p[2] % 3)}, ${1 + (p[3] % 2)}))`, rank: 4 };
      if (rank === 4) return { call: 'time_distributed(max_pool2d(2))', rank: 4 };
      return { call: `time_distributed(dense(${1 + (p[2] % 4)}))`, rank };
    },
  },
};

/** A generator from a layer type's fixture cases: the calls on a one-input float tensor of rank 1 to 4. */
function fromFixtures(type: string): Gen | null {
  const { cases } = JSON.parse(readFileSync(`test/fixtures/layers/${type}.json`, 'utf8')) as {
    cases: { layer: string; input?: number[]; dtype?: string; out: number[] }[];
  };
  const usable = cases.filter((c) => c.input && !c.dtype && c.input.length <= 4 && c.out.length >= 1 && c.out.length <= 4);
  if (usable.length === 0) return null;
  const takes = [...new Set(usable.map((c) => c.input!.length as Rank))].sort();
  return {
    takes,
    call: (p, rank) => {
      const fits = usable.filter((c) => c.input!.length === rank);
      const c = of(fits.length ? fits : usable, p[3]);
      return { call: c.layer, rank: c.out.length as Rank };
    },
  };
}

/** Every registered layer type but the merge layers (several inputs: test/graph/ and the agreement test cover them). */
export const generators: Record<string, Gen> = Object.fromEntries(
  layerTypes.filter((t) => !layerModule(t)?.merge).flatMap((t) => {
    const gen = drawn[t] ?? fromFixtures(t);
    return gen ? [[t, gen]] : [];
  }),
);

const ranks = (rank: Rank) => Object.keys(generators).filter((t) => generators[t].takes.includes(rank));

/** The next layer for an input of rank `rank`: mostly one that takes it, one in seven any layer. */
export function layerCall(rank: Rank, p: Pick): { call: string; rank: Rank } {
  const types = p[0] % 7 === 0 ? Object.keys(generators) : ranks(rank);
  const type = of(types, p[1] + 31 * p[2]);
  const next = generators[type].call(p, rank);
  return { call: next.call, rank: Math.min(4, Math.max(1, next.rank)) as Rank };
}
