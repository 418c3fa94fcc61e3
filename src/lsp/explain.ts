// The arithmetic behind a layer's output shape and parameter count, as shown on hover: `height: floor((28 - 3) / 1) + 1 = 26`.
// It restates tfjs' rules (the same ones src/shapes/layers.ts checks) on the layer's values; a layer type it does
// not know gets no arithmetic, only the facts inference gave.
import { humanFlops, thousands } from '../shapes/summary.js';
import type { LayerEntry, ModelEntry } from './layers-index.js';

type Dims = (number | null)[];
const show = (dims: Dims) => `[${dims.filter((_, i) => i > 0).map((d) => (d === null ? 'None' : d)).join(', ')}]`;
const num = (v: unknown, axis = 0): number => (Array.isArray(v) ? Number(v[axis]) : Number(v));

/** One line per axis of a sliding window (conv or pool). */
function windowLines(axes: string[], input: number[], size: unknown, strides: unknown, dilation: unknown, padding: unknown, out: number[]): string[] {
  return axes.map((axis, a) => {
    const n = input[a];
    const s = num(strides ?? 1, a);
    if (padding === 'same') return `${axis}: ceil(${n} / ${s}) = ${out[a]}`;
    const k = num(size, a);
    const d = num(dilation ?? 1, a);
    const effective = d > 1 ? `((${k} - 1) * ${d} + 1)` : String(k);
    return `${axis}: floor((${n} - ${effective}) / ${s}) + 1 = ${out[a]}`;
  });
}

/** Lines of arithmetic for the shape and the parameters; empty when the layer's type is not one this knows. */
export function arithmetic(entry: LayerEntry): string[] {
  const shape = entry.shape;
  if (!shape) return [];
  const l = entry.layer as unknown as Record<string, unknown>;
  const input = shape.inputShape.slice(1) as number[];
  const out = shape.outputShape.slice(1) as number[];
  const last = input[input.length - 1];
  const bias = l.use_bias === false ? 0 : 1;
  const biasText = (n: number) => (bias ? ` + ${n}` : '');
  switch (l.type) {
    case 'dense': {
      const units = Number(l.units);
      return [`units: ${last} -> ${units}`, `params: ${last} * ${units}${biasText(units)} = ${thousands(shape.params)}`];
    }
    case 'conv1d':
    case 'conv2d': {
      const axes = l.type === 'conv1d' ? ['steps'] : ['height', 'width'];
      const filters = Number(l.filters);
      const kernel = axes.map((_, a) => num(l.kernel, a));
      return [
        ...windowLines(axes, input, l.kernel, l.strides, l.dilation, l.padding, out),
        `channels: ${last} -> ${filters} (filters)`,
        `params: ${[...kernel, last, filters].join(' * ')}${biasText(filters)} = ${thousands(shape.params)}`,
      ];
    }
    case 'max_pool1d':
    case 'avg_pool1d':
      return windowLines(['steps'], input, l.pool, l.strides ?? l.pool, 1, l.padding, out);
    case 'max_pool2d':
    case 'avg_pool2d':
      return windowLines(['height', 'width'], input, l.pool, l.strides ?? l.pool, 1, l.padding, out);
    case 'flatten':
      return [`${input.join(' * ')} = ${out[0]}`];
    case 'reshape':
      return [`${input.join(' * ')} = ${out.join(' * ')} = ${input.reduce((a, b) => a * b, 1)}`];
    case 'global_max_pool1d':
    case 'global_avg_pool1d':
    case 'global_max_pool2d':
    case 'global_avg_pool2d':
      return [`pools over ${input.slice(0, -1).join(' x ')}, keeps ${last} channels`];
    case 'embedding':
      return [`appends output_dim ${l.output_dim}`, `params: ${l.input_dim} * ${l.output_dim} = ${thousands(shape.params)}`];
    case 'lstm':
    case 'gru':
    case 'simple_rnn': {
      const gates = l.type === 'lstm' ? 4 : l.type === 'gru' ? 3 : 1;
      const units = Number(l.units);
      return [
        l.return_sequences ? `every step: [${input[0]}, ${units}]` : `last step only: [${units}]`,
        `params: ${gates} * ${units} * (${last} + ${units})${bias ? ` + ${gates} * ${units}` : ''} = ${thousands(shape.params)}`,
      ];
    }
    case 'batch_norm':
      return [`params: ${last} per channel for each of gamma, beta (trainable) and the moving mean and variance (not)`];
    default:
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
