// Charts for run reports: vega-lite specs compiled with vega-lite, rendered headless to SVG by vega (renderer
// 'none', no canvas needed); svg-png.ts rasterizes them to PNG where the trainer has sharp.

import { compile, type TopLevelSpec } from 'vega-lite';
import { parse, View } from 'vega';
import { encodePng, resizeNearest } from './png.js';

/** Thrown for chart input that cannot be drawn (mismatched image sizes, malformed matrices). */
export class PlotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlotError';
  }
}

export interface RenderedChart {
  /** File-name stem, e.g. `history-loss`, `confusion`, `samples`. */
  name: string;
  title: string;
  spec: TopLevelSpec;
  svg: string;
}

export interface SampleImage {
  image: Float32Array;
  /** [h, w] or [h, w, c] with c in 1, 3, 4; values in [0, 1] or 0-255 */
  shape: number[];
  expected: string;
  predicted: string;
  confidence: number;
}

/** Sample images are embedded at this multiple of their display size, so they stay crisp in a 2x PNG. */
const PNG_SCALE = 2;
const FONT = 'DejaVu Sans, Verdana, Arial, sans-serif';
const TRAIN_COLOR = '#1f77b4';
const VALIDATION_COLOR = '#ff7f0e';
const WRONG_COLOR = '#d62728';
const RIGHT_COLOR = '#222222';

const baseConfig = {
  background: 'white',
  font: FONT,
  title: { fontSize: 14 },
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12 },
};

/** A scale added to the compiled vega spec: maps indices to strings without passing them through expressions. */
interface NameScale { name: string; names: string[] }

export async function renderSvg(spec: TopLevelSpec, nameScale?: NameScale): Promise<string> {
  const vegaSpec = compile(spec).spec;
  if (nameScale) {
    (vegaSpec.scales ??= []).push({ name: nameScale.name, type: 'ordinal', domain: nameScale.names.map((_, i) => i), range: nameScale.names });
  }
  const view = new View(parse(vegaSpec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}


async function chart(name: string, title: string, spec: TopLevelSpec, nameScale?: NameScale): Promise<RenderedChart> {
  return { name, title, spec, svg: await renderSvg(spec, nameScale) };
}

/** File-name-safe form of a metric name. */
export function safeFileStem(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]+/g, '_');
}

/**
 * One line chart per metric with train and validation curves: `loss` and `val_loss` share a chart, as do
 * `acc` and `val_acc`. A `val_` key without a train counterpart gets a chart of its own.
 */
export async function historyCharts(history: Record<string, number[]>): Promise<RenderedChart[]> {
  const metrics: string[] = [];
  for (const key of Object.keys(history)) {
    const metric = key.startsWith('val_') ? key.slice(4) : key;
    if (!metrics.includes(metric)) metrics.push(metric);
  }
  const charts: RenderedChart[] = [];
  for (const metric of metrics) {
    // A learning rate that never changed says nothing a chart would show.
    if (metric === 'lr' && new Set(history.lr ?? []).size <= 1) continue;
    const rows: { epoch: number; value: number | null; split: string }[] = [];
    const addSeries = (key: string, split: string) => {
      const values = history[key];
      if (!Array.isArray(values) && !ArrayBuffer.isView(values)) return;
      // NaN/Infinity (a diverged run) become gaps in the line rather than breaking the scale
      Array.from(values, (value, i) => rows.push({ epoch: i + 1, value: Number.isFinite(value) ? value : null, split }));
    };
    addSeries(metric, 'train');
    addSeries(`val_${metric}`, 'validation');
    const splits = [{ name: 'train', color: TRAIN_COLOR }, { name: 'validation', color: VALIDATION_COLOR }]
      .filter((split) => rows.some((row) => row.split === split.name));
    const title = `${metric} per epoch`;
    const spec: TopLevelSpec = {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title,
      width: 420,
      height: 260,
      data: { values: rows },
      mark: { type: 'line', point: true, strokeWidth: 2 },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { format: 'd', tickMinStep: 1 }, scale: { nice: false } },
        y: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false } },
        color: {
          field: 'split', type: 'nominal', title: null,
          scale: { domain: splits.map((s) => s.name), range: splits.map((s) => s.color) },
          // outside the plot: accuracy curves climb into the top-right corner
          legend: { orient: 'right' },
        },
      },
      config: baseConfig,
    };
    charts.push(await chart(`history-${safeFileStem(metric)}`, title, spec));
  }
  return charts;
}

/** Heatmap of the confusion matrix (rows = expected, columns = predicted) with the counts written in. */
export async function confusionHeatmap(confusion: number[][], classes: string[]): Promise<RenderedChart> {
  if (confusion.length !== classes.length || confusion.some((row) => row.length !== classes.length)) {
    throw new PlotError(`confusionHeatmap: matrix must be ${classes.length}x${classes.length} to match the class list`);
  }
  // Class names never reach vega as values, sort keys or expression literals: names such as `constructor`, `if`
  // or ones holding U+2028 break the expressions vega-lite generates (even escaped, vega rejects "if"). Cells
  // carry class indices; axis labels map them to names through an ordinal scale added after compiling.
  const rows = confusion.flatMap((row, e) => row.map((count, p) => ({ expected: e, predicted: p, count })));
  const nameScale = { name: 'nnc_class_name', names: classes };
  const labelExpr = `scale('${nameScale.name}', datum.value)`;
  const maxCount = Math.max(1, ...rows.map((r) => r.count));
  const n = classes.length;
  const step = n <= 12 ? 44 : Math.max(10, Math.floor(520 / n));
  const labelSize = step >= 44 ? 12 : Math.max(7, Math.min(11, Math.floor(step * 0.45)));
  const title = 'Confusion matrix';
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: { step },
    height: { step },
    data: { values: rows },
    encoding: {
      x: { field: 'predicted', type: 'ordinal', sort: 'ascending', title: 'predicted', axis: { labelAngle: n > 12 ? -90 : -40, orient: 'bottom', labelExpr } },
      y: { field: 'expected', type: 'ordinal', sort: 'ascending', title: 'expected', axis: { labelExpr } },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          color: { field: 'count', type: 'quantitative', title: 'count', scale: { scheme: 'blues', domain: [0, maxCount] } },
        },
      },
      ...(step >= 16 ? [{
        mark: { type: 'text' as const, fontSize: labelSize },
        encoding: {
          text: { field: 'count', type: 'quantitative' as const },
          // white on the dark half of the color scale, black on the light half
          color: { condition: { test: `datum.count > ${maxCount / 2}`, value: 'white' }, value: 'black' },
        },
      }] : []),
    ],
    config: { ...baseConfig, view: { stroke: null } },
  };
  return chart('confusion', title, spec, nameScale);
}

function imageChannels(shape: number[], index: number): { height: number; width: number; channels: 1 | 3 | 4 } {
  const [height, width, channels = 1] = shape;
  const valid = (shape.length === 2 || shape.length === 3) && [height, width].every((d) => Number.isInteger(d) && d > 0);
  if (!valid || (channels !== 1 && channels !== 3 && channels !== 4)) {
    throw new PlotError(`sampleGrid: sample ${index} has shape [${shape.join(', ')}]; expected [h, w] or [h, w, c] with c = 1, 3 or 4`);
  }
  return { height, width, channels };
}

/** A PNG data URL of one sample image, upscaled with nearest-neighbour so small images stay crisp. */
async function sampleDataUrl(sample: SampleImage, index: number, displayWidth: number, displayHeight: number): Promise<string> {
  const { height, width, channels } = imageChannels(sample.shape, index);
  const expectedLength = height * width * channels;
  if (sample.image.length !== expectedLength) {
    throw new PlotError(`sampleGrid: sample ${index} has ${sample.image.length} values but shape [${sample.shape.join(', ')}] needs ${expectedLength}`);
  }
  let max = 0;
  for (const v of sample.image) if (v > max) max = v;
  const scale = max > 1 ? 1 : 255; // [0, 1] floats vs 0-255 bytes
  const bytes = Buffer.alloc(expectedLength);
  for (let i = 0; i < expectedLength; i++) {
    const v = sample.image[i];
    bytes[i] = Number.isFinite(v) ? Math.max(0, Math.min(255, Math.round(v * scale))) : 0;
  }
  const [toWidth, toHeight] = [displayWidth * PNG_SCALE, displayHeight * PNG_SCALE];
  const png = encodePng(resizeNearest(bytes, width, height, channels, toWidth, toHeight), toWidth, toHeight, channels);
  return `data:image/png;base64,${png.toString('base64')}`;
}

/**
 * A grid of test images, each titled "predicted (confidence%) / expected", wrong predictions in red
 * (the textbook's plot_results). Images go in as PNG data URLs in vega-lite image marks.
 */
export async function sampleGrid(samples: SampleImage[]): Promise<RenderedChart> {
  if (samples.length === 0) throw new PlotError('sampleGrid: no samples to draw');
  const first = imageChannels(samples[0].shape, 0);
  samples.forEach((s, i) => {
    const { height, width } = imageChannels(s.shape, i);
    if (height !== first.height || width !== first.width) {
      throw new PlotError(`sampleGrid: sample ${i} is ${height}x${width} but sample 0 is ${first.height}x${first.width}`);
    }
  });
  // Fit the longer side to about 96 px, by a whole factor when enlarging
  const side = Math.max(first.height, first.width);
  const factor = side <= 96 ? Math.floor(96 / side) : 96 / side;
  const displayWidth = Math.max(1, Math.round(first.width * factor));
  const displayHeight = Math.max(1, Math.round(first.height * factor));

  const labels = samples.map((s) => {
    const confidence = Number.isFinite(s.confidence) ? `${Math.round(s.confidence * 100)}%` : '?';
    return `${s.predicted} (${confidence}) / ${s.expected}`;
  });
  const fontSize = 11;
  const longestLabel = Math.max(...labels.map((l) => l.length));
  const cellWidth = Math.max(displayWidth, Math.ceil(longestLabel * fontSize * 0.62)) + 12;
  const titleHeight = fontSize + 8;
  const cellHeight = titleHeight + displayHeight + 10;
  const columns = Math.min(samples.length, Math.max(1, Math.ceil(Math.sqrt(samples.length))));
  const gridRows = Math.ceil(samples.length / columns);

  const rows = await Promise.all(samples.map(async (s, i) => {
    const column = i % columns;
    const row = Math.floor(i / columns);
    const wrong = s.predicted !== s.expected;
    return {
      url: await sampleDataUrl(s, i, displayWidth, displayHeight),
      label: labels[i],
      color: wrong ? WRONG_COLOR : RIGHT_COLOR,
      centerX: column * cellWidth + cellWidth / 2,
      imageX: column * cellWidth + (cellWidth - displayWidth) / 2,
      labelY: row * cellHeight + fontSize + 2,
      imageY: row * cellHeight + titleHeight,
    };
  }));
  const wrongCount = samples.filter((s) => s.predicted !== s.expected).length;
  const title = `Test samples: predicted (confidence) / expected; wrong in red (${wrongCount} of ${samples.length})`;
  // scale: null places marks at the pixel positions computed above
  const pixel = (field: string) => ({ field, type: 'quantitative' as const, scale: null, axis: null });
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, fontSize: 13 },
    width: columns * cellWidth,
    height: gridRows * cellHeight,
    data: { values: rows },
    layer: [
      {
        mark: { type: 'image', width: displayWidth, height: displayHeight, align: 'left', baseline: 'top', aspect: false, aria: false },
        encoding: { x: pixel('imageX'), y: pixel('imageY'), url: { field: 'url', type: 'nominal' } },
      },
      {
        mark: { type: 'text', fontSize, align: 'center', baseline: 'alphabetic', aria: false },
        encoding: {
          x: pixel('centerX'), y: pixel('labelY'),
          text: { field: 'label', type: 'nominal' },
          color: { field: 'color', type: 'nominal', scale: null },
        },
      },
    ],
    config: { ...baseConfig, view: { stroke: null } },
  };
  return chart('samples', title, spec);
}
