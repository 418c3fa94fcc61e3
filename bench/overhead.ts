// Section 2: the generated trainer's overhead over a hand-written tfjs model.fit script, same model, data, backend.
// Runs alternate (generated, hand-written, generated, ...) so that a change in machine load hits both alike.
import { loadSnapshot, median, round } from './lib.js';
import { configs, runTfjs, type RunConfig, type TfjsRun } from './training.js';

export interface OverheadBackend {
  backend: string;
  config: RunConfig;
  generated: TfjsRun[];
  handwritten: TfjsRun[];
  /** The hand-written script on tfjs's own backend (without the training kernels nnc registers), for reference. */
  handwrittenPlain: TfjsRun | null;
  generatedSamplesPerSec: number;
  handwrittenSamplesPerSec: number;
  /** median(generated) / median(hand-written) samples/s; the target is >= 0.97. */
  ratio: number;
  pairRatios: number[];
  error?: string;
}

export interface OverheadResults { loadavg: { before: number[]; after: number[] }; backends: OverheadBackend[] }

export async function runOverheadBench(opts: { quick: boolean }): Promise<OverheadResults> {
  const before = loadSnapshot();
  const all = configs(opts.quick);
  // Throughput is measured over the epochs after the first: 4 epochs give 3 x 3,000 samples per run on wasm, and
  // 5 alternating pairs, so one run disturbed by the machine moves the median little.
  // tfjs's cpu backend trains ~60 samples/s: 3 epochs and 4 pairs there.
  const wasm = { ...all.mlpWasm, epochs: opts.quick ? 2 : 4 };
  const cpu = { ...all.mlpCpu, epochs: opts.quick ? 2 : 3 };
  const plan: [RunConfig, number][] = [[wasm, opts.quick ? 1 : 5], [cpu, opts.quick ? 1 : 4]];
  const backends: OverheadBackend[] = [];
  for (const [config, rounds] of plan) {
    const entry: OverheadBackend = {
      backend: config.backend, config, generated: [], handwritten: [], handwrittenPlain: null,
      generatedSamplesPerSec: NaN, handwrittenSamplesPerSec: NaN, ratio: NaN, pairRatios: [],
    };
    try {
      for (let i = 0; i < rounds; i++) {
        // Alternate which goes first, so neither always runs right after the other's cool-down.
        const order = i % 2 === 0 ? (['generated', 'handwritten'] as const) : (['handwritten', 'generated'] as const);
        for (const impl of order) entry[impl].push(await runTfjs(impl, config, { infer: true }));
        entry.pairRatios.push(round(entry.generated[i].samplesPerSec / entry.handwritten[i].samplesPerSec, 3));
      }
      if (config.backend === 'wasm') entry.handwrittenPlain = await runTfjs('handwritten-plain', config, { infer: true });
    } catch (e) {
      entry.error = (e as Error).message.split('\n').slice(0, 3).join(' ');
    }
    entry.generatedSamplesPerSec = round(median(entry.generated.map((r) => r.samplesPerSec)), 1);
    entry.handwrittenSamplesPerSec = round(median(entry.handwritten.map((r) => r.samplesPerSec)), 1);
    entry.ratio = round(entry.generatedSamplesPerSec / entry.handwrittenSamplesPerSec, 3);
    backends.push(entry);
  }
  return { loadavg: { before, after: loadSnapshot() }, backends };
}
