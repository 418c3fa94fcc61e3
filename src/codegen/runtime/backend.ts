// Chooses the TensorFlow.js backend for a trainer: native tfjs-node when it loads, else wasm (with the training
// kernels wasm lacks, where the trainer's model needs them: its runtime.ts passes them in), else the pure-JS cpu backend.
import * as tf from '@tensorflow/tfjs';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** A backend request that cannot be honoured: an unknown name, or a named backend that failed to load. */
export class BackendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackendError';
  }
}

export const BACKEND_REQUESTS = ['auto', 'node', 'tensorflow', 'wasm', 'cpu'] as const;

export interface InitBackendOptions {
  /** Do not log the chosen backend. */
  quiet?: boolean;
  /** Where the one-line report goes; default console.error (keeps stdout for results). */
  log?: (line: string) => void;
  /**
   * Registers kernels on the wasm backend once it is chosen: lib/wasm-kernels.ts's registerWasmTrainingKernels, passed
   * by the trainers whose models train with kernels wasm lacks or runs slowly (a small dense model needs none of them).
   */
  wasmKernels?: () => void;
}

// Module specifiers kept in variables: the optional packages may be absent, and TypeScript must not resolve them.
const TFJS_NODE = '@tensorflow/tfjs-node';
const TFJS_WASM = '@tensorflow/tfjs-backend-wasm';

/** One short line from a load failure: "not installed" for a missing package, else the error's first line. */
function shortReason(error: unknown): string {
  const e = error as { code?: string; message?: string };
  if (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') return 'not installed';
  const firstLine = String(e?.message ?? error).split('\n')[0].trim();
  return firstLine.length > 120 ? `${firstLine.slice(0, 117)}...` : firstLine;
}

/** tf.setBackend returns false (after logging a warning) instead of throwing when a backend fails to initialize. */
async function activate(name: BackendName): Promise<string | null> {
  try {
    return (await tf.setBackend(name)) ? null : `the '${name}' backend failed to initialize`;
  } catch (e) {
    return shortReason(e);
  }
}

/** Loads and activates a backend; returns null on success or a short reason for failure. */
async function tryBackend(name: BackendName, opts: InitBackendOptions): Promise<string | null> {
  if (name === 'tensorflow') {
    // tfjs-node registers the 'tensorflow' backend when imported; it needs a native library that may not load.
    try {
      await import(TFJS_NODE);
    } catch (e) {
      return shortReason(e);
    }
    if (tf.findBackendFactory('tensorflow') == null) return 'it did not register a tensorflow backend';
    return activate('tensorflow');
  }
  if (name === 'wasm') {
    // In Node the package's node build reads its .wasm files from its own dist folder, so setWasmPaths is not needed.
    try {
      await import(TFJS_WASM);
    } catch (e) {
      return shortReason(e);
    }
    const failure = await activate('wasm');
    if (failure != null) return failure;
    opts.wasmKernels?.();
    return null;
  }
  const failure = await activate('cpu');
  // The cpu backend's first tensor prints a "Hi, looks like you are running TensorFlow.js in Node.js" banner; the
  // backend line nnc prints already says tfjs-node is missing and why.
  if (failure == null) (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  return failure;
}

const PACKAGE_OF: Record<BackendName, string> = { tensorflow: 'tfjs-node', wasm: 'wasm', cpu: 'cpu' };

let current: { request: string; backend: BackendName } | null = null;

/**
 * Selects and activates the backend. `requested`: 'auto' | 'node' | 'tensorflow' | 'wasm' | 'cpu';
 * undefined means process.env.NNC_BACKEND, or 'auto'. 'auto' tries tfjs-node, then wasm, then cpu; a backend named
 * explicitly that fails to load is a BackendError. Calling it again with the same request returns the same backend
 * without logging again.
 */
export async function initBackend(requested?: string, opts: InitBackendOptions = {}): Promise<BackendName> {
  const request = (requested ?? process.env.NNC_BACKEND ?? 'auto').trim().toLowerCase() || 'auto';
  if (!(BACKEND_REQUESTS as readonly string[]).includes(request)) {
    throw new BackendError(`unknown backend '${requested ?? process.env.NNC_BACKEND}' (expected one of ${BACKEND_REQUESTS.join(', ')})`);
  }
  if (current?.request === request && tf.getBackend() === current.backend) {
    if (current.backend === 'wasm') opts.wasmKernels?.();
    return current.backend;
  }
  const log = opts.quiet ? () => {} : (opts.log ?? ((line: string) => console.error(line)));

  if (request !== 'auto') {
    const backend: BackendName = request === 'node' ? 'tensorflow' : (request as BackendName);
    const failure = await tryBackend(backend, opts);
    if (failure != null) {
      const what = backend === 'tensorflow' ? `${TFJS_NODE} could not be used` : `the ${backend} backend could not be used`;
      throw new BackendError(`backend '${request}' was requested but ${what}: ${failure}`);
    }
    log(`backend: ${backend} (requested)`);
    current = { request, backend };
    return backend;
  }

  const skipped: string[] = [];
  for (const backend of ['tensorflow', 'wasm', 'cpu'] as const) {
    const failure = await tryBackend(backend, opts);
    if (failure == null) {
      log(`backend: ${backend}${skipped.length > 0 ? ` (${skipped.join('; ')})` : ''}`);
      current = { request, backend };
      return backend;
    }
    skipped.push(`${PACKAGE_OF[backend]} not available: ${failure}`);
  }
  throw new BackendError(`no TensorFlow.js backend could be used (${skipped.join('; ')})`);
}
