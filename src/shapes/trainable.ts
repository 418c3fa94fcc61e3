// What tfjs 4.22 cannot take a training step on, though it builds and runs the model forward: found by the
// differential test (test/layers/differential.test.ts). Checked for every model a `train` block trains.
import type { ModelShapeInfo } from './infer.js';
import type { ModelSpec } from '../spec/types.js';

export type Untrainable =
  | { code: 'NN4040' }
  | { code: 'NN4041' | 'NN4042'; layerIndex: number; name: string };

const STEPPED = new Set(['lstm', 'gru', 'simple_rnn', 'bidirectional', 'time_distributed']);

const dilated = (l: { dilation?: unknown; layer?: unknown }): boolean =>
  [l.dilation].flat().some((d) => typeof d === 'number' && d > 1) || (typeof l.layer === 'object' && l.layer !== null && dilated(l.layer));

/** Why tfjs cannot train `model`, or null when it can. */
export function untrainable(model: ModelSpec, info: ModelShapeInfo): Untrainable | null {
  // tfjs' gradients of conv2d and depthwise conv2d (conv1d is a conv2d) assert dilation 1
  const index = model.layers.findIndex((l) => dilated(l as { dilation?: unknown }));
  if (index >= 0) return { code: 'NN4041', layerIndex: index, name: model.layers[index].name };
  // tfjs' step loop (recurrent layers, TimeDistributed) over one step fails the gradient it passes back to its input
  // ("stack must be a Tensor[]"): a failure only where an earlier layer has weights to train; its own weights train
  const weightsBefore = (i: number) => info.layers.slice(0, i).some((l) => l.trainableParams > 0);
  const single = model.layers.findIndex((l, i) => STEPPED.has(l.type) && info.layers[i]?.inputShape[1] === 1 && weightsBefore(i));
  if (single >= 0) return { code: 'NN4042', layerIndex: single, name: model.layers[single].name };
  // variableGrads throws when no variable is trainable
  if (info.trainableParams === 0) return { code: 'NN4040' };
  return null;
}
