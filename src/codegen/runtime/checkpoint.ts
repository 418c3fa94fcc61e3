// Crash-safe training checkpoints: `<outDir>/checkpoint/` holds model.json + weights.bin (a loadable model),
// optimizer.bin (optimizer slots), optional best-weights.bin (for restore_best_weights) and state.json (epoch,
// RNG state, history, monitor state, SHA-256 of every binary file). The folder is replaced atomically.
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { modelFiles, readModelArtifacts, resolveCompleteDir, weightDataBytes, weightSpecsByteLength, writeDirAtomic } from './model-io.js';
import type { RngState } from './rng.js';
import type { MonitorState, ScheduleState } from './schedules.js';
import type { SpecFingerprint } from './spec-fingerprint.js';

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

const CHECKPOINT_FORMAT = 'nnc-checkpoint-1';

/** Everything besides tensors needed to continue a run exactly where it stopped. */
export interface TrainState {
  epochs: number;
  batchSize: number;
  seed: number;
  /** Completed epochs. */
  epochsDone: number;
  /** Samples of epoch `epochsDone` already trained on (non-zero only when interrupted mid-epoch). */
  samplesDoneInEpoch: number;
  /** Sample-weighted sums of batch loss/metrics over those samples. */
  partialSums: Record<string, number>;
  /** RNG state at the start of epoch `epochsDone`: regenerates that epoch's shuffle. */
  epochRngState: RngState;
  history: Record<string, number[]>;
  earlyStopping: MonitorState;
  bestModel: MonitorState;
  schedule: ScheduleState;
  /** Set when early stopping ended the run, so resuming does not train further. */
  stopReason: 'early_stopping' | null;
  /**
   * Wall-clock seconds of each completed epoch, across interrupted and resumed runs, and those already spent on
   * epoch `epochsDone` when it was interrupted. Absent in checkpoints written before nnc recorded them.
   */
  epochSeconds?: number[];
  partialEpochSeconds?: number;
}

/** Weights as bytes + specs, kept in JS memory (no tensors) for rollbacks and restore_best_weights. */
export interface WeightSnapshot { specs: tf.io.WeightsManifestEntry[]; data: Uint8Array }

export interface LoadedCheckpoint {
  dir: string;
  state: TrainState;
  weights: WeightSnapshot;
  optimizer: { className: string; weights: WeightSnapshot };
  bestWeights: WeightSnapshot | null;
  /** What the checkpoint was trained from; null in checkpoints written without one. */
  spec: SpecFingerprint | null;
}

type NamedTensor = { name: string; tensor: tf.Tensor };

const STATE_JSON = 'state.json';
const OPTIMIZER_BIN = 'optimizer.bin';
const BEST_WEIGHTS_BIN = 'best-weights.bin';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

// ---- optimizer slots ----

interface AdamaxInternals {
  iteration: tf.Variable; accBeta1: tf.Variable; iterations_: number;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedWeightedInfNorm: { originalName: string; variable: tf.Variable }[];
}

interface AdamInternals { accBeta1: tf.Variable; accBeta2: tf.Variable }

/** Optimizer slot values. tfjs Adamax has no getWeights(), so its fields are read directly. */
async function captureOptimizerWeights(optimizer: tf.Optimizer): Promise<WeightSnapshot> {
  let named: NamedTensor[];
  if (optimizer.getClassName() === 'Adamax') {
    const o = optimizer as unknown as AdamaxInternals;
    named = [
      { name: 'iterations', tensor: tf.scalar(o.iterations_, 'int32') },
      { name: 'adamax/iteration', tensor: o.iteration },
      { name: 'adamax/acc_beta1', tensor: o.accBeta1 },
      ...o.accumulatedFirstMoment.map((s) => ({ name: s.originalName, tensor: s.variable })),
      ...o.accumulatedWeightedInfNorm.map((s) => ({ name: s.originalName, tensor: s.variable })),
    ];
  } else {
    named = await optimizer.getWeights();
    // Adam's setWeights recomputes accBeta1/2 as pow(beta, t+1), which differs in the last bits from the running
    // product; saving them keeps a resumed run bit-identical to an uninterrupted one.
    if (optimizer.getClassName() === 'Adam') {
      const o = optimizer as unknown as AdamInternals;
      named.push({ name: 'adam/acc_beta1', tensor: o.accBeta1 }, { name: 'adam/acc_beta2', tensor: o.accBeta2 });
    }
  }
  try {
    const { data, specs } = await tf.io.encodeWeights(named);
    return { specs, data: new Uint8Array(data) };
  } finally {
    // getWeights() returns the slot variables themselves plus a fresh `iterations` scalar.
    for (const n of named) if (!(n.tensor instanceof tf.Variable)) n.tensor.dispose();
  }
}

export async function restoreOptimizerWeights(optimizer: tf.Optimizer, snapshot: WeightSnapshot): Promise<void> {
  const decoded = tf.io.decodeWeights(snapshot.data.slice().buffer, snapshot.specs);
  const named = snapshot.specs.map((s) => ({ name: s.name, tensor: decoded[s.name] }));
  try {
    if (optimizer.getClassName() === 'Adamax') {
      const o = optimizer as unknown as AdamaxInternals;
      const [iterations, iteration, accBeta1, ...slots] = named;
      o.iterations_ = (await iterations.tensor.data())[0];
      o.iteration.assign(iteration.tensor);
      o.accBeta1.assign(accBeta1.tensor);
      tf.dispose([...o.accumulatedFirstMoment, ...o.accumulatedWeightedInfNorm].map((s) => s.variable));
      const half = slots.length / 2;
      const toSlot = (n: NamedTensor) => ({ originalName: n.name, variable: n.tensor.variable(false) });
      o.accumulatedFirstMoment = slots.slice(0, half).map(toSlot);
      o.accumulatedWeightedInfNorm = slots.slice(half).map(toSlot);
    } else if (optimizer.getClassName() === 'Adam' && named.length >= 3 && named[named.length - 1].name === 'adam/acc_beta2') {
      const o = optimizer as unknown as AdamInternals;
      await optimizer.setWeights(named.slice(0, -2));
      o.accBeta1.assign(named[named.length - 2].tensor);
      o.accBeta2.assign(named[named.length - 1].tensor);
    } else {
      await optimizer.setWeights(named);
    }
  } finally {
    // Variables made from these tensors hold their own reference.
    tf.dispose(Object.values(decoded));
  }
}

// ---- model weights ----

export async function captureModelWeights(model: tf.LayersModel): Promise<WeightSnapshot> {
  const named = model.weights.map((w) => ({ name: w.originalName, tensor: w.read() }));
  const { data, specs } = await tf.io.encodeWeights(named);
  return { specs, data: new Uint8Array(data) };
}

/**
 * The name of the first weight holding NaN or +-Infinity, or null when all are finite. A finite loss does not
 * prove finite weights (crossentropy clips its input), so every save checks the weights themselves.
 */
export function nonFiniteWeight(snapshot: WeightSnapshot): string | null {
  let offset = 0;
  for (const spec of snapshot.specs) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.dtype === 'float32' && !spec.quantization) {
      const at = snapshot.data.byteOffset + offset;
      const values = at % 4 === 0 ? new Float32Array(snapshot.data.buffer, at, count)
        : new Float32Array(snapshot.data.slice(offset, offset + count * 4).buffer);
      for (let i = 0; i < count; i++) if (!Number.isFinite(values[i])) return spec.name;
    }
    offset += count * (spec.dtype === 'bool' ? 1 : 4);
  }
  return null;
}

/** Sets model weights from a snapshot, by position, checking shapes. */
export function restoreModelWeights(model: tf.LayersModel, snapshot: WeightSnapshot, origin: string): void {
  const weights = model.weights;
  if (weights.length !== snapshot.specs.length) {
    throw new CheckpointError(`${origin}: holds ${snapshot.specs.length} weight tensors, the model has ${weights.length}`);
  }
  snapshot.specs.forEach((spec, i) => {
    if (spec.shape.join('x') !== weights[i].shape.join('x')) {
      throw new CheckpointError(`${origin}: weight '${spec.name}' has shape [${spec.shape}], the model expects [${weights[i].shape}]`);
    }
  });
  const decoded = tf.io.decodeWeights(snapshot.data.slice().buffer, snapshot.specs);
  const tensors = snapshot.specs.map((s) => decoded[s.name]);
  try { model.setWeights(tensors); } finally { tf.dispose(tensors); }
}

// ---- folder ----

export async function writeCheckpoint(dir: string, args: {
  model: tf.LayersModel; optimizer: tf.Optimizer; state: TrainState; bestWeights: WeightSnapshot | null;
  /** Weights already captured for this state (avoids reading them twice). */
  weights?: WeightSnapshot;
  spec?: SpecFingerprint | null;
}): Promise<WeightSnapshot> {
  const weights = args.weights ?? await captureModelWeights(args.model);
  const artifacts = await captureTopology(args.model);
  const optimizerWeights = await captureOptimizerWeights(args.optimizer);
  const files = modelFiles({ ...artifacts, weightSpecs: weights.specs, weightData: weights.data.buffer as ArrayBuffer });
  files[OPTIMIZER_BIN] = optimizerWeights.data;
  if (args.bestWeights) files[BEST_WEIGHTS_BIN] = args.bestWeights.data;
  const checksums: Record<string, string> = {};
  for (const [name, data] of Object.entries(files)) if (typeof data !== 'string') checksums[name] = sha256(data);
  files[STATE_JSON] = JSON.stringify({
    format: CHECKPOINT_FORMAT,
    state: args.state,
    optimizer: { className: args.optimizer.getClassName(), specs: optimizerWeights.specs },
    bestWeights: args.bestWeights ? { specs: args.bestWeights.specs } : null,
    spec: args.spec ?? null,
    checksums,
  });
  await writeDirAtomic(dir, files);
  return weights;
}

async function captureTopology(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  // The topology does not change during training; cache it per model.
  let cached = topologyCache.get(model);
  if (!cached) {
    const modelTopology = model.toJSON(undefined, false) as object;
    cached = { modelTopology, format: 'layers-model', generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`, convertedBy: null };
    topologyCache.set(model, cached);
  }
  return cached;
}
const topologyCache = new WeakMap<tf.LayersModel, tf.io.ModelArtifacts>();

/** Reads and verifies the checkpoint in `dir`; null when there is none. */
export async function readCheckpoint(dir: string): Promise<LoadedCheckpoint | null> {
  const complete = await resolveCompleteDir(dir);
  if (complete === null) return null;
  const statePath = path.join(complete, STATE_JSON);
  let meta: {
    format: string; state: TrainState; checksums: Record<string, string>; spec?: SpecFingerprint | null;
    optimizer: { className: string; specs: tf.io.WeightsManifestEntry[] }; bestWeights: { specs: tf.io.WeightsManifestEntry[] } | null;
  };
  try {
    meta = JSON.parse(await fs.readFile(statePath, 'utf8'));
  } catch (err) {
    throw new CheckpointError(`${statePath}: cannot read checkpoint state: ${(err as Error).message}`);
  }
  if (meta.format !== CHECKPOINT_FORMAT) throw new CheckpointError(`${statePath}: unknown checkpoint format '${meta.format}'`);
  const readVerified = async (name: string): Promise<Uint8Array> => {
    const file = path.join(complete, name);
    const data = new Uint8Array(await fs.readFile(file).catch((err: Error) => {
      throw new CheckpointError(`${file}: cannot read: ${err.message}`);
    }));
    if (sha256(data) !== meta.checksums[name]) throw new CheckpointError(`${file}: checksum mismatch (corrupt checkpoint)`);
    return data;
  };
  await readVerified('weights.bin');
  const artifacts = await readModelArtifacts(complete);
  const weights = { specs: artifacts.weightSpecs ?? [], data: weightDataBytes(artifacts.weightData) };
  const optimizerData = await readVerified(OPTIMIZER_BIN);
  if (optimizerData.byteLength !== weightSpecsByteLength(meta.optimizer.specs)) {
    throw new CheckpointError(`${path.join(complete, OPTIMIZER_BIN)}: size does not match its specs`);
  }
  const bestWeights = meta.bestWeights ? { specs: meta.bestWeights.specs, data: await readVerified(BEST_WEIGHTS_BIN) } : null;
  return {
    dir: complete, state: meta.state, weights, spec: meta.spec ?? null,
    optimizer: { className: meta.optimizer.className, weights: { specs: meta.optimizer.specs, data: optimizerData } },
    bestWeights,
  };
}
