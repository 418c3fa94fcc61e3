// The arithmetic behind a layer's output shape and parameter count, as shown on hover: `height: floor((28 - 3) / 1) + 1 = 26`.
// Each layer type's module states it (LayerModule.explain, on the shapes inference found); a type without one gets
// no arithmetic, only the facts inference gave.
import { humanFlops, thousands } from '../shapes/summary.js';
import { layerModule } from '../layers/registry.js';
import type { LayerEntry, ModelEntry } from './layers-index.js';

type Dims = (number | null)[];
const show = (dims: Dims) => `[${dims.filter((_, i) => i > 0).map((d) => (d === null ? 'None' : d)).join(', ')}]`;
const sample = (dims: Dims) => dims.slice(1) as number[];

/** Lines of arithmetic for the shape and the parameters, from the layer type's own module; none when it has no `explain`. */
export function arithmetic(entry: LayerEntry): string[] {
  const shape = entry.shape;
  const explain = layerModule(entry.layer.type)?.explain;
  if (!shape || !explain) return [];
  const input = sample(shape.inputShape);
  const inputs = entry.inputShapes?.map(sample) ?? [input];
  try {
    return explain(entry.layer as never, { input, inputs, out: sample(shape.outputShape), params: shape.params });
  } catch {
    // A layer whose values inference accepted but an explanation does not expect: the hover keeps its facts.
    return [];
  }
}

export function inlayLabel(entry: LayerEntry): string | null {
  return entry.shape ? `-> ${show(entry.shape.outputShape)}` : null;
}

export function layerHover(entry: LayerEntry): string {
  const s = entry.shape;
  const title = `**${entry.layer.name}** \`${entry.layer.type}\``;
  if (!s) return `${title}\n\nno shape: fix the errors before this layer`;
  const lines = [
    `${title}: \`${show(s.inputShape)}\` -> \`${show(s.outputShape)}\``,
    '',
    `- output shape: \`${show(s.outputShape)}\` (with the batch axis: \`[${s.outputShape.map((d) => (d === null ? 'None' : d)).join(', ')}]\`)`,
    `- params: ${thousands(s.params)} (trainable ${thousands(s.trainableParams)}, non-trainable ${thousands(s.nonTrainableParams)})`,
    `- FLOPs: ${humanFlops(s.flops)} per sample`,
  ];
  const math = arithmetic(entry);
  if (math.length) lines.push('', '```', ...math, '```');
  return lines.join('\n');
}

export function modelHover(entry: ModelEntry): string {
  const info = entry.info;
  const title = `**model ${entry.model.name}**`;
  if (!info) return `${title}\n\nno shapes: fix the errors in this model`;
  const lastLayer = info.layers[info.layers.length - 1];
  return [
    `${title}: \`${show(info.input)}\` -> \`${lastLayer ? show(lastLayer.outputShape) : '?'}\`${info.complete ? '' : ' (stopped at a shape error)'}`,
    '',
    `- ${info.layers.length} layers, ${thousands(info.totalParams)} params (trainable ${thousands(info.trainableParams)}, non-trainable ${thousands(info.nonTrainableParams)})`,
    `- FLOPs: ${humanFlops(info.flops)} per sample`,
  ].join('\n');
}
