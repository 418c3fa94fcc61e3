// Golden files cannot bless themselves under CI: UPDATE_GOLDEN=1 is refused there (test/golden.ts).
import { describe, expect, it } from 'vitest';
import { statedExpectations, updatingGoldens } from '../golden.js';

describe('golden guard', () => {
  it('refuses UPDATE_GOLDEN=1 under CI, and rewrites only when asked outside CI', () => {
    expect(() => updatingGoldens({ UPDATE_GOLDEN: '1', CI: 'true' })).toThrow(/refused under CI/);
    expect(() => updatingGoldens({ UPDATE_GOLDEN: '1', CI: '1' })).toThrow(/refused under CI/);
    expect(updatingGoldens({ UPDATE_GOLDEN: '1' })).toBe(true);
    expect(updatingGoldens({ UPDATE_GOLDEN: '1', CI: 'false' })).toBe(true);
    expect(updatingGoldens({ CI: 'true' })).toBe(false);
    expect(updatingGoldens({})).toBe(false);
  });

  it('reads the hand-written `# expect:` lines of a fixture, and nothing else', () => {
    const text = 'model M {}\n# expect: error[NN2013] at 1:7\n# expect: warning[NN2017] at -\n# expect: error[NN20] at 1:1\n#expect: error[NN2013] at 1:7\n';
    expect(statedExpectations(text)).toEqual(['error[NN2013] at 1:7', 'warning[NN2017] at -']);
  });
});
