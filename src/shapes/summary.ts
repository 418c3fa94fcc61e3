// `nnc summary`: a Keras-style table of a model's layers with parameter, FLOP and memory totals.
import type { ModelShapeInfo } from './infer.js';

/** 494710 -> "494,710". */
export function thousands(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Bytes in binary units: "1.89 MiB". */
export function humanBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(2)} ${units[unit]}`;
}

/** FLOPs in decimal units: "0.99 MFLOPs". */
export function humanFlops(flops: number): string {
  const units = ['FLOPs', 'KFLOPs', 'MFLOPs', 'GFLOPs', 'TFLOPs'];
  let value = flops;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} FLOPs` : `${value.toFixed(2)} ${units[unit]}`;
}

const shapeText = (shape: (number | null)[]) => `(${shape.map((d) => (d === null ? 'None' : String(d))).join(', ')}${shape.length === 1 ? ',' : ''})`;

/** A chain prints as Keras prints a Sequential model; a graph also lists its inputs and what each layer takes. */
export function formatSummary(info: ModelShapeInfo): string {
  const graph = info.graph ?? false;
  const header = ['Layer (type)', 'Output Shape', 'Param #', ...(graph ? ['Connected to'] : [])];
  const rows = [
    ...(graph ? info.inputs.map((i) => [`${i.name} (input)`, shapeText(i.shape), '0', '']) : []),
    ...info.layers.map((l) => [
      `${[l.name, ...(l.stateNames ?? [])].join(', ')} (${l.type})`,
      // a layer that gives its states too lists every shape, as Keras does: [(None, 8), (None, 8), (None, 8)]
      l.stateShapes ? `[${[l.outputShape, ...l.stateShapes].map(shapeText).join(', ')}]` : shapeText(l.outputShape),
      thousands(l.params), ...(graph ? [l.inputs.join(', ')] : []),
    ]),
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)) + 2);
  // Param # is right-aligned; the other columns left-aligned.
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 2 ? cell.padStart(widths[i]) : i === 3 ? `  ${cell}` : cell.padEnd(widths[i]))).join(' ').trimEnd();
  const width = widths.reduce((a, b) => a + b, 0) + widths.length - 1;
  const out: string[] = [`Model: "${info.model}"`, '_'.repeat(width), line(header), '='.repeat(width)];
  rows.forEach((r, i) => {
    out.push(line(r));
    out.push(i === rows.length - 1 ? '='.repeat(width) : '_'.repeat(width));
  });
  if (rows.length === 0) out.push('='.repeat(width));
  if (!info.complete) out.push(`(stopped after ${info.layers.length} layer${info.layers.length === 1 ? '' : 's'}: a shape error follows)`);
  if (graph) out.push(`Outputs: ${info.outputs.join(', ')}`);
  out.push(
    `Total params: ${thousands(info.totalParams)}`,
    `Trainable params: ${thousands(info.trainableParams)}`,
    `Non-trainable params: ${thousands(info.nonTrainableParams)}`,
    `FLOPs (forward, per sample): ${humanFlops(info.flops)}`,
    `Weight memory (float32): ${humanBytes(info.weightBytes)}`,
    `Activation memory (float32, per sample): ${humanBytes(info.activationBytes)}`,
    '_'.repeat(width),
  );
  return out.join('\n');
}

/** The same facts as data, for `nnc summary --json`. */
export function summaryJson(info: ModelShapeInfo): ModelShapeInfo {
  return {
    ...info,
    input: [...info.input],
    inputs: info.inputs.map((i) => ({ name: i.name, shape: [...i.shape] })),
    outputs: [...info.outputs],
    layers: info.layers.map((l) => ({ ...l, inputs: [...l.inputs], inputShape: [...l.inputShape], outputShape: [...l.outputShape] })),
  };
}
