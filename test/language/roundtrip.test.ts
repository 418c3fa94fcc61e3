// Round trip: for every spec in specs/, parse -> normalize -> print -> parse gives the same normalized
// spec, and printing that again gives the same text.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/pipeline.js';
import { printSpec } from '../../src/normalize/print.js';

const host = { readFile: (f: string) => readFileSync(f, 'utf8') };
const specs = readdirSync('specs').filter((f) => f.endsWith('.nn'));

describe('normalized spec round trip', () => {
  it('covers the specs', () => expect(specs.length).toBeGreaterThanOrEqual(5));
  for (const name of specs) {
    it(name, () => {
      const file = `specs/${name}`;
      const first = check(file, readFileSync(file, 'utf8'), host);
      expect(first.diagnostics).toEqual([]);
      const printed = printSpec(first.spec!);
      const second = check(file, printed, host);
      expect(second.diagnostics).toEqual([]);
      expect(second.spec).toEqual(first.spec);
      expect(printSpec(second.spec!)).toBe(printed);
    });
  }
});
