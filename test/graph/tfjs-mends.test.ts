// tfjs 4.22 bugs that the generated runtime mends (src/codegen/runtime/tfjs-mends.ts, loaded with lib/layers.ts), each
// found by the differential test on random graphs: models nnc accepts, built as generated model.ts builds them, run
// forward and trained a step. Without the mends each of these throws in tfjs.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildFunctional, checked } from './tfjs-functional.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The model of `text`, built as generated code builds it, with its inputs' shapes. */
function built(text: string) {
  const r = checked('mends.nn', text);
  const { model, graph } = buildFunctional(r.spec!.models[0], r.shapes[0]);
  return { model, shapes: graph.inputs.map((i) => i.shape) };
}

const ramp = (shape: number[]) => tf.reshape(tf.range(0, shape.reduce((a, b) => a * b, 1)), shape).div(10);

describe('tfjs 4.22 mends in the generated runtime', () => {
  for (const op of ['maximum', 'minimum'] as const) {
    it(`a ${op} merge broadcasting [6, 1] to [6, 4] trains a step, each input's gradient summed to its shape`, async () => {
      // tfjs-core's gradient threw "Error in gradient for op Maximum. The gradient of input 'b' has shape '2,6,4',
      // which does not match the shape of the input '2,6,1'" (differential-dag seeds 1-3)
      const { model } = built(`model M {
  input x: [6, 4]
  input y: [6, 1]
  a = dense(4)(x)
  b = dense(1)(y)
  m = ${op}(a, b)
}
`);
      model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
      const [x, y, target] = [ramp([2, 6, 4]), ramp([2, 6, 1]), tf.zeros([2, 6, 4])];
      const before = model.getWeights().map((w) => w.arraySync());
      const loss = await model.trainOnBatch([x, y], target);
      expect(Number.isFinite(loss as number)).toBe(true);
      // both branches get a gradient: each dense layer's kernel moved
      const after = model.getWeights().map((w) => w.arraySync());
      expect(after[0]).not.toEqual(before[0]);
      expect(after[2]).not.toEqual(before[2]);
      tf.dispose([x, y, target]);
    });
  }

  it('a broadcast maximum\'s and minimum\'s gradients: the winner\'s places, summed over the broadcast axis', () => {
    const a = tf.tensor2d([[1, 5, 2], [4, 0, 3]]);
    const b = tf.tensor2d([[2], [5]]);
    const [ga, gb] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.maximum(p, q))([a, b]);
    // a where it wins or ties, b in every other place of its row, counted
    expect(ga.arraySync()).toEqual([[0, 1, 1], [0, 0, 0]]);
    expect(gb.arraySync()).toEqual([[1], [3]]);
    const [gaMin, gbMin] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.minimum(p, q))([a, b]);
    expect(gaMin.arraySync()).toEqual([[1, 0, 1], [1, 1, 1]]);
    expect(gbMin.arraySync()).toEqual([[1], [0]]);
  });

  for (const [what, layer] of [['multiply(t, t)', 'multiply(t, t)'], ['average(t, t, x)', 'average(t, t, x)'], ['self-attention with t as query and value', 'multi_head_attention(2, 4)(t, t)']]) {
    it(`${what} then another use of t: predict and evaluate run (tfjs freed t after the first layer)`, () => {
      // tfjs' executor counted t's users once per layer and spent one per input: "Cannot read properties of undefined
      // (reading 'backend')" in predict (differential-dag seeds 1-3)
      const { model } = built(`model M {
  input x: [4, 6]
  t = relu()(x)
  u = ${layer}
  y = add(u, t)
}
`);
      const x = ramp([2, 4, 6]);
      const y = model.predict(x) as tf.Tensor;
      expect(y.shape).toEqual([2, 4, 6]);
      expect(y.isDisposed).toBe(false);
      model.compile({ optimizer: tf.train.sgd(0), loss: 'meanSquaredError' });
      const loss = model.evaluate(x, tf.zerosLike(y)) as tf.Scalar;
      // evaluation computes what the forward pass computed
      expect(loss.dataSync()[0]).toBeCloseTo(tf.mean(tf.square(y)).dataSync()[0], 4);
      tf.dispose([x, y, loss]);
    });
  }

  for (const [type, names] of [['lstm', 'out, h, c'], ['gru', 'out, h'], ['simple_rnn', 'out, h']]) {
    it(`${type} with return_state: its output and its state h, one tensor in tfjs, each used by its own layers in predict`, () => {
      // tfjs freed the output after relu, and h with it (differential-dag seeds 12, 21, 26, 30)
      const { model } = built(`model M {
  input x: [5, 3]
  ${names} = ${type}(4, return_state: true${type === 'gru' ? ', reset_after: false' : ''})(x)
  r = relu()(out)
  y = maximum(r, h)
}
`);
      const x = ramp([2, 5, 3]);
      const y = model.predict(x) as tf.Tensor;
      expect(y.shape).toEqual([2, 4]);
      model.compile({ optimizer: tf.train.sgd(0), loss: 'meanSquaredError' });
      const loss = model.evaluate(x, tf.zerosLike(y)) as tf.Scalar;
      expect(loss.dataSync()[0]).toBeCloseTo(tf.mean(tf.square(y)).dataSync()[0], 4);
      tf.dispose([x, y, loss]);
    });
  }
});
