import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { classificationReport, regressionReport } from '../../src/codegen/runtime/metrics.js';
import { ReportError, writeRunReport } from '../../src/codegen/runtime/report.js';
import { svgToPng } from '../../src/codegen/runtime/svg-png.js';
import { parseXml, texts } from './xml.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let root: string;
beforeAll(async () => { root = await mkdtemp(join(tmpdir(), 'nnc-report-')); });
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

/** A 6x6 image with a bright diagonal, so every sample differs from a blank square. */
function diagonal(): Float32Array {
  return new Float32Array(36).map((_, i) => (i % 7 === 0 ? 1 : 0.1));
}

describe('writeRunReport (classification)', () => {
  const classes = ['cat', 'dog', 'bird|wing'];
  let dir: string;
  let files: string[];
  beforeAll(async () => {
    dir = join(root, 'classification', 'nested');
    const evaluation = classificationReport([0, 0, 1, 1, 2, 2, 2], [0, 1, 1, 1, 2, 0, 0], classes);
    ({ files } = await writeRunReport(dir, {
      title: 'Pets classifier',
      specSource: 'model pets {\n  dense 3\n}\n```\n',
      backend: 'cpu',
      history: { loss: [1.1, 0.7, 0.5], val_loss: [1.0, 0.8, 0.7], accuracy: [0.4, 0.6, 0.7], val_accuracy: [0.3, 0.5, 0.6] },
      evaluation,
      classes,
      samples: [
        { image: diagonal(), shape: [6, 6], expected: 'cat', predicted: 'cat', confidence: 0.9 },
        { image: diagonal(), shape: [6, 6], expected: 'bird|wing', predicted: 'dog', confidence: 0.6 },
      ],
      extra: { epochs: 3, 'batch size': 32 },
      toPng: svgToPng,
    }));
  });

  it('writes every expected file and nothing else', async () => {
    const expected = [
      'history-loss.svg', 'history-loss.png', 'history-accuracy.svg', 'history-accuracy.png',
      'confusion.svg', 'confusion.png', 'samples.svg', 'samples.png', 'evaluation.json', 'confusion.json', 'report.md',
    ];
    expect(files.map((f) => f.slice(dir.length + 1)).sort()).toEqual([...expected].sort());
    // atomic writes leave no temporary files behind
    expect((await readdir(dir)).sort()).toEqual([...expected].sort());
  });

  it('writes SVGs that parse as XML and carry the class names and axis titles', async () => {
    const confusion = texts(parseXml(await readFile(join(dir, 'confusion.svg'), 'utf8')));
    expect(confusion).toEqual(expect.arrayContaining([...classes, 'predicted', 'expected']));
    const loss = texts(parseXml(await readFile(join(dir, 'history-loss.svg'), 'utf8')));
    expect(loss).toEqual(expect.arrayContaining(['epoch', 'loss', 'train', 'validation']));
    const accuracy = texts(parseXml(await readFile(join(dir, 'history-accuracy.svg'), 'utf8')));
    expect(accuracy).toContain('accuracy');
    const samples = texts(parseXml(await readFile(join(dir, 'samples.svg'), 'utf8')));
    expect(samples).toEqual(expect.arrayContaining(['cat (90%) / cat', 'dog (60%) / bird|wing']));
  });

  it('writes PNGs with the PNG signature, the SVG size at 2x and visible content', async () => {
    for (const name of ['history-loss', 'history-accuracy', 'confusion', 'samples']) {
      const png = await readFile(join(dir, `${name}.png`));
      expect(png.subarray(0, 8), name).toEqual(PNG_SIGNATURE);
      expect(png.length, name).toBeGreaterThan(5_000);
      const svgWidth = Number(parseXml(await readFile(join(dir, `${name}.svg`), 'utf8')).attributes.width);
      const meta = await sharp(png).metadata();
      expect(meta.width, name).toBe(svgWidth * 2);
      // not a blank canvas: a good share of pixels differ from the white background
      const { data } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      let inked = 0;
      for (let i = 0; i < data.length; i += 3) if (data[i] + data[i + 1] + data[i + 2] < 600) inked++;
      expect(inked / (data.length / 3), name).toBeGreaterThan(0.01);
    }
  });

  it('writes evaluation.json and confusion.json', async () => {
    const evaluation = JSON.parse(await readFile(join(dir, 'evaluation.json'), 'utf8'));
    expect(evaluation.task).toBe('classification');
    expect(evaluation.accuracy).toBeCloseTo(4 / 7, 12);
    expect(evaluation.classes).toEqual(classes);
    const confusion = JSON.parse(await readFile(join(dir, 'confusion.json'), 'utf8'));
    expect(confusion).toEqual({ rows: 'expected', columns: 'predicted', classes, matrix: [[1, 1, 0], [0, 2, 0], [2, 0, 1]] });
  });

  it('writes report.md with relative plot links, metric tables and the confusion matrix', async () => {
    const md = await readFile(join(dir, 'report.md'), 'utf8');
    expect(md).toMatch(/^# Pets classifier$/m);
    for (const name of ['history-loss', 'history-accuracy', 'confusion', 'samples']) {
      expect(md).toContain(`](${name}.png)`);
      expect((await stat(join(dir, `${name}.png`))).isFile()).toBe(true);
    }
    expect(md).not.toMatch(/\]\(\/|\]\([A-Za-z]:/); // no absolute links
    expect(md).toContain('| backend | cpu |');
    expect(md).toContain('| batch size | 32 |');
    expect(md).toContain('Accuracy: **0.5714**');
    // cat: P 1/3, R 1/2, F1 0.4, support 2 (see metrics.test.ts)
    expect(md).toContain('| cat | 0.3333 | 0.5000 | 0.4000 | 2 |');
    // a "|" in a class name is escaped so the table keeps its columns
    expect(md).toContain('| bird\\|wing | 1.0000 | 0.3333 | 0.5000 | 3 |');
    expect(md).toContain('| bird\\|wing | 2 | 0 | 1 |');
    expect(md).toContain('| loss | 0.5000 | 0.5000 |');
    expect(md).toContain('| val_accuracy | 0.6000 | 0.6000 |');
    // the spec is fenced with more backticks than it contains
    expect(md).toContain('````\nmodel pets {\n  dense 3\n}\n```\n````');
  });
});

describe('writeRunReport (regression)', () => {
  it('skips confusion files and shows R² n/a for a constant target', async () => {
    const dir = join(root, 'regression');
    const { files } = await writeRunReport(dir, {
      title: 'House prices',
      specSource: 'model houses {}',
      backend: 'wasm',
      history: { loss: [3, 2], val_loss: [3.5, 2.5], mae: [1.5, 1.2] },
      evaluation: regressionReport([2, 2, 2], [1, 2, 3]),
      classes: null,
    });
    const names = files.map((f) => f.slice(dir.length + 1)).sort();
    // Without a rasterizer (a CSV trainer has no sharp) the charts are SVG only, and report.md embeds the SVGs.
    expect(names).toEqual(['evaluation.json', 'history-loss.svg', 'history-mae.svg', 'report.md']);
    const md = await readFile(join(dir, 'report.md'), 'utf8');
    expect(md).toContain('](history-loss.svg)');
    expect(md).not.toContain('.png');
    // errors -1, 0, 1: mse 2/3, mae 2/3
    expect(md).toContain('| mse | 0.666667 |');
    expect(md).toContain('| r² | n/a |');
    const evaluation = JSON.parse(await readFile(join(dir, 'evaluation.json'), 'utf8'));
    expect(evaluation).toMatchObject({ task: 'regression', r2: null, count: 3 });
  });

  it('reports a folder it cannot create as a ReportError naming it', async () => {
    const blocker = join(root, 'regression', 'report.md'); // a file, not a folder
    await expect(writeRunReport(join(blocker, 'inside'), {
      title: 't', specSource: '', backend: 'cpu', history: {}, evaluation: regressionReport([1, 2], [1, 2]), classes: null,
    })).rejects.toThrow(ReportError);
  });
});
