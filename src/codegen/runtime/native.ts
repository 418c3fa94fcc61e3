// The native whole-step path: one call into the optional nnc-native addon (OpenBLAS) per batch does the forward
// pass, loss, backward pass and optimizer update of a supported model (a chain or a graph), on the model's own weight
// tensors, batch_norm's moving statistics and the tfjs optimizer's own slot tensors in the wasm heap. Everything else (model.json, checkpoints, predict,
// evaluation) stays tfjs, and always sees current weights. Unsupported models, backends other than wasm, or an
// addon that is absent or fails to load fall back to tfjs's own train function, with one line saying why.
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { dropoutLayers, withStepSeeds } from './dropout-seeds.js';
import { describeModel, type ModelPlan, type NativeTraining } from './native-plan.js';

export { describeModel, NativeUnsupported } from './native-plan.js';

/** The addon's functions (native/src/addon.cc). */
interface NativeAddon {
  createPlan(desc: Float64Array): object;
  step(plan: object, heap: ArrayBuffer, offsets: Float64Array, batch: number, learningRate: number, out: Float64Array): void;
  predict(plan: object, heap: ArrayBuffer, offsets: Float64Array, batch: number, outOffset: number): void;
  seed(plan: object, seed: number): void;
  fixedMasks(plan: object, on: boolean): void;
  paramSizes(plan: object): number[];
  stateSizes(plan: object): number[];
  info(): { blas: string; blasThreads: number; threads?: number };
  /** nnc's own threads splitting the step (NNC_NATIVE_THREADS when loaded); results do not depend on it. */
  setThreads?(threads: number): void;
}

const ADDON_PACKAGE = 'nnc-native';

let loaded: { addon: NativeAddon | null; reason: string | null } | null = null;

/**
 * Loads nnc-native once: NNC_NATIVE=off disables it; NNC_NATIVE_BINARY names a built nnc_native.node; otherwise the
 * package is resolved by name from this file (the nnc repository's node_modules links it to native/).
 */
export function loadNativeAddon(): { addon: NativeAddon | null; reason: string | null } {
  // Read on every call, so that a process can turn the native step off for one run.
  if ((process.env.NNC_NATIVE ?? '').trim().toLowerCase() === 'off') return { addon: null, reason: 'NNC_NATIVE=off' };
  if (loaded) return loaded;
  try {
    const require = createRequire(import.meta.url);
    const addon = require(process.env.NNC_NATIVE_BINARY ? process.env.NNC_NATIVE_BINARY : ADDON_PACKAGE) as NativeAddon;
    if (typeof addon.step !== 'function' || typeof addon.createPlan !== 'function') throw new Error('it is not nnc-native');
    loaded = { addon, reason: null };
  } catch (e) {
    const err = e as { code?: string; message?: string };
    const reason = err.code === 'MODULE_NOT_FOUND' && String(err.message).includes(`'${ADDON_PACKAGE}'`)
      ? `${ADDON_PACKAGE} not installed`
      : String(err.message ?? e).split('\n')[0].replace(/^nnc-native: /, '').slice(0, 200);
    loaded = { addon: null, reason };
  }
  return loaded;
}

/** The part of tfjs-backend-wasm's BackendWasm used here. */
interface WasmHeapBackend {
  wasm: { HEAPU8: Uint8Array; tfjs: { disposeData(id: number): void; registerTensor(id: number, size: number, offset: number): void } };
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } };
  getMemoryOffset(dataId: object): number;
  refCount(dataId: object): number;
}

interface AdamSlots {
  accBeta1: tf.Variable; accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
  learningRate: number;
  incrementIterations(): void;
}

interface NativeStepOptions {
  /** Seeds the dropout masks (the native path draws its own; see native/README.md). */
  seed?: number;
  /** Tests: per-step dropout multipliers supplied by the caller, concatenated over dropout layers. */
  masks?: () => tf.Tensor | null;
}

/**
 * A tfjs-style train function: ins = [x, y] -> [loss, ...metrics] scalars, one native call per batch. `stepSeed`
 * (dropout-seeds.ts) seeds the step's dropout masks; without it the native step continues its own mask stream.
 */
export type TrainFunction = (ins: tf.Tensor[], stepSeed?: number) => tf.Scalar[];

/** A tensor's data, with its own memory: the native step writes in place, so no other tensor may share it. */
function ownedVariable(backend: WasmHeapBackend, v: tf.Variable): void {
  if (backend.refCount(v.dataId) <= 1) return;
  const copy = tf.tidy(() => tf.mul(v, tf.scalar(1, v.dtype)));
  v.assign(copy);
  copy.dispose();
}

/**
 * Builds the native train function for `model` (compiled with `optimizer`), or explains why not.
 * `metricNames` are the compiled model's (e.g. ['loss', 'acc']).
 */
export function nativeTrainFunction(model: tf.LayersModel, training: NativeTraining, optimizer: tf.Optimizer,
  metricNames: string[], opts: NativeStepOptions = {}): { train: TrainFunction; plan: ModelPlan } | { reason: string } {
  const { addon, reason } = loadNativeAddon();
  if (!addon) return { reason: reason ?? 'not available' };
  if (tf.getBackend() !== 'wasm') return { reason: `it runs on the wasm backend only (backend is ${tf.getBackend()})` };
  const described = describeModel(model, training, optimizer, metricNames);
  if ('reason' in described) return described;
  const plan = described;
  const handle = addon.createPlan(plan.desc);
  addon.seed(handle, opts.seed ?? 0);
  if (opts.masks) addon.fixedMasks(handle, true);
  const weights = plan.params.map((w) => w.read() as tf.Variable);
  const states = plan.states.map((w) => w.read() as tf.Variable);
  const sizes = addon.paramSizes(handle);
  if (sizes.length !== weights.length || sizes.some((s, i) => s !== weights[i].size)) {
    return { reason: `the plan's parameters [${sizes}] do not match the model's [${weights.map((w) => w.size)}]` };
  }
  const stateSizes = addon.stateSizes(handle);
  if (stateSizes.length !== states.length || stateSizes.some((s, i) => s !== states[i].size)) {
    return { reason: `the plan's moving statistics [${stateSizes}] do not match the model's [${states.map((w) => w.size)}]` };
  }
  const adam = plan.optimizer === 'adam' ? optimizer as unknown as AdamSlots : null;
  const offsets = new Float64Array(6 + 3 * weights.length + states.length).fill(-1);
  const stateAt = 6 + 3 * weights.length;
  const out = new Float64Array(2);

  const train: TrainFunction = (ins, stepSeed) => {
    const [x, y] = ins;
    if (ins.length !== 2) throw new Error(`native step: expected [x, y], got ${ins.length} inputs`);
    const backend = tf.backend() as unknown as WasmHeapBackend;
    const batch = x.shape[0];
    if (adam) {
      // tfjs creates the slots on the first step; so do we, with the same names, so checkpoints read the same.
      weights.forEach((w, i) => {
        adam.accumulatedFirstMoment[i] ??= { originalName: `${w.name}/m`, variable: tf.tidy(() => tf.zerosLike(w).variable(false)) };
        adam.accumulatedSecondMoment[i] ??= { originalName: `${w.name}/v`, variable: tf.tidy(() => tf.zerosLike(w).variable(false)) };
      });
    }
    const masks = opts.masks?.() ?? null;
    const xs = x.dtype === 'float32' ? x : tf.cast(x, 'float32');
    try {
      // Anything that allocates comes first: the heap may grow (and move) until the native call.
      [...weights, ...states].forEach((w) => ownedVariable(backend, w));
      if (adam) {
        for (const v of [adam.accBeta1, adam.accBeta2]) ownedVariable(backend, v);
        weights.forEach((_, i) => {
          ownedVariable(backend, adam.accumulatedFirstMoment[i].variable);
          ownedVariable(backend, adam.accumulatedSecondMoment[i].variable);
        });
      }
      offsets[0] = backend.getMemoryOffset(xs.dataId);
      offsets[1] = backend.getMemoryOffset(y.dataId);
      offsets[2] = y.dtype === 'int32' ? 1 : 0;
      if (adam) {
        offsets[3] = backend.getMemoryOffset(adam.accBeta1.dataId);
        offsets[4] = backend.getMemoryOffset(adam.accBeta2.dataId);
      }
      offsets[5] = masks ? backend.getMemoryOffset(masks.dataId) : -1;
      weights.forEach((w, i) => {
        offsets[6 + 3 * i] = backend.getMemoryOffset(w.dataId);
        if (adam) {
          offsets[7 + 3 * i] = backend.getMemoryOffset(adam.accumulatedFirstMoment[i].variable.dataId);
          offsets[8 + 3 * i] = backend.getMemoryOffset(adam.accumulatedSecondMoment[i].variable.dataId);
        }
      });
      states.forEach((w, i) => { offsets[stateAt + i] = backend.getMemoryOffset(w.dataId); });
      const learningRate = (optimizer as unknown as { learningRate: number }).learningRate;
      if (stepSeed !== undefined && plan.dropoutLayers > 0 && !opts.masks) addon.seed(handle, stepSeed);
      addon.step(handle, backend.wasm.HEAPU8.buffer as ArrayBuffer, offsets, batch, learningRate, out);
      // The wasm backend caches XNNPACK operators (with packed weights) by tensor id and drops them when the id
      // is disposed: re-register each weight under its id, same memory, so predict and evaluate see new values.
      for (const w of [...weights, ...states]) {
        const data = backend.dataIdMap.get(w.dataId);
        backend.wasm.tfjs.disposeData(data.id);
        backend.wasm.tfjs.registerTensor(data.id, w.size, data.memoryOffset);
      }
    } finally {
      if (xs !== x) xs.dispose();
      masks?.dispose();
    }
    (optimizer as unknown as AdamSlots).incrementIterations();
    return plan.outputs.map((name) => tf.scalar(name === 'loss' ? out[0] : out[1]));
  };
  return { train, plan };
}

/** tfjs's train function, its dropout layers seeded per step (dropout-seeds.ts) when given a step seed. */
function tfjsWithStepSeeds(model: tf.LayersModel, train: TrainFunction): TrainFunction {
  const layers = dropoutLayers(model);
  return (ins, stepSeed) => (stepSeed === undefined ? train(ins) : withStepSeeds(layers, stepSeed, () => train(ins)));
}

/**
 * The train function a trainer uses: the native step when the addon is loaded, the backend is wasm and the model is
 * supported; else tfjs's own (`makeTfjs`). On wasm it says which on `info`.
 */
export function chooseTrainFunction(args: {
  model: tf.LayersModel; training: NativeTraining; optimizer: tf.Optimizer; metricNames: string[]; seed: number;
  makeTfjs: () => TrainFunction; info: (line: string) => void;
}): TrainFunction {
  // tfjs-node is fast itself; the cpu backend is the last resort, chosen (and reported) by initBackend.
  if (tf.getBackend() !== 'wasm') return tfjsWithStepSeeds(args.model, args.makeTfjs());
  const native = nativeTrainFunction(args.model, args.training, args.optimizer, args.metricNames, { seed: args.seed });
  if ('reason' in native) {
    args.info(`training step: tfjs (native step not used: ${native.reason})`);
    return tfjsWithStepSeeds(args.model, args.makeTfjs());
  }
  const { blasThreads, threads = 1 } = loadNativeAddon().addon!.info();
  const own = threads > 1 ? `, ${threads} threads` : '';
  args.info(`training step: native (nnc-native${own}, OpenBLAS ${blasThreads} thread${blasThreads === 1 ? '' : 's'}; ${native.plan.summary})`);
  return native.train;
}
