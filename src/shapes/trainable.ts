// What tfjs 4.22 cannot take a training step on, though it builds and runs the model forward: found by the
// differential test (test/layers/differential.test.ts). Checked for every model a `train` block trains.
import type { LayerShapeInfo, ModelShapeInfo } from './infer.js';
import type { ModelSpec } from '../spec/types.js';

export type Untrainable =
  | { code: 'NN4040' }
  | { code: 'NN4041' | 'NN4042'; layerIndex: number; name: string }
  | { code: 'NN4043'; first: string; second: string; firstShape: (number | null)[]; secondShape: (number | null)[] };

const STEPPED = new Set(['lstm', 'gru', 'simple_rnn', 'bidirectional', 'time_distributed']);

const dilated = (l: { dilation?: unknown; layer?: unknown }): boolean =>
  [l.dilation].flat().some((d) => typeof d === 'number' && d > 1) || (typeof l.layer === 'object' && l.layer !== null && dilated(l.layer));

/**
 * The layers that the tensors `from` depend on, by name: walking back from the model's outputs, the layers of the
 * model tfjs builds (`tf.model` holds only those, so a layer that reaches no output is never trained).
 */
function upstream(info: ModelShapeInfo, from: readonly string[]): Set<string> {
  const producer = new Map<string, LayerShapeInfo>();
  for (const l of info.layers) for (const name of [l.name, ...(l.stateNames ?? [])]) producer.set(name, l);
  const seen = new Set<string>();
  const stack = [...from];
  while (stack.length) {
    const l = producer.get(stack.pop()!);
    if (!l || seen.has(l.name)) continue;
    seen.add(l.name);
    stack.push(...l.inputs);
  }
  return seen;
}

/** Why tfjs cannot train `model`, or null when it can. Only layers that reach an output count (found by differential-dag.test.ts). */
export function untrainable(model: ModelSpec, info: ModelShapeInfo): Untrainable | null {
  const built = upstream(info, info.outputs);
  const inModel = (i: number) => built.has(model.layers[i].name);
  // tfjs' gradients of conv2d and depthwise conv2d (conv1d is a conv2d) assert dilation 1
  const index = model.layers.findIndex((l, i) => inModel(i) && dilated(l as { dilation?: unknown }));
  if (index >= 0) return { code: 'NN4041', layerIndex: index, name: model.layers[index].name };
  // tfjs' step loop (recurrent layers, TimeDistributed) over one step fails the gradient it passes back to its input
  // ("stack must be a Tensor[]"): a failure only where a layer before it has weights to train; its own weights train.
  const byName = new Map(info.layers.map((l) => [l.name, l]));
  const weightsBefore = (l: LayerShapeInfo) => [...upstream(info, l.inputs)].some((n) => byName.get(n)!.trainableParams > 0);
  const single = model.layers.findIndex((l, i) => {
    const shaped = byName.get(l.name);
    return inModel(i) && STEPPED.has(l.type) && shaped !== undefined && shaped.inputShape[1] === 1 && weightsBefore(shaped);
  });
  if (single >= 0) return { code: 'NN4042', layerIndex: single, name: model.layers[single].name };
  // variableGrads throws when no variable is trainable
  if (![...built].some((n) => byName.get(n)!.trainableParams > 0)) return { code: 'NN4040' };
  return lossesApart(info);
}

/**
 * tfjs 4.22's training step adds the outputs' losses per sample before it averages them (training.ts,
 * totalLossFunction), so the per-sample losses, each an output's shape without its last axis, must broadcast: two
 * sequence outputs of 7 and 6 steps throw "Operands could not be broadcast", and so do a [batch] and a [batch, 5]
 * loss (a vector output beside a sequence output) unless the batch happens to be 5 (found by differential-dag.test.ts).
 */
function lossesApart(info: ModelShapeInfo): Untrainable | null {
  const shapeOf = (o: string) => {
    const l = info.layers.find((x) => x.name === o || x.stateNames?.includes(o));
    if (!l) return null;
    return l.name === o ? l.outputShape : l.stateShapes![l.stateNames!.indexOf(o)];
  };
  const outs = info.outputs.map((o) => ({ o, shape: shapeOf(o) })).filter((x): x is { o: string; shape: (number | null)[] } => x.shape !== null);
  // the losses keep the batch axis (null: its size is the trainer's batch, so it fits only itself or 1)
  const lossShape = (shape: (number | null)[]) => shape.slice(0, -1);
  let sum: (number | null)[] = [];
  for (let k = 0; k < outs.length; k++) {
    const next = broadcastShapes(sum, lossShape(outs[k].shape));
    if (!next) {
      const first = outs.find((x) => !broadcastShapes(lossShape(x.shape), lossShape(outs[k].shape)))!;
      return { code: 'NN4043', first: first.o, second: outs[k].o, firstShape: first.shape, secondShape: outs[k].shape };
    }
    sum = next;
  }
  return null;
}

/** numpy broadcasting, aligned on the last axis; null when the shapes do not broadcast. A null size (the batch) fits only itself and 1. */
function broadcastShapes(a: (number | null)[], b: (number | null)[]): (number | null)[] | null {
  const n = Math.max(a.length, b.length);
  const out: (number | null)[] = [];
  for (let i = 1; i <= n; i++) {
    const x = i <= a.length ? a[a.length - i] : 1;
    const y = i <= b.length ? b[b.length - i] : 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.unshift(x === 1 ? y : x);
  }
  return out;
}
