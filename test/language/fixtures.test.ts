// Every bad spec under test/fixtures/check has its expected diagnostics in <name>.diagnostics.txt beside it:
// code, file:line:column, message, the quoted line with carets, and help, exactly as `nnc check` prints them.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/pipeline.js';
import { renderText } from '../../src/diagnostics/render.js';
import { expectGolden } from '../golden.js';

const dir = 'test/fixtures/check';
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.nn')).sort();
const host = { readFile: (f: string) => readFileSync(f, 'utf8') };

describe('bad-spec fixtures', () => {
  it('has at least 40 fixtures', () => expect(fixtures.length).toBeGreaterThanOrEqual(40));

  for (const name of fixtures) {
    it(name, () => {
      const file = path.join(dir, name);
      const result = check(file, readFileSync(file, 'utf8'), host);
      expect(result.diagnostics.some((d) => d.severity === 'error'), 'a bad spec must have an error').toBe(true);
      const rendered = result.diagnostics.map((d) => renderText(d, { sources: result.sources })).join('\n\n') + '\n';
      expectGolden(file.replace(/\.nn$/, '.diagnostics.txt'), rendered);
    });
  }
});
