// Saving and loading tfjs layers models in the standard layout (model.json + weights.bin, manifest path
// `./weights.bin`), readable by `tf.loadLayersModel('file://.../model.json')` in tfjs-node, written without
// tfjs-node through `tf.io.withSaveHandler`. Every folder is written atomically (see writeDirAtomic).
import * as tf from '@tensorflow/tfjs';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
// nnc's own layers register themselves for deserialization, so any saved model that uses them loads
import './layers.js';

class ModelIoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelIoError';
  }
}

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

type DirFiles = Record<string, Uint8Array | string>;

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(() => true, () => false);
}

async function fsyncPath(p: string): Promise<void> {
  const handle = await fs.open(p, 'r');
  try { await handle.sync(); } finally { await handle.close(); }
}

async function writeFileDurable(file: string, data: Uint8Array | string): Promise<void> {
  const handle = await fs.open(file, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const oldPath = (dir: string) => `${dir}.old`;

/**
 * The folder holding the last complete write of `dir`: `dir` itself, or `dir.old` when a writer died between
 * moving the previous version aside and moving the new one in; null when neither exists.
 */
export async function resolveCompleteDir(dir: string): Promise<string | null> {
  if (await exists(dir)) return dir;
  if (await exists(oldPath(dir))) return oldPath(dir);
  return null;
}

/**
 * Replaces folder `dir` by one holding exactly `files`, so that a crash at any moment leaves either the old or
 * the new complete version (found by resolveCompleteDir). Files go to `dir.tmp-<pid>-<n>` and are fsynced; then
 * `dir` -> `dir.old`, tmp -> `dir`, the parent is fsynced and `dir.old` removed. POSIX cannot rename over a
 * non-empty folder, hence the two renames.
 */
export async function writeDirAtomic(dir: string, files: DirFiles, ops: SwapOps = FS_SWAP_OPS): Promise<void> {
  const parent = path.dirname(dir);
  const base = path.basename(dir);
  await fs.mkdir(parent, { recursive: true });
  for (const name of Object.keys(files)) {
    if (name.includes('/') || name.includes('\\') || name === '' || name.startsWith('.')) {
      throw new ModelIoError(`${dir}: invalid file name '${name}' (plain names only)`);
    }
  }
  // Finish a swap a previous writer died in, so `dir.old` is never deleted while it is the only copy.
  if (!(await exists(dir)) && (await exists(oldPath(dir)))) await ops.rename(oldPath(dir), dir);
  // Leftover temp folders of dead writers.
  for (const entry of await fs.readdir(parent)) {
    if (entry.startsWith(`${base}.tmp-`)) await ops.rm(path.join(parent, entry));
  }
  const tmp = `${dir}.tmp-${process.pid}-${Date.now().toString(36)}`;
  await fs.mkdir(tmp);
  for (const [name, data] of Object.entries(files)) await writeFileDurable(path.join(tmp, name), data);
  await fsyncPath(tmp);
  await ops.rm(oldPath(dir));
  if (await exists(dir)) await ops.rename(dir, oldPath(dir));
  await ops.rename(tmp, dir);
  await fsyncPath(parent);
  await ops.rm(oldPath(dir));
}

/** The steps of the folder swap that change what is on disk; tests inject failures into them. */
export interface SwapOps {
  rename(from: string, to: string): Promise<void>;
  /** Recursive, and no error when `target` is missing. */
  rm(target: string): Promise<void>;
}

export const FS_SWAP_OPS: SwapOps = {
  rename: (from, to) => fs.rename(from, to),
  rm: (target) => fs.rm(target, { recursive: true, force: true }),
};

/** Joins tfjs `WeightData` (one ArrayBuffer or several) into bytes. */
export function weightDataBytes(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  return new Uint8Array(tf.io.CompositeArrayBuffer.join(data));
}

/** The model's topology, weight specs and weight bytes, captured through a save handler. */
async function captureModelArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    captured = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  if (captured === null) throw new ModelIoError('model.save produced no artifacts');
  return captured;
}

/** model.json and weights.bin contents in the standard tfjs layers layout. */
export function modelFiles(artifacts: tf.io.ModelArtifacts): DirFiles {
  if (artifacts.modelTopology === undefined) throw new ModelIoError('model.save produced no topology');
  const manifest: tf.io.WeightsManifestConfig = [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }];
  const modelJson: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: manifest,
  };
  if (artifacts.trainingConfig) modelJson.trainingConfig = artifacts.trainingConfig;
  if (artifacts.userDefinedMetadata) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
  return { [MODEL_JSON]: JSON.stringify(modelJson), [WEIGHTS_BIN]: weightDataBytes(artifacts.weightData) };
}

/**
 * Saves `model` to `dir` (model.json + weights.bin) atomically; `extraFiles` maps plain file names to JSON values
 * written next to them (e.g. `{ 'training.json': {...} }`).
 */
export async function saveModelAtomic(model: tf.LayersModel, dir: string, extraFiles: Record<string, unknown> = {}): Promise<void> {
  const files = modelFiles(await captureModelArtifacts(model));
  for (const [name, value] of Object.entries(extraFiles)) {
    if (name in files) throw new ModelIoError(`${dir}: extra file '${name}' would overwrite the model`);
    files[name] = JSON.stringify(value, null, 2);
  }
  await writeDirAtomic(dir, files);
}

/** Reads model.json and the weight files its manifest names; checks the byte count against the specs. */
export async function readModelArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const jsonPath = path.join(dir, MODEL_JSON);
  let modelJson: tf.io.ModelJSON;
  try {
    modelJson = JSON.parse(await fs.readFile(jsonPath, 'utf8')) as tf.io.ModelJSON;
  } catch (err) {
    throw new ModelIoError(`${jsonPath}: cannot read model: ${(err as Error).message}`);
  }
  if (!modelJson.modelTopology || !Array.isArray(modelJson.weightsManifest)) {
    throw new ModelIoError(`${jsonPath}: not a tfjs layers model (modelTopology or weightsManifest missing)`);
  }
  const chunks: Uint8Array[] = [];
  const specs: tf.io.WeightsManifestEntry[] = [];
  for (const group of modelJson.weightsManifest) {
    for (const p of group.paths) {
      const file = path.join(dir, p);
      try { chunks.push(await fs.readFile(file)); } catch (err) {
        throw new ModelIoError(`${file}: cannot read weights: ${(err as Error).message}`);
      }
    }
    specs.push(...group.weights);
  }
  const data = concatBytes(chunks);
  const expected = weightSpecsByteLength(specs);
  if (data.byteLength !== expected) {
    throw new ModelIoError(`${dir}: weight files hold ${data.byteLength} bytes, the manifest describes ${expected}`);
  }
  return tf.io.getModelArtifactsForJSONSync(modelJson, specs, data.buffer as ArrayBuffer);
}

function concatBytes(chunks: Uint8Array[]): Uint8Array {
  const total = chunks.reduce((n, c) => n + c.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) { out.set(c, offset); offset += c.byteLength; }
  return out;
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, float16: 2 };

export function weightSpecsByteLength(specs: tf.io.WeightsManifestEntry[]): number {
  let total = 0;
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const bytes = spec.quantization ? DTYPE_BYTES[spec.quantization.dtype] : DTYPE_BYTES[spec.dtype];
    if (bytes === undefined) throw new ModelIoError(`weight '${spec.name}': unsupported dtype ${spec.dtype}`);
    total += size * bytes;
  }
  return total;
}

/** Loads a model saved by saveModelAtomic (or any standard tfjs layers folder) without tfjs-node. */
export async function loadModelFromDir(dir: string): Promise<tf.LayersModel> {
  const complete = await resolveCompleteDir(dir);
  if (complete === null) throw new ModelIoError(`${dir}: no saved model there`);
  const artifacts = await readModelArtifacts(complete);
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}
