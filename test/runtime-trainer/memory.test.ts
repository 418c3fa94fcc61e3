// Memory across epochs, measured in a child process of its own so nothing else in the test run moves its RSS: the
// tfjs train function and the native whole-step path (nnc-native), on an MLP and on a conv/pool/dropout net.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

interface EpochSample { rssMiB: number; peakRssMiB: number; wasmHeapMiB: number; numTensors: number }

const RUNS = [
  { model: 'mlp', step: 'tfjs', env: { NNC_NATIVE: 'off' } },
  { model: 'mlp', step: 'native', env: {} },
  { model: 'cnn', step: 'native', env: {} },
] as const;

describe('trainer memory', () => {
  for (const run of RUNS) {
    it(`keeps RSS, peak RSS, the wasm heap and the tensor count flat from epoch to epoch (${run.model}, ${run.step} step)`, () => {
      const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'test/runtime-trainer/fixtures/rss-per-epoch.ts', '8', run.model], {
        encoding: 'utf8', timeout: 120_000, env: { ...process.env, NNC_NATIVE: '', ...run.env },
      });
      const { backend, step, samples } = JSON.parse(out.trim().split('\n').pop()!) as { backend: string; step: string; samples: EpochSample[] };
      expect(backend).toBe('wasm');
      expect(step).toMatch(new RegExp(`^training step: ${run.step} `));
      expect(samples).toHaveLength(8);
      // Epoch 1 warms up (kernels, buffers, the first checkpoint); from epoch 2 on nothing may accumulate.
      const [, second] = samples;
      const last = samples[samples.length - 1];
      for (const s of samples.slice(1)) {
        expect(s.numTensors).toBe(second.numTensors);
        expect(s.wasmHeapMiB).toBe(second.wasmHeapMiB);
      }
      // 8 MiB over 6 epochs (384 steps) catches anything that keeps about 20 KiB per step.
      expect(last.rssMiB - second.rssMiB).toBeLessThan(8);
      expect(last.peakRssMiB - second.peakRssMiB).toBeLessThan(8);
    }, 150_000);
  }
});
