// The trainer's browser page in real headless Chromium (Debian's `chromium`, driven by playwright-core): `npx tsx
// serve.ts` bundles and serves it on 127.0.0.1, the page is given Fashion-MNIST test images exported as PNGs, and its
// top class and probabilities equal infer.ts's on the same files. A screenshot is kept in tmp/browser/.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIdxPair } from '../../src/codegen/runtime/data/idx.js';
import { exportSplit } from '../../src/tools/export-fashion-png.js';
import { FASHION_MINI, prepareTrainer, REPO, TRAINING_TIMEOUT, type Prediction, type Workspace } from './helpers.js';

const CHROMIUM = process.env.NNC_CHROMIUM ?? '/usr/bin/chromium';
const OUTPUT = path.join(REPO, 'tmp', 'browser');
const IMAGES = 12;

interface PagePrediction { source: string; adjusted: string | null; top: { label: string; index: number; probability: number }[]; probabilities: number[] }

/** Starts `npx tsx serve.ts` and resolves with the URL it prints. */
function serve(cwd: string, modelDir: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'serve.ts', '--model', modelDir, '--port', '0'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`serve.ts printed no URL in 120 s:\n${output}`)), 120_000);
    const onData = (data: Buffer) => {
      output += data.toString();
      const url = output.match(/on (http:\/\/127\.0\.0\.1:\d+\/)/)?.[1];
      if (url) { clearTimeout(timer); resolve({ child, url }); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`serve.ts exited with ${code}:\n${output}`)); });
  });
}

// In CI (which installs chromium) a missing browser is a failure, not a skip.
describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('browser page (headless Chromium)', () => {
  let ws: Workspace;
  let modelDir: string;
  let server: { child: ChildProcess; url: string };
  let files: string[];
  let page: PagePrediction[];
  let status: string;
  let closeBrowser: () => Promise<void> = async () => {};

  beforeAll(async () => {
    ws = await prepareTrainer('fashion_mlp', () => {});
    const outcome = await ws.train.runTraining({ out: path.join(ws.dir, 'run'), backend: 'cpu', epochs: 1, limit: 400, dataDir: FASHION_MINI, quiet: true });
    modelDir = path.join(outcome.outDir, 'model');
    const test = await readIdxPair(path.join(FASHION_MINI, 't10k-images-idx3-ubyte.gz'), path.join(FASHION_MINI, 't10k-labels-idx1-ubyte.gz'));
    await exportSplit(test, path.join(ws.dir, 'png'), IMAGES);
    files = readdirSync(path.join(ws.dir, 'png'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.png')).map((e) => path.join(e.parentPath, e.name)).sort();
    expect(files).toHaveLength(IMAGES);

    server = await serve(ws.trainerDir, modelDir);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    closeBrowser = () => browser.close();
    const tab = await browser.newPage({ viewport: { width: 900, height: 1400 } });
    const errors: string[] = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    await tab.goto(server.url);
    await tab.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    await tab.setInputFiles('#file', files);
    await tab.waitForFunction(() => document.getElementById('json')?.textContent !== '', undefined, { timeout: 60_000 });
    page = JSON.parse((await tab.textContent('#json'))!);
    status = (await tab.textContent('#status'))!;
    mkdirSync(OUTPUT, { recursive: true });
    await tab.screenshot({ path: path.join(OUTPUT, 'fashion_mlp.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, TRAINING_TIMEOUT);
  afterAll(async () => {
    await closeBrowser();
    server?.child.kill();
    ws?.cleanup();
  });

  it('loads the model with its labels and predicts every image given', () => {
    expect(status).toBe(`predicted ${IMAGES} images`);
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
