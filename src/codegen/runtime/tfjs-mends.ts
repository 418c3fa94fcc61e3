// Bugs of tfjs 4.22 that models nnc accepts would meet, mended where every generated model runs: lib/layers.ts
// imports this file, and model-io.ts imports lib/layers.ts before any model is built or loaded. Each was found by the
// differential test on random graphs (test/layers/differential-dag.test.ts), and is proven by test/graph/tfjs-mends.test.ts.
import * as tf from '@tensorflow/tfjs';

/** `dy` summed over the axes that broadcasting added or stretched, back to an input's `shape` (as Add's gradient does). */
function reducedTo(dy: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(shape, dy.shape);
  return axes.length ? tf.reshape(tf.sum(dy, axes), shape) : dy;
}

/**
 * tfjs-core's Maximum and Minimum gradients are not summed over broadcast axes, unlike Add's and Mul's: a `maximum`
 * or `minimum` merge of [6, 4] and [6, 1], which tfjs builds and runs forward, throws "Error in gradient for op
 * Maximum. The gradient of input 'b' has shape '2,6,4', which does not match the shape of the input '2,6,1'" in
 * the first training step. The same gradients (a's where it wins or ties, b's elsewhere), summed to each input's shape.
 */
// registering again (a second copy of this file) replaces the gradient with the same one
for (const [kernelName, aWins] of [['Maximum', tf.greaterEqual], ['Minimum', tf.lessEqual]] as const) {
  tf.registerGradient({
    kernelName,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved;
      const toA = tf.cast(aWins(a, b), 'float32');
      return {
        a: () => reducedTo(tf.mul(dy as tf.Tensor, toA), a.shape),
        b: () => reducedTo(tf.mul(dy as tf.Tensor, tf.sub(1, toA)), b.shape),
      };
    },
  });
}

/**
 * tfjs' executor (predict, evaluate, a model called as a layer) counts a tensor's users once per layer but uses
 * them up once per input: a layer that takes one tensor twice (`multiply(t, t)`, `average(t, t, u)`, attention with
 * `t` as query and value) spends two, so the tensor is freed while a later layer still needs it ("Cannot read
 * properties of undefined (reading 'backend')", or "Tensor is disposed"). Training steps free nothing and are not
 * touched. A layer that takes a tensor twice keeps a clone of it (the same data, freed with the step's other
 * tensors); a layer handed the freed tensor gets the clone instead.
 */
const kept = new WeakMap<tf.Tensor, tf.Tensor>();
type Apply = (this: tf.layers.Layer, inputs: unknown, kwargs?: unknown) => unknown;
const layerProto = tf.layers.Layer.prototype as unknown as { apply: Apply; nncKeepsRepeatedInputs?: boolean };
if (!layerProto.nncKeepsRepeatedInputs) {
  const apply = layerProto.apply;
  layerProto.apply = function (inputs, kwargs) {
    if (Array.isArray(inputs) && inputs.some((t) => t instanceof tf.Tensor)) {
      const values = inputs.map((t) => (t instanceof tf.Tensor && t.isDisposed && kept.get(t)) || t);
      values.forEach((t, k) => {
        if (t instanceof tf.Tensor && values.indexOf(t) !== k && !kept.has(t)) kept.set(t, tf.clone(t));
      });
      return apply.call(this, values, kwargs);
    }
    return apply.call(this, inputs, kwargs);
  };
  layerProto.nncKeepsRepeatedInputs = true;
}
