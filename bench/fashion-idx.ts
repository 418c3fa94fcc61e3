// Fashion-MNIST IDX gz files read directly (no nnc code), and subsets of them written as IDX gz files, so that the
// generated trainer (via --data-dir), the hand-written script and PyTorch all see the same, smaller data.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

export const FASHION_DIR = process.env.NNC_BENCH_FASHION_DIR ?? '/usr/share/datasets/fashion-mnist';
const PIXELS = 28 * 28;

export interface FashionSplit { images: Float32Array; labels: Int32Array; count: number }

function readIdx(file: string): { dims: number[]; header: Uint8Array; bytes: Uint8Array } {
  const raw = gunzipSync(readFileSync(file));
  const rank = raw[3];
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  return { dims, header: raw.subarray(0, 4 + 4 * rank), bytes: raw.subarray(4 + 4 * rank) };
}

/** Pixels scaled by 1/255 (as the specs' `normalize: scale(1/255)`); the first `limit` samples when given. */
export function loadFashionSplit(split: 'train' | 't10k', opts: { dir?: string; limit?: number } = {}): FashionSplit {
  const dir = opts.dir ?? FASHION_DIR;
  const images = readIdx(path.join(dir, `${split}-images-idx3-ubyte.gz`));
  const labels = readIdx(path.join(dir, `${split}-labels-idx1-ubyte.gz`));
  const count = Math.min(opts.limit ?? images.dims[0], images.dims[0]);
  const x = new Float32Array(count * PIXELS);
  for (let i = 0; i < x.length; i++) x[i] = images.bytes[i] / 255;
  return { images: x, labels: Int32Array.from(labels.bytes.subarray(0, count)), count };
}

/**
 * Writes the first `trainCount` training and `testCount` test samples to `dir` as IDX gz files (once), and returns
 * `dir`. The generated trainers carve 10% validation off the training file, as the specs say.
 */
export function writeFashionSubset(dir: string, trainCount: number, testCount: number): string {
  mkdirSync(dir, { recursive: true });
  for (const [split, count] of [['train', trainCount], ['t10k', testCount]] as const) {
    for (const kind of ['images-idx3', 'labels-idx1']) {
      const target = path.join(dir, `${split}-${kind}-ubyte.gz`);
      if (existsSync(target)) continue;
      const idx = readIdx(path.join(FASHION_DIR, `${split}-${kind}-ubyte.gz`));
      const header = Uint8Array.from(idx.header);
      new DataView(header.buffer).setUint32(4, count, false);
      const perItem = idx.dims.slice(1).reduce((a, b) => a * b, 1);
      writeFileSync(target, gzipSync(Buffer.concat([header, idx.bytes.subarray(0, count * perItem)]), { level: 1 }));
    }
  }
  return dir;
}

/** The pool size whose 90% training share (after the specs' `validation: 10%`, rounded as nnc rounds) is `train`. */
export function poolForTrainCount(train: number): { pool: number; train: number; validation: number } {
  const pool = Math.round(train / 0.9);
  const validation = Math.round(pool * 0.1);
  return { pool, train: pool - validation, validation };
}
