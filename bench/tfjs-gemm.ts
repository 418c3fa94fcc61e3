// Single-precision matrix multiply speed of a tfjs backend (set up as the generated trainers set it up):
//   tsx bench/tfjs-gemm.ts --backend wasm|cpu --n 1024   -> one JSON line {backend, n, gflops, wasmThreads}
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/codegen/runtime/backend.js';
import { registerWasmTrainingKernels } from '../src/codegen/runtime/wasm-kernels.js';

async function main(): Promise<void> {
  const arg = (name: string, fallback: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const backend = await initBackend(arg('backend', 'wasm'), { quiet: true, wasmKernels: registerWasmTrainingKernels });
  const n = Number(arg('n', '1024'));
  const repeats = Number(arg('repeats', '3'));
  const a = tf.randomUniform([n, n]);
  const b = tf.randomUniform([n, n]);
  let best = Infinity;
  for (let i = 0; i <= repeats; i++) {
    const start = performance.now();
    const c = tf.matMul(a, b);
    await c.data();
    const seconds = (performance.now() - start) / 1000;
    c.dispose();
    if (i > 0) best = Math.min(best, seconds); // the first run warms up
  }
  let wasmThreads: number | null = null;
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm') as unknown as { getThreadsCount?: () => number };
    wasmThreads = wasm.getThreadsCount?.() ?? null;
  }
  process.stdout.write(JSON.stringify({ backend, n, gflops: (2 * n ** 3) / best / 1e9, wasmThreads }) + '\n');
}

main().catch((e: Error) => { console.error(`error: ${e.message}`); process.exit(1); });
