// The trainer's browser page in real headless Chromium (Debian's `chromium`, driven by playwright-core): `npx tsx
// serve.ts` bundles and serves it on 127.0.0.1, the page is given Fashion-MNIST test images exported as PNGs, or
// Iris rows typed into its CSV field, and its top class and probabilities equal infer.ts's on the same files and
// rows. Screenshots are kept in tmp/browser/.
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIdxPair } from '../../src/codegen/runtime/data/idx.js';
import { exportSplit } from '../../src/tools/export-fashion-png.js';
import { FASHION_MINI, prepareTrainer, SPECS, TRAINING_TIMEOUT, type Prediction, type Workspace } from './helpers.js';
import { CHROMIUM, openPage, OUTPUT, type OpenPage } from './browser-page.js';

const IMAGES = 12;

interface PagePrediction { source: string; adjusted: string | null; top: { label: string; index: number; probability: number }[]; probabilities: number[] }

// In CI (which installs chromium) a missing browser is a failure, not a skip.
describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('browser page (headless Chromium)', () => {
  let ws: Workspace;
  let modelDir: string;
  let server: { child: ChildProcess; url: string };
  let files: string[];
  let page: PagePrediction[];
  let status: string;
  let csvShown: boolean;
  let opened: OpenPage | undefined;

  beforeAll(async () => {
    ws = await prepareTrainer('fashion_mlp', () => {});
    const outcome = await ws.train.runTraining({ out: path.join(ws.dir, 'run'), backend: 'cpu', epochs: 1, limit: 400, dataDir: FASHION_MINI, quiet: true });
    modelDir = path.join(outcome.outDir, 'model');
    const test = await readIdxPair(path.join(FASHION_MINI, 't10k-images-idx3-ubyte.gz'), path.join(FASHION_MINI, 't10k-labels-idx1-ubyte.gz'));
    await exportSplit(test, path.join(ws.dir, 'png'), IMAGES);
    files = readdirSync(path.join(ws.dir, 'png'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.png')).map((e) => path.join(e.parentPath, e.name)).sort();
    expect(files).toHaveLength(IMAGES);

    opened = await openPage(ws.trainerDir, modelDir, { width: 900, height: 1400 });
    const { tab, errors } = opened;
    server = opened.server;
    csvShown = await tab.isVisible('#csv');
    await tab.setInputFiles('#file', files);
    await tab.waitForFunction(() => document.getElementById('json')?.textContent !== '', undefined, { timeout: 60_000 });
    page = JSON.parse((await tab.textContent('#json'))!);
    status = (await tab.textContent('#status'))!;
    mkdirSync(OUTPUT, { recursive: true });
    await tab.screenshot({ path: path.join(OUTPUT, 'fashion_mlp.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, TRAINING_TIMEOUT);
  afterAll(async () => {
    await opened?.close();
    ws?.cleanup();
  });

  it('loads the model with its labels and predicts every image given', () => {
    expect(status).toBe(`predicted ${IMAGES} images`);
    expect(csvShown).toBe(false); // an image model's page offers no CSV field
    expect(page.map((p) => p.source)).toEqual(files.map((f) => path.basename(f)));
    for (const p of page) {
      expect(p.adjusted).toBeNull(); // 28 x 28 greyscale: no resizing, no conversion
      expect(p.probabilities).toHaveLength(10);
      expect(p.top).toHaveLength(5);
    }
  });

  it("shows the same top class and probabilities as infer.ts on the same files (to 1e-5)", async () => {
    const loaded = await ws.infer.loadModel(modelDir);
    let worst = 0;
    for (const [i, file] of files.entries()) {
      const expected: Prediction = await ws.infer.predict(loaded, { image: file });
      if (expected.kind !== 'classification') throw new Error('expected a classification');
      expect(page[i].top[0].label, file).toBe(expected.label);
      expect(page[i].top[0].index).toBe(expected.index);
      const probabilities = loaded.labels!.map((l) => expected.probabilities[l]);
      for (let k = 0; k < 10; k++) worst = Math.max(worst, Math.abs(page[i].probabilities[k] - probabilities[k]));
      // The top list is sorted by probability and names the classes by the saved labels.
      expect(page[i].top.map((t) => t.label)).toEqual(page[i].top.map((t) => loaded.labels![t.index]));
      for (let k = 1; k < 5; k++) expect(page[i].top[k].probability).toBeLessThanOrEqual(page[i].top[k - 1].probability);
    }
    expect(worst).toBeLessThanOrEqual(1e-5);
  });

  it('is served on 127.0.0.1 only, with the bundle local (no CDN)', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const html = await (await fetch(server.url)).text();
    expect(html).toContain('<script type="module" src="app.js">');
    expect(html).not.toMatch(/https?:\/\//);
    const bundle = await (await fetch(new URL('app.js', server.url))).text();
    expect(bundle.length).toBeGreaterThan(100_000); // tfjs is inside
    expect((await fetch(new URL('model/model.json', server.url))).status).toBe(200);
    expect((await fetch(new URL('../../../etc/passwd', server.url))).status).toBe(404);
  });
});

// The CSV path: rows typed into the page, as a whole training row (its label column skipped) or the features alone.
describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('browser page on CSV rows (headless Chromium)', () => {
  let ws: Workspace;
  let modelDir: string;
  let rows: string[];
  const page = new Map<string, { status: string; results: PagePrediction[] }>();
  let badRow: { status: string };
  let shown: { drop: boolean; csv: boolean; placeholder: string | null };
  let opened: OpenPage | undefined;

  beforeAll(async () => {
    ws = await prepareTrainer('iris_csv', (dir) => {
      mkdirSync(path.join(dir, 'data'));
      copyFileSync(path.join(SPECS, 'data', 'iris.csv'), path.join(dir, 'data', 'iris.csv'));
    });
    const outcome = await ws.train.runTraining({ out: path.join(ws.dir, 'run'), backend: 'cpu', epochs: 15, quiet: true });
    modelDir = path.join(outcome.outDir, 'model');
    // Rows of each species: every 19th of the file's 150, half of them without the label column.
    const lines = readFileSync(path.join(SPECS, 'data', 'iris.csv'), 'utf8').trim().split('\n').slice(1);
    rows = lines.filter((_, i) => i % 19 === 0).map((line, k) => (k % 2 === 0 ? line : line.split(',').slice(0, 4).join(', ')));

    opened = await openPage(ws.trainerDir, modelDir, { width: 900, height: 600 });
    const { tab, errors } = opened;
    const enter = async (row: string) => {
      await tab.evaluate(() => { document.getElementById('json')!.textContent = ''; document.getElementById('status')!.textContent = ''; });
      await tab.fill('#csv', row);
      await tab.click('#csv-go');
      await tab.waitForFunction(() => document.getElementById('status')?.textContent !== '', undefined, { timeout: 30_000 });
      const json = (await tab.textContent('#json'))!;
      return { status: (await tab.textContent('#status'))!, results: json ? JSON.parse(json) as PagePrediction[] : [] };
    };
    shown = { drop: await tab.isVisible('#drop'), csv: await tab.isVisible('#csv'), placeholder: await tab.getAttribute('#csv', 'placeholder') };
    for (const row of rows) page.set(row, await enter(row));
    badRow = await enter('5.1, 3.5, wide');
    // The last good row on screen, for the screenshot.
    await enter(rows[0]);
    mkdirSync(OUTPUT, { recursive: true });
    await tab.screenshot({ path: path.join(OUTPUT, 'iris_net.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, TRAINING_TIMEOUT);
  afterAll(async () => {
    await opened?.close();
    ws?.cleanup();
  });

  it('predicts each row typed in, whole or features only', () => {
    expect(rows.length).toBe(8);
    for (const row of rows) {
      const { status, results } = page.get(row)!;
      expect(status, row).toBe('predicted 1 row');
      expect(results).toHaveLength(1);
      expect(results[0].source).toBe(row);
      expect(results[0].probabilities).toHaveLength(3);
      expect(results[0].top).toHaveLength(3);
    }
  });

  it('shows the same top class and probabilities as infer.ts on the same rows (to 1e-5)', async () => {
    const loaded = await ws.infer.loadModel(modelDir);
    expect(loaded.labels).toEqual(['setosa', 'versicolor', 'virginica']);
    let worst = 0;
    const classes = new Set<string>();
    for (const row of rows) {
      const shown = page.get(row)!.results[0];
      const expected: Prediction = await ws.infer.predict(loaded, { csv: row });
      if (expected.kind !== 'classification') throw new Error('expected a classification');
      expect(shown.top[0].label, row).toBe(expected.label);
      expect(shown.top[0].index).toBe(expected.index);
      classes.add(expected.label);
      const probabilities = loaded.labels!.map((l) => expected.probabilities[l]);
      for (let k = 0; k < 3; k++) worst = Math.max(worst, Math.abs(shown.probabilities[k] - probabilities[k]));
      expect(shown.top.map((t) => t.label)).toEqual(shown.top.map((t) => loaded.labels![t.index]));
    }
    expect(worst).toBeLessThanOrEqual(1e-5);
    // Trained, the model tells the species apart: the rows are not all given one class.
    expect(classes.size).toBeGreaterThan(1);
  });

  it('offers only the CSV field, its placeholder naming the feature columns', () => {
    expect(shown).toEqual({ drop: false, csv: true, placeholder: 'sepal_length, sepal_width, petal_length, petal_width' });
  });

  it('says what is wrong with a row it cannot read', () => {
    expect(badRow.status).toBe('error: the row has 3 values; expected 4 features or a full row of 5');
  });
});
