// `import "other.nn"` shares models and datasets between specs.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/pipeline.js';

const host = { readFile: (f: string) => readFileSync(f, 'utf8') };
const run = (file: string) => check(file, readFileSync(file, 'utf8'), host);

describe('imports', () => {
  it('makes an imported dataset available to train blocks', () => {
    const r = run('test/fixtures/imports/main.nn');
    expect(r.diagnostics).toEqual([]);
    expect(r.spec!.datasets.map((d) => d.name)).toEqual(['fashion']);
    expect(r.spec!.trainings[0].dataset).toBe('fashion');
  });

  it('reports an import cycle at the import that closes it', () => {
    const r = run('test/fixtures/imports/cycle_a.nn');
    const cycle = r.diagnostics.find((d) => d.code === 'NN1009');
    expect(cycle?.message).toBe('import cycle: test/fixtures/imports/cycle_a.nn -> test/fixtures/imports/cycle_b.nn -> test/fixtures/imports/cycle_a.nn');
    expect(cycle?.span?.file).toBe('test/fixtures/imports/cycle_b.nn');
  });
});
