// End-to-end helpers: a spec copied into a temp folder inside the repo next to its data, compiled there, and its
// generated trainer imported in-process. Temp folders live under <repo>/tmp/e2e so that the generated code's
// `@tensorflow/tfjs` imports resolve through the repo's node_modules.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { expect } from 'vitest';
import { compileSpec } from '../codegen/helpers.js';
import { summaryCommand } from '../../src/cli/summary.js';
import type { ModelShapeInfo } from '../../src/pipeline.js';

export const REPO = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const SPECS = path.join(REPO, 'specs');
export const FASHION_MINI = path.join(SPECS, 'data', 'fashion-mnist-mini');
/** For hooks that train: seconds on an idle machine, but other test files share its two cores. */
export const TRAINING_TIMEOUT = 300_000;

/** The generated train.ts / infer.ts modules, typed loosely to what the tests call. */
export interface TrainOutcome {
  outDir: string;
  backend: string;
  result: { model: tf.LayersModel; history: Record<string, number[]>; epochsRun: number; stopReason?: string };
  metrics: Record<string, number | null>;
}
export interface TrainModule {
  runTraining(opts: Record<string, unknown>): Promise<TrainOutcome>;
  TRAINING: { name: string; model: string; epochs: number };
}
export type Prediction =
  | { kind: 'classification'; label: string; index: number; confidence: number; probabilities: Record<string, number> }
  | { kind: 'regression'; value: number };
export interface LoadedModel {
  model: tf.LayersModel;
  labels: string[] | null;
  preprocessing: {
    inputShape: number[]; dtype: 'float32' | 'int32';
    normalize: { type: string; factor?: number; mean?: number[]; std?: number[]; min?: number[]; max?: number[] };
  };
}
export interface InferModule {
  loadModel(dir: string): Promise<LoadedModel>;
  predict(loaded: LoadedModel, input: Float32Array | number[] | { image: string } | { csv: string }): Promise<Prediction>;
}
export interface ModelModule { buildModel(seed?: number): tf.LayersModel; SPEC_SEED: number }

export interface Workspace {
  /** The temp folder holding the spec copy and its data. */
  dir: string;
  specFile: string;
  /** The generated trainer folder. */
  trainerDir: string;
  /** Shape inference of the training's model, as `nnc summary --format json` prints it. */
  summary: ModelShapeInfo;
  train: TrainModule;
  infer: InferModule;
  model: ModelModule;
  cleanup(): void;
}

/** What `nnc summary --format json <specFile>` prints, run in-process. */
export function summaryOf(specFile: string): ModelShapeInfo[] {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (s: string) => out.push(s), err: (s: string) => err.push(s), isTTY: false, readFile: (f: string) => readFileSync(f, 'utf8') };
  const code = summaryCommand([specFile], { format: 'json' }, io);
  if (code !== 0) throw new Error(`nnc summary ${specFile} failed: ${err.join('')}`);
  return JSON.parse(out.join('\n')) as ModelShapeInfo[];
}

/** A fresh folder under <repo>/tmp/e2e. */
export function tempDir(name: string): string {
  const root = path.join(REPO, 'tmp', 'e2e');
  mkdirSync(root, { recursive: true });
  return mkdtempSync(path.join(root, `${name}-`));
}

/**
 * Copies specs/<specName>.nn into a temp folder, lets `writeData(dir)` put the data next to it, compiles it there
 * (as `nnc compile spec -o <dir>/out` would) and imports the generated trainer.
 */
export async function prepareTrainer(specName: string, writeData: (dir: string) => Promise<void> | void): Promise<Workspace> {
  const dir = tempDir(specName);
  try {
    const specFile = path.join(dir, `${specName}.nn`);
    copyFileSync(path.join(SPECS, `${specName}.nn`), specFile);
    await writeData(dir);
    const outDir = path.join(dir, 'out');
    const files = compileSpec(specFile, outDir);
    for (const [relative, content] of files) {
      const target = path.join(outDir, relative);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
    const trainRelative = [...files.keys()].find((k) => /^[^/]+\/train\.ts$/.test(k));
    if (!trainRelative) throw new Error(`compiling ${specName} wrote no train.ts`);
    const trainerDir = path.join(outDir, path.dirname(trainRelative));
    const load = async <T>(file: string) => (await import(pathToFileURL(path.join(trainerDir, file)).href)) as T;
    const train = await load<TrainModule>('train.ts');
    const summary = summaryOf(specFile).find((s) => s.model === train.TRAINING.model);
    if (!summary) throw new Error(`no shape summary for model ${train.TRAINING.model}`);
    return {
      dir, specFile, trainerDir, summary, train,
      infer: await load<InferModule>('infer.ts'),
      model: await load<ModelModule>('model.ts'),
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Per-layer output shapes and parameter counts of the built model equal the compiler's summary. */
export function expectModelMatchesSummary(model: tf.LayersModel, summary: ModelShapeInfo): void {
  const size = (ws: tf.LayerVariable[]) => ws.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 0), 1), 0);
  const built = model.layers.map((layer) => ({
    name: layer.name,
    outputShape: layer.outputShape,
    params: layer.countParams(),
    trainableParams: size(layer.trainableWeights),
  }));
  const expected = summary.layers.map((l) => ({
    name: l.name, outputShape: l.outputShape, params: l.params, trainableParams: l.trainableParams,
  }));
  expect(built).toEqual(expected);
  expect(model.countParams()).toBe(summary.totalParams);
}

/** Loss history is finite, and the last epoch's training loss is below the first's. */
export function expectLossFalls(history: Record<string, number[]>, epochs: number): void {
  const loss = history.loss;
  expect(loss).toHaveLength(epochs);
  for (const value of loss) expect(Number.isFinite(value)).toBe(true);
  expect(loss[loss.length - 1]).toBeLessThan(loss[0]);
}

/** Every model output row of `a` equals `b`'s within `tolerance`. */
export function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tolerance = 1e-5): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  expect(worst).toBeLessThanOrEqual(tolerance);
}

/** The in-memory model's output on one already-normalized sample. */
export function predictInMemory(model: tf.LayersModel, sample: ArrayLike<number>, shape: number[], dtype: 'float32' | 'int32' = 'float32'): Float32Array {
  return tf.tidy(() => {
    const x = dtype === 'int32' ? tf.tensor(Int32Array.from(sample), [1, ...shape], 'int32') : tf.tensor(Float32Array.from(sample), [1, ...shape]);
    return (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
  });
}

/** The probabilities of a classification prediction, in class order (sigmoid: [p(0), p(1)]). */
export function probabilitiesOf(p: Prediction, labels: string[]): number[] {
  if (p.kind !== 'classification') throw new Error('expected a classification prediction');
  return labels.map((label) => p.probabilities[label]);
}

/** Deterministic uniform [0, 1) numbers (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Shape = 'square' | 'circle' | 'triangle' | 'cross';
export const SHAPES: Shape[] = ['square', 'circle', 'triangle', 'cross'];

/** Whether (x, y) (in units of the shape's half-size, centred) lies inside `shape`. */
function inside(shape: Shape, x: number, y: number): boolean {
  switch (shape) {
    case 'square': return Math.abs(x) <= 1 && Math.abs(y) <= 1;
    case 'circle': return x * x + y * y <= 1;
    case 'triangle': return y <= 1 && y >= -1 && Math.abs(x) <= (y + 1) / 2;
    case 'cross': return (Math.abs(x) <= 0.3 && Math.abs(y) <= 1) || (Math.abs(y) <= 0.3 && Math.abs(x) <= 1);
  }
}

/**
 * Writes a size x size RGB PNG: a `shape` filled with `color` on a dark noisy background, its position and size
 * jittered by `random`.
 */
export async function drawShapePng(file: string, size: number, shape: Shape, color: [number, number, number], random: () => number): Promise<void> {
  const pixels = Buffer.alloc(size * size * 3);
  const half = size * (0.25 + 0.1 * random());
  const cx = size / 2 + (random() - 0.5) * size * 0.2;
  const cy = size / 2 + (random() - 0.5) * size * 0.2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const on = inside(shape, (x + 0.5 - cx) / half, (y + 0.5 - cy) / half);
      for (let c = 0; c < 3; c++) {
        const noise = Math.floor(random() * 30);
        pixels[(y * size + x) * 3 + c] = on ? Math.max(0, color[c] - noise) : noise;
      }
    }
  }
  mkdirSync(path.dirname(file), { recursive: true });
  await sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).png().toFile(file);
}

/** Raw HWC pixels 0..255 of an image file resized to height x width RGB (as a trainer's image loader reads it). */
export async function readPngPixels(file: string, height: number, width: number): Promise<Float32Array> {
  const { data } = await sharp(file).resize(width, height, { fit: 'fill' }).removeAlpha().toColourspace('srgb').raw()
    .toBuffer({ resolveWithObject: true });
  return Float32Array.from(data);
}
