// Every generated trainer type-checks under --strict against @tensorflow/tfjs's declarations.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('generated code', () => {
  it('passes tsc --noEmit --strict', () => {
    let output = '';
    try {
      execFileSync('node', ['node_modules/typescript/bin/tsc', '-p', 'generated/tsconfig.json'], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      output = String((e as { stdout?: string }).stdout ?? e);
    }
    expect(output).toBe('');
  }, 300_000);
});
