// Bugs of tfjs 4.22 that models nnc accepts would meet, mended where every generated model runs: lib/layers.ts
// imports this file, and model-io.ts imports lib/layers.ts before any model is built or loaded. Found by the
// differential test on random graphs (test/layers/differential-dag.test.ts) and the recurrent-state tests; proven by
// test/graph/tfjs-mends.test.ts and test/graph/states-attention.test.ts.
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
 * tfjs' executor (predict, evaluate, a model called as a layer) frees each tensor once its users have run, and two
 * cases free one too early, while a later layer still needs it ("Cannot read properties of undefined (reading
 * 'backend')", or "Tensor is disposed"); training steps free nothing and are not touched.
 * - It counts a tensor's users once per layer but spends one per input: a layer that takes one tensor twice
 *   (`multiply(t, t)`, `average(t, t, u)`, attention with `t` as query and value) spends two. Such a layer keeps a
 *   clone of the tensor (the same data, freed with the step's other tensors), and a layer handed the freed tensor
 *   gets the clone instead.
 * - It frees a layer's outputs one by one, and a recurrent layer with `return_state` and no `return_sequences` gives
 *   one tensor as its output and as its state h: freed after the output's last user, it is gone for h's. Each
 *   output after the first that is the same tensor is given as a clone of it.
 */
const kept = new WeakMap<tf.Tensor, tf.Tensor>();
const repeatedAsClones = (ts: unknown[], keep: boolean) => ts.map((t, k) => {
  if (!(t instanceof tf.Tensor) || ts.indexOf(t) === k) return t;
  if (!keep) return tf.clone(t);
  if (!kept.has(t)) kept.set(t, tf.clone(t));
  return t;
});
type Apply = (this: tf.layers.Layer, inputs: unknown, kwargs?: unknown) => unknown;
const layerProto = tf.layers.Layer.prototype as unknown as { apply: Apply; nncFreesInTime?: boolean };
if (!layerProto.nncFreesInTime) {
  const apply = layerProto.apply;
  layerProto.apply = function (inputs, kwargs) {
    const concrete = (Array.isArray(inputs) ? inputs : [inputs]).some((t) => t instanceof tf.Tensor);
    if (!concrete) return apply.call(this, inputs, kwargs);
    const values = Array.isArray(inputs)
      ? repeatedAsClones(inputs.map((t) => (t instanceof tf.Tensor && t.isDisposed && kept.get(t)) || t), true)
      : inputs;
    const out = apply.call(this, values, kwargs);
    return Array.isArray(out) ? repeatedAsClones(out, false) : out;
  };
  layerProto.nncFreesInTime = true;
}

/**
 * tfjs 4.22's RNN.apply writes `initialState` into the keyword arguments it is given. In a training step the
 * executor passes one object to every layer, so the states of the first recurrent layer with `initial_state` reach
 * every recurrent layer run after it: a later LSTM starts from them without a word, or tfjs throws "When inputs is an
 * array, neither initialState or constants should be provided" (found by test/graph/states-attention.test.ts).
 * Each call gets its own copy, as Keras' call does.
 */
type RnnApply = (this: tf.layers.Layer, inputs: unknown, kwargs?: Record<string, unknown>) => unknown;
// tfjs' Bidirectional (not exported as a class) writes them too, and its call splits them into the kwargs it is given
const bidirectional = tf.serialization.SerializationMap.getMap().classNameMap.Bidirectional?.[0] as unknown as { prototype: object } | undefined;
for (const proto of [tf.RNN.prototype, ...(bidirectional ? [bidirectional.prototype] : [])] as unknown as { apply: RnnApply; nncOwnKwargs?: boolean }[]) {
  if (Object.prototype.hasOwnProperty.call(proto, 'nncOwnKwargs')) continue;
  const apply = proto.apply;
  proto.apply = function (this: tf.layers.Layer, inputs, kwargs) {
    return apply.call(this, inputs, kwargs == null ? kwargs : { ...kwargs });
  };
  proto.nncOwnKwargs = true;
}
