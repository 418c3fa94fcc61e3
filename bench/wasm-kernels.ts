// Measures training throughput (samples/s) of an MLP and a small CNN on: cpu, wasm as shipped, and wasm with
// registerWasmTrainingKernels(); plus per-kernel timings of the replaced kernels against wasm's originals.
// Run: npx tsx bench/wasm-kernels.ts [--steps N] [--skip-cpu]   (the cpu backend takes minutes per CNN step)
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../src/codegen/runtime/wasm-kernels.js';

const stepsArg = process.argv.indexOf('--steps');
const STEPS = stepsArg > 0 ? Number(process.argv[stepsArg + 1]) : 20;
const SKIP_CPU = process.argv.includes('--skip-cpu');

function mlp(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [784], units: 500, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 200, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return m;
}

function cnn(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return m;
}

/** samples/s of trainOnBatch (adam, categorical cross-entropy) after 1 warm-up step; 0 when training throws. */
async function trainThroughput(build: () => tf.LayersModel, inputShape: number[], batch: number): Promise<string> {
  const model = build();
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const x = tf.randomUniform([batch, ...inputShape]);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32') as tf.Tensor1D, 10);
  try {
    await model.trainOnBatch(x, y); // warm-up: builds the optimizer state and the wasm operator caches
    // At most STEPS steps, stopping early after 15 s (the cpu backend takes seconds per CNN step).
    const start = performance.now();
    let steps = 0;
    while (steps < STEPS && (steps < 2 || performance.now() - start < 15_000)) {
      await model.trainOnBatch(x, y);
      steps++;
    }
    const seconds = (performance.now() - start) / 1000;
    return `${((steps * batch) / seconds).toFixed(1)} (${steps} steps)`;
  } catch (e) {
    return `0 (${(e as Error).message.split('\n')[0]})`;
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
}

/** Mean milliseconds of one run of `op` (after one warm-up run). */
function timeOp(op: () => tf.Tensor, reps = 10): number {
  tf.dispose(op());
  const start = performance.now();
  for (let i = 0; i < reps; i++) {
    const t = op();
    t.dataSync();
    t.dispose();
  }
  return (performance.now() - start) / reps;
}

function kernelTimings(): Record<string, number> {
  const r: Record<string, number> = {};
  tf.tidy(() => {
    const dy1 = tf.randomNormal([64, 12, 12, 64]);
    const f = tf.randomNormal([3, 3, 32, 64]);
    r['Conv2DBackpropInput s1 [64,14,14,32]<-[64,12,12,64] valid'] =
      timeOp(() => tf.conv2dTranspose(dy1 as tf.Tensor4D, f as tf.Tensor4D, [64, 14, 14, 32], 1, 'valid'));
    const dy2 = tf.randomNormal([64, 7, 7, 64]);
    r['Conv2DBackpropInput s2 [64,14,14,32]<-[64,7,7,64] same'] =
      timeOp(() => tf.conv2dTranspose(dy2 as tf.Tensor4D, f as tf.Tensor4D, [64, 14, 14, 32], 2, 'same'));
    const a = tf.randomNormal([32, 500]);
    const b = tf.randomNormal([32, 784]);
    r['BatchMatMul [32,500]^T x [32,784]'] = timeOp(() => tf.matMul(a, b, true, false));
    const w = tf.randomNormal([784, 500]);
    const d = tf.randomNormal([32, 500]);
    r['BatchMatMul [32,500] x [784,500]^T'] = timeOp(() => tf.matMul(d, w, false, true));
    r['BatchMatMul plain [32,784] x [784,500]'] = timeOp(() => tf.matMul(b, w));
  });
  return r;
}

async function main(): Promise<void> {
  const results: Array<[string, string, string]> = [];
  const report = (r: [string, string, string]) => { results.push(r); console.error(`  ${r.join(' | ')}`); };
  await tf.setBackend('cpu');
  if (!SKIP_CPU) report(['cpu', await trainThroughput(mlp, [784], 32), await trainThroughput(cnn, [28, 28, 1], 64)]);
  await tf.setBackend('wasm');
  const before = kernelTimings();
  report(['wasm (as shipped)', await trainThroughput(mlp, [784], 32), await trainThroughput(cnn, [28, 28, 1], 64)]);
  registerWasmTrainingKernels();
  const after = kernelTimings();
  report(['wasm + training kernels', await trainThroughput(mlp, [784], 32), await trainThroughput(cnn, [28, 28, 1], 64)]);
  console.log(`steps per measurement: ${STEPS}`);
  console.log('backend | MLP 784-500-200-10 b32 samples/s | CNN conv32-pool-conv64-pool-dense b64 samples/s');
  for (const [name, m, c] of results) console.log(`${name} | ${m} | ${c}`);
  console.log('kernel | wasm original ms | replacement ms');
  for (const k of Object.keys(before)) console.log(`${k} | ${before[k].toFixed(2)} | ${after[k].toFixed(2)}`);
}

await main();
