import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { PlotError, confusionHeatmap, historyCharts, sampleGrid, type SampleImage } from '../../src/codegen/runtime/plots.js';
import { svgToPng } from '../../src/codegen/runtime/svg-png.js';
import { findAll, hasClass, parseXml, texts } from './xml.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Number of PNG pixels whose RGB passes the test. */
async function countPixels(png: Buffer, test: (r: number, g: number, b: number) => boolean): Promise<number> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let count = 0;
  for (let i = 0; i < data.length; i += info.channels) if (test(data[i], data[i + 1], data[i + 2])) count++;
  return count;
}

const isRed = (r: number, g: number, b: number) => r > 180 && g < 90 && b < 90;

function solidSample(value: number, shape: number[], expected: string, predicted: string): SampleImage {
  const size = shape.reduce((a, b) => a * b, 1);
  return { image: new Float32Array(size).fill(value), shape, expected, predicted, confidence: 0.875 };
}

describe('historyCharts', () => {
  it('draws one chart per metric with train and validation lines and a legend', async () => {
    const charts = await historyCharts({
      loss: [1.2, 0.8, 0.6], val_loss: [1.0, 0.9, 0.95], acc: [0.5, 0.7, 0.8], val_acc: [0.55, 0.6, 0.65],
    });
    expect(charts.map((c) => c.name)).toEqual(['history-loss', 'history-acc']);
    for (const [chart, metric] of [[charts[0], 'loss'], [charts[1], 'acc']] as const) {
      const svg = parseXml(chart.svg);
      expect(svg.name).toBe('svg');
      const words = texts(svg);
      expect(words).toContain(`${metric} per epoch`);
      expect(words).toContain('epoch'); // x axis title
      expect(words).toContain(metric); // y axis title
      expect(words).toEqual(expect.arrayContaining(['train', 'validation'])); // legend
      const lines = findAll(svg, (e) => e.name === 'path' && findAll(svg, (g) => hasClass(g, 'mark-line')).some((g) => g.children.includes(e)));
      expect(lines).toHaveLength(2);
      expect(lines[0].attributes.stroke).not.toBe(lines[1].attributes.stroke);
      // epochs are numbered from 1
      expect(words).toEqual(expect.arrayContaining(['1', '2', '3']));
    }
  });

  it('keeps a validation-only metric, survives NaN values and a single epoch', async () => {
    const charts = await historyCharts({ loss: [0.5, NaN, 0.3], val_mae: [2] });
    expect(charts.map((c) => c.name)).toEqual(['history-loss', 'history-mae']);
    const mae = parseXml(charts[1].svg);
    expect(texts(mae)).toContain('mae');
    // one epoch still shows up as a point
    expect(findAll(mae, (e) => hasClass(e, 'mark-symbol') && hasClass(e, 'role-mark')).flatMap((g) => g.children)).toHaveLength(1);
    expect(charts[0].svg).not.toMatch(/NaN/);
    // no validation series, so no validation legend entry
    expect(texts(parseXml(charts[0].svg))).not.toContain('validation');
    expect(texts(mae)).toContain('validation');
    expect(texts(mae)).not.toContain('train');
    expect(await historyCharts({})).toEqual([]);
  });
});

describe('confusionHeatmap', () => {
  it('labels axes in class order and writes every count', async () => {
    const classes = ['zebra', 'apple', 'mango'];
    const chart = await confusionHeatmap([[5, 1, 0], [2, 7, 3], [0, 4, 9]], classes);
    const svg = parseXml(chart.svg);
    const words = texts(svg);
    expect(words).toEqual(expect.arrayContaining(['predicted', 'expected', 'Confusion matrix']));
    const axisLabels = findAll(svg, (e) => hasClass(e, 'role-axis-label')).map((g) => texts(g));
    expect(axisLabels).toContainEqual(classes); // not alphabetical
    const cellTexts = findAll(svg, (e) => hasClass(e, 'mark-text') && hasClass(e, 'role-mark')).flatMap((g) => texts(g));
    expect(cellTexts.map(Number).sort((a, b) => a - b)).toEqual([0, 0, 1, 2, 3, 4, 5, 7, 9]);
    const cells = findAll(svg, (e) => hasClass(e, 'mark-rect') && hasClass(e, 'role-mark')).flatMap((g) => g.children);
    expect(cells).toHaveLength(9);
  });

  it('draws class names that vega would read as code: constructor, toString, if, U+2028', async () => {
    const classes = ['constructor', 'toString', 'if', 'line\u2028break', '__proto__', 'a"b'];
    const matrix = classes.map((_, e) => classes.map((__, p) => (e === p ? 3 : 1)));
    const chart = await confusionHeatmap(matrix, classes);
    const axisLabels = findAll(parseXml(chart.svg), (e) => hasClass(e, 'role-axis-label')).map((g) => texts(g));
    expect(axisLabels).toEqual([classes, classes]);
  });

  it('rejects a matrix that does not match the class list', async () => {
    await expect(confusionHeatmap([[1, 2], [3, 4]], ['a', 'b', 'c'])).rejects.toThrow(PlotError);
  });
});

describe('sampleGrid', () => {
  it('titles each image "pred (conf%) / true" with wrong ones in red', async () => {
    const chart = await sampleGrid([
      solidSample(0, [8, 8], 'cat', 'cat'),
      solidSample(0, [8, 8], 'dog', 'cat'),
    ]);
    const svg = parseXml(chart.svg);
    const markTexts = findAll(svg, (e) => hasClass(e, 'mark-text') && hasClass(e, 'role-mark'));
    const labels = markTexts.flatMap((g) => findAll(g, (e) => e.name === 'text'));
    const byText = Object.fromEntries(labels.map((e) => [e.text, e.attributes.fill]));
    expect(Object.keys(byText)).toEqual(['cat (88%) / cat', 'cat (88%) / dog']);
    expect(byText['cat (88%) / cat']).not.toBe(byText['cat (88%) / dog']);
    expect(findAll(svg, (e) => e.name === 'image')).toHaveLength(2);
    const png = await svgToPng(chart.svg);
    expect(await countPixels(png, isRed)).toBeGreaterThan(20);
  });

  it('renders the images themselves into the PNG (black, gray from [0,1] and 0-255, RGB)', async () => {
    // 8x8 images are enlarged to 96x96, rendered at 2x: 192*192 = 36864 pixels each
    const imagePixels = 192 * 192;
    const black = await svgToPng((await sampleGrid([solidSample(0, [8, 8], 'a', 'a')])).svg);
    expect(await countPixels(black, (r, g, b) => r + g + b === 0)).toBeGreaterThan(imagePixels * 0.95);
    expect(await countPixels(black, isRed)).toBe(0);

    const grayUnit = await svgToPng((await sampleGrid([solidSample(0.5, [8, 8, 1], 'a', 'a')])).svg);
    const grayBytes = await svgToPng((await sampleGrid([solidSample(128, [8, 8], 'a', 'a')])).svg);
    const isMidGray = (r: number, g: number, b: number) => Math.abs(r - 128) <= 3 && r === g && g === b;
    expect(await countPixels(grayUnit, isMidGray)).toBeGreaterThan(imagePixels * 0.95);
    expect(await countPixels(grayBytes, isMidGray)).toBeGreaterThan(imagePixels * 0.95);

    const red = new Float32Array(8 * 8 * 3).map((_, i) => (i % 3 === 0 ? 1 : 0));
    const rgb = await svgToPng((await sampleGrid([{ image: red, shape: [8, 8, 3], expected: 'a', predicted: 'a', confidence: 1 }])).svg);
    expect(await countPixels(rgb, (r, g, b) => r === 255 && g === 0 && b === 0)).toBeGreaterThan(imagePixels * 0.95);
  });

  it('rejects bad images naming the sample', async () => {
    await expect(sampleGrid([solidSample(0, [8, 8], 'a', 'a'), { ...solidSample(0, [8, 8], 'a', 'a'), image: new Float32Array(10) }]))
      .rejects.toThrow(/sample 1 has 10 values but shape \[8, 8\] needs 64/);
    await expect(sampleGrid([solidSample(0, [4, 4, 2], 'a', 'a')])).rejects.toThrow(PlotError);
    await expect(sampleGrid([solidSample(0, [8, 8], 'a', 'a'), solidSample(0, [4, 4], 'a', 'a')])).rejects.toThrow(/sample 1 is 4x4/);
    await expect(sampleGrid([])).rejects.toThrow(PlotError);
  });
});

describe('svgToPng', () => {
  it('writes a PNG at twice the SVG size', async () => {
    const [chart] = await historyCharts({ loss: [1, 0.5] });
    const png = await svgToPng(chart.svg);
    expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    const width = Number(parseXml(chart.svg).attributes.width);
    const meta = await sharp(png).metadata();
    expect(meta.width).toBe(width * 2);
    expect(png.length).toBeGreaterThan(10_000);
  });
});
