// The browser page of a model with several inputs or outputs, in real headless Chromium: specs/two_input.nn (two
// named inputs) and specs/two_output.nn (a classification and a regression output) train on specs/data/parts.csv,
// the page is given rows of that file, each input's values typed into its own group of fields or the whole row
// into the CSV field, and every output's prediction it shows by name equals infer.ts's (`predict`, and the lines
// `infer.ts --csv` prints) on the same rows. Screenshots are kept in tmp/browser/.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareTrainer, REPO, SPECS, TRAINING_TIMEOUT, type Workspace } from './helpers.js';
import { CHROMIUM, openPage, OUTPUT, type OpenPage } from './browser-page.js';

interface OutputShown { kind: 'classification' | 'regression'; top: { label: string; index: number; probability: number }[]; probabilities: number[]; value: number | null }
interface PagePrediction { source: string; outputs: Record<string, OutputShown> }
type Prediction = { kind: 'classification'; label: string; index: number; confidence: number; probabilities: Record<string, number> } | { kind: 'regression'; value: number };
interface MultiInfer {
  loadModel(dir: string): Promise<{ labels: Record<string, string[] | null> }>;
  predict(loaded: unknown, input: { csv: string }): Promise<Record<string, Prediction>>;
}
interface Shown { status: string; results: PagePrediction[] }

const TSX = path.join(REPO, 'node_modules', '.bin', 'tsx');
const PARTS = path.join(SPECS, 'data', 'parts.csv');
/** Every 45th row of the file's 360: parts of every grade. */
const ROWS = readFileSync(PARTS, 'utf8').trim().split('\n').slice(1).filter((_, i) => i % 45 === 0);

for (const { spec, inputs, outputs } of [
  { spec: 'two_input', inputs: { geometry: [0, 1, 2], material: [3, 4] }, outputs: ['grade'] },
  { spec: 'two_output', inputs: { part: [0, 1, 2, 3, 4] }, outputs: ['grade', 'price'] },
]) {
  describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)(`browser page of ${spec}.nn (headless Chromium)`, () => {
    let ws: Workspace;
    let modelDir: string;
    let opened: OpenPage | undefined;
    const byFields = new Map<string, Shown>();
    const byRow = new Map<string, Shown>();
    let shown: { fields: string[]; placeholders: (string | null)[]; drop: boolean; intro: string };
    let badField: Shown;
    let badRow: Shown;

    beforeAll(async () => {
      ws = await prepareTrainer(spec, (dir) => {
        mkdirSync(path.join(dir, 'data'));
        copyFileSync(PARTS, path.join(dir, 'data', 'parts.csv'));
      });
      const outcome = await ws.train.runTraining({ out: path.join(ws.dir, 'run'), backend: 'cpu', epochs: 8, quiet: true });
      modelDir = path.join(outcome.outDir, 'model');
      opened = await openPage(ws.trainerDir, modelDir, { width: 900, height: 900 });
      const { tab, errors } = opened;
      const names = Object.keys(inputs);
      shown = {
        fields: await tab.$$eval('#inputs input', (els) => els.map((e) => e.id)),
        placeholders: await Promise.all(names.map((n) => tab.getAttribute(`#input-${n}`, 'placeholder'))),
        drop: await tab.isVisible('#drop'),
        intro: (await tab.textContent('body > p'))!,
      };
      const read = async (click: string): Promise<Shown> => {
        await tab.click(click);
        await tab.waitForFunction(() => document.getElementById('status')?.textContent !== '', undefined, { timeout: 30_000 });
        const json = (await tab.textContent('#json'))!;
        return { status: (await tab.textContent('#status'))!, results: json ? JSON.parse(json) as PagePrediction[] : [] };
      };
      const clear = () => tab.evaluate(() => { document.getElementById('json')!.textContent = ''; document.getElementById('status')!.textContent = ''; });
      const fill = async (row: string) => {
        const cells = row.split(',');
        for (const [name, columns] of Object.entries(inputs)) await tab.fill(`#input-${name}`, columns.map((c) => cells[c]).join(', '));
      };
      for (const row of ROWS) {
        await clear();
        await fill(row);
        byFields.set(row, await read('#inputs-go'));
        await clear();
        await tab.fill('#csv', row);
        byRow.set(row, await read('#csv-go'));
      }
      await clear();
      await tab.fill(`#input-${names[0]}`, '1.5');
      badField = await read('#inputs-go');
      await clear();
      await tab.fill('#csv', '1.5, 2');
      badRow = await read('#csv-go');
      await clear();
      await fill(ROWS[1]);
      await read('#inputs-go');
      mkdirSync(OUTPUT, { recursive: true });
      await tab.screenshot({ path: path.join(OUTPUT, `${spec}.png`), fullPage: true });
      expect(errors).toEqual([]);
    }, TRAINING_TIMEOUT);
    afterAll(async () => {
      await opened?.close();
      ws?.cleanup();
    });

    it('offers one group of fields per named input, each placeholder naming its columns, and no image drop', () => {
      const header = readFileSync(PARTS, 'utf8').split('\n')[0].split(',');
      expect(shown.fields).toEqual(Object.keys(inputs).map((n) => `input-${n}`));
      expect(shown.placeholders).toEqual(Object.values(inputs).map((columns) => columns.map((c) => header[c]).join(', ')));
      expect(shown.drop).toBe(false);
      expect(shown.intro).toContain(Object.keys(inputs).length > 1 ? 'inputs geometry [3], material [2]' : 'input part [5]');
    });

    it("shows every output by name with the same class, probabilities and value as infer.ts's predict, from the fields and from a whole row (to 1e-5)", async () => {
      const infer = ws.infer as unknown as MultiInfer;
      const loaded = await infer.loadModel(modelDir);
      const grades = new Set<string>();
      for (const row of ROWS) {
        const expected = await infer.predict(loaded, { csv: row });
        for (const page of [byFields.get(row)!, byRow.get(row)!]) {
          expect(page.status, row).toBe('predicted 1 row');
          expect(Object.keys(page.results[0].outputs)).toEqual(outputs);
          for (const name of outputs) {
            const [want, got] = [expected[name], page.results[0].outputs[name]];
            expect(got.kind, `${row} ${name}`).toBe(want.kind);
            if (want.kind === 'regression') {
              expect(Math.abs(got.value! - want.value), `${row} ${name}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want.value)));
              continue;
            }
            expect(got.top[0].label, `${row} ${name}`).toBe(want.label);
            expect(got.top.map((t) => t.label)).toEqual(got.top.map((t) => loaded.labels[name]![t.index]));
            loaded.labels[name]!.forEach((label, k) => expect(Math.abs(got.probabilities[k] - want.probabilities[label])).toBeLessThanOrEqual(1e-5));
            grades.add(want.label);
          }
        }
      }
      expect(byRow.get(ROWS[0])!.results[0].source).toBe(ROWS[0]);
      // Trained, the model tells the grades apart: the rows are not all given one class.
      expect(grades.size).toBeGreaterThan(1);
    });

    it('prints with `infer.ts --csv` what the page shows for the same rows', () => {
      const r = spawnSync(TSX, ['infer.ts', '--model', modelDir, ...ROWS.flatMap((row) => ['--csv', row])], { cwd: ws.trainerDir, encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines).toHaveLength(ROWS.length);
      ROWS.forEach((row, i) => {
        const page = byFields.get(row)!.results[0].outputs;
        const parts = outputs.map((name) => {
          const p = page[name];
          return p.kind === 'regression' ? `${name} ${p.value!.toPrecision(6)}` : `${name} ${p.top[0].label} (${(p.top[0].probability * 100).toFixed(1)}%)`;
        });
        expect(lines[i]).toBe(`${row}: ${parts.join(', ')}`);
      });
    });

    it('says which input is wrong when its fields hold too few values, and what a row it cannot read lacks', () => {
      const [name, columns] = Object.entries(inputs)[0];
      expect(badField.status).toMatch(new RegExp(`^error: ${name}: expected ${columns.length} values \\(.+\\), found 1$`));
      expect(badField.results).toEqual([]);
      const each = Object.entries(inputs).map(([n, c]) => `${c.length} for ${n}`).join(', ');
      expect(badRow.status).toBe(`error: the row has 2 values; expected 5 features (${each}) or a full row of 7`);
      expect(badRow.results).toEqual([]);
    });
  });
}
