// Kernels of the tfjs wasm backend done faster in plain JS on the wasm heap (measured, issue 14): GatherV2 (row
// copies instead of wasm's per-element loop), Identity (shares the data by reference count, as tfjs's cpu backend
// does, instead of copying) and MaxPoolGrad (wasm's is a scalar loop over every window of every dy pixel).
import * as tf from '@tensorflow/tfjs';

type TensorInfo = tf.TensorInfo;
type KernelParams = Parameters<tf.KernelFunc>[0];

/** The part of tfjs-backend-wasm's BackendWasm these kernels use. */
interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): tf.TypedArray;
  incRef(dataId: object): void;
}

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** GatherV2 for batchDims 0; returns null for what it does not cover (the caller runs wasm's own kernel). */
export function gatherV2Js({ inputs, backend, attrs }: KernelParams): TensorInfo | null {
  const { x, indices } = inputs as { x: TensorInfo; indices: TensorInfo };
  const { axis, batchDims } = attrs as { axis: number; batchDims: number };
  if ((batchDims ?? 0) !== 0 || x.dtype === 'string' || x.dtype === 'complex64') return null;
  const b = backend as unknown as HeapBackend;
  const ax = axis < 0 ? axis + x.shape.length : axis;
  const dim = x.shape[ax];
  const outer = sizeOf(x.shape.slice(0, ax));
  const inner = sizeOf(x.shape.slice(ax + 1));
  const ids = b.typedArrayFromHeap(indices);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!(id >= 0 && id <= dim - 1)) throw new Error(`GatherV2: the index value ${id} is not in [0, ${dim - 1}]`);
  }
  const out = b.makeOutput([...x.shape.slice(0, ax), ...indices.shape, ...x.shape.slice(ax + 1)], x.dtype);
  if (out.shape.some((d) => d === 0)) return out;
  // Views after makeOutput: allocating may grow (and move) the heap.
  const src = b.typedArrayFromHeap(x);
  const dst = b.typedArrayFromHeap(out);
  const n = ids.length;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < n; i++) {
      const from = (o * dim + ids[i]) * inner;
      const to = (o * n + i) * inner;
      if (inner === 1) dst[to] = src[from];
      else dst.set(src.subarray(from, from + inner), to);
    }
  }
  return out;
}

export function identityJs({ inputs, backend }: KernelParams): TensorInfo | null {
  const { x } = inputs as { x: TensorInfo };
  if (x.dtype === 'string') return null;
  (backend as unknown as HeapBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/**
 * dx of max pooling: each dy pixel goes to the first maximum of its window in x (tfjs's cpu backend picks the
 * same), NHWC.
 */
export function maxPoolGradJs({ inputs, backend, attrs }: KernelParams): TensorInfo | null {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const a = attrs as { filterSize: number | [number, number]; strides: number | [number, number]; pad: 'valid' | 'same' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
  if (input.dtype !== 'float32' || input.shape.length !== 4) return null;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], a.filterSize, a.strides,
    1, a.pad, a.dimRoundingMode);
  const b = backend as unknown as HeapBackend;
  const out = b.makeOutput(input.shape, 'float32');
  const x = b.typedArrayFromHeap(input) as Float32Array;
  const g = b.typedArrayFromHeap(dy) as Float32Array;
  const dx = b.typedArrayFromHeap(out) as Float32Array;
  dx.fill(0);
  const { batchSize, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw, dilationHeight: dh, dilationWidth: dw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  let o = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let y = 0; y < oh; y++) {
      const y0 = y * sh - top;
      for (let xo = 0; xo < ow; xo++) {
        const x0 = xo * sw - left;
        for (let ch = 0; ch < c; ch++, o++) {
          let best = -Infinity;
          let where = -1;
          for (let i = 0; i < fh; i++) {
            const iy = y0 + i * dh;
            if (iy < 0 || iy >= h) continue;
            const rowBase = (n * h + iy) * w;
            for (let j = 0; j < fw; j++) {
              const ix = x0 + j * dw;
              if (ix < 0 || ix >= w) continue;
              const at = (rowBase + ix) * c + ch;
              if (where < 0 || x[at] > best) { best = x[at]; where = at; }
            }
          }
          if (where >= 0) dx[where] += g[o];
        }
      }
    }
  }
  return out;
}
