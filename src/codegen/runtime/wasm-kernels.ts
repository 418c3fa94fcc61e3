// Training kernels for the tfjs wasm backend (tfjs-backend-wasm 4.22).
// The wasm backend lacks Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter/Input and UnsortedSegmentSum,
// and runs Conv2DBackpropInput and transposed BatchMatMul slowly. Each kernel here is composed from kernels the wasm
// backend already has, called directly (as wasm's own kernels call each other), so no engine bookkeeping is involved:
// every intermediate TensorInfo is released with backend.disposeData and only the result is handed to the engine.
import * as tf from '@tensorflow/tfjs';
import { gatherV2Js, identityJs, maxPoolGradJs } from './wasm-js-kernels.js';

type TensorInfo = tf.TensorInfo;
type Attrs = tf.NamedAttrMap;
type KernelParams = Parameters<tf.KernelFunc>[0];
type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];

/** The part of tfjs-backend-wasm's BackendWasm these kernels use. */
interface WasmBackend {
  disposeData(dataId: object, force?: boolean): boolean;
  readSync(dataId: object): ArrayLike<number>;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.TypedArray): TensorInfo;
}

const BACKEND = 'wasm';
/** Marks our kernelFuncs so a second registration (even from another copy of this module) is a no-op. */
const OURS = Symbol.for('nnc.wasmTrainingKernel');
/** The wasm backend's own kernels that we replace, captured before replacing them (shared across module copies). */
const originalKernels: Map<string, tf.KernelConfig> =
  ((globalThis as Record<symbol, unknown>)[Symbol.for('nnc.wasmOriginalKernels')] ??= new Map()) as Map<string, tf.KernelConfig>;

/** Runs wasm kernels and remembers their outputs so that all intermediates can be released at once. */
class KernelScope {
  private readonly temps: TensorInfo[] = [];
  constructor(readonly backend: WasmBackend) {}

  run(kernelName: string, inputs: tf.NamedTensorInfoMap | TensorInfo[], attrs: Attrs = {}): TensorInfo {
    const kernel = originalKernels.get(kernelName) ?? tf.getKernel(kernelName, BACKEND);
    if (kernel == null) throw new Error(`wasm training kernels: the wasm backend has no '${kernelName}' kernel`);
    const out = kernel.kernelFunc({ inputs: inputs as tf.NamedTensorInfoMap, backend: this.backend, attrs }) as TensorInfo;
    this.temps.push(out);
    return out;
  }
  /** Takes charge of a TensorInfo made outside `run` (e.g. by backend.makeOutput). */
  adopt(t: TensorInfo): TensorInfo { this.temps.push(t); return t; }
  reshape(x: TensorInfo, shape: number[]): TensorInfo { return this.run(tf.Reshape, { x }, { shape }); }
  transpose(x: TensorInfo, perm: number[]): TensorInfo { return this.run(tf.Transpose, { x }, { perm }); }
  matMul(a: TensorInfo, b: TensorInfo): TensorInfo {
    return this.run(tf.BatchMatMul, { a, b }, { transposeA: false, transposeB: false });
  }

  /** Hands `result` to the caller (the engine takes ownership) and releases every other intermediate. */
  finish(result: TensorInfo): TensorInfo {
    for (const t of this.temps) if (t !== result) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
    return result;
  }
  release(): void { for (const t of this.temps) this.backend.disposeData(t.dataId); this.temps.length = 0; }
}

/** Runs `body` in a KernelScope; intermediates are released even when it throws. */
function withScope(backend: unknown, body: (s: KernelScope) => TensorInfo): TensorInfo {
  const scope = new KernelScope(backend as WasmBackend);
  try {
    return scope.finish(body(scope));
  } catch (e) {
    scope.release();
    throw e;
  }
}

function pair(v: number | number[] | undefined): [number, number] {
  if (v == null) return [1, 1];
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

function requireNHWC(kernelName: string, dataFormat: unknown): void {
  if (dataFormat != null && dataFormat !== 'NHWC') {
    throw new Error(`wasm training kernels: ${kernelName} supports only dataFormat 'NHWC', got '${String(dataFormat)}'`);
  }
}

/**
 * Depthwise filter gradients need, for every filter tap (i, j), the input pixels that tap saw. Cutting those windows out
 * pixel-row by pixel-row is slow in wasm (one JS copy per row), so we use whole padded image rows instead:
 * with x laid out [C, N, H, Wp] and flattened per channel, tap (i, j)'s window is one contiguous run of the
 * flattened rows i*dh + y*sh, shifted by j*dw. Columns the tap should not see are cancelled by `spreadDy`, which
 * puts dy's pixels at x*sw inside rows of width Wp and zeros elsewhere. The sums then run over L = N*oh*Wp.
 */
interface TapLayout { wp: number; length: number }

function tapLayout(info: tf.backend_util.Conv2DInfo): TapLayout {
  const needW = (info.outWidth - 1) * info.strideWidth + (info.filterWidth - 1) * info.dilationWidth + 1;
  const wp = Math.max(needW, info.outWidth * info.strideWidth, info.padInfo.left + info.inWidth);
  return { wp, length: info.batchSize * info.outHeight * wp };
}

/** The windows of each tap, in tap order (i, j): fh*fw tensors of shape [C, L]. */
function tapWindows(s: KernelScope, x: TensorInfo, info: tf.backend_util.Conv2DInfo, layout: TapLayout): TensorInfo[] {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh } = info;
  const { strideHeight: sh, dilationHeight: dh, dilationWidth: dw, filterHeight: fh, filterWidth: fw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const bottom = Math.max(0, (oh - 1) * sh + (fh - 1) * dh + 1 - top - h);
  const right = layout.wp - left - w;
  let xc = s.transpose(x, [3, 0, 1, 2]); // [C,N,H,W]
  if (top > 0 || bottom > 0 || left > 0 || right > 0) {
    xc = s.run(tf.PadV2, { x: xc }, { paddings: [[0, 0], [0, 0], [top, bottom], [left, right]], constantValue: 0 });
  }
  const shift = (fw - 1) * dw;
  const taps: TensorInfo[] = [];
  for (let i = 0; i < fh; i++) {
    const rows = s.run(tf.StridedSlice, { x: xc }, {
      begin: [0, 0, i * dh, 0], end: [c, n, i * dh + (oh - 1) * sh + 1, layout.wp], strides: [1, 1, sh, 1],
      beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
    }); // [C,N,oh,Wp]
    let flat = s.reshape(rows, [c, layout.length]);
    if (shift > 0) flat = s.run(tf.PadV2, { x: flat }, { paddings: [[0, 0], [0, shift]], constantValue: 0 });
    for (let j = 0; j < fw; j++) {
      taps.push(shift > 0 ? s.run(tf.Slice, { x: flat }, { begin: [0, j * dw], size: [c, layout.length] }) : flat);
    }
  }
  return taps;
}

/** dy [N,oh,ow,K] placed at columns x*sw of rows of width Wp (zeros elsewhere), flattened to [L, K]. */
function spreadDy(s: KernelScope, dy: TensorInfo, info: tf.backend_util.Conv2DInfo, layout: TapLayout): TensorInfo {
  const { batchSize: n, outHeight: oh, outWidth: ow, strideWidth: sw } = info;
  const k = dy.shape[3];
  let spread = dy;
  if (sw > 1) {
    const stuffed = s.run(tf.PadV2, { x: s.reshape(dy, [n, oh, ow, 1, k]) },
      { paddings: [[0, 0], [0, 0], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 });
    spread = s.reshape(stuffed, [n, oh, ow * sw, k]);
  }
  if (layout.wp > ow * sw) {
    spread = s.run(tf.PadV2, { x: spread }, { paddings: [[0, 0], [0, 0], [0, layout.wp - ow * sw], [0, 0]], constantValue: 0 });
  }
  return s.reshape(spread, [layout.length, k]);
}

/**
 * dW[i,j,ci,co] = sum over n,y,x of xpad[n, y*sh + i*dh, x*sw + j*dw, ci] * dy[n,y,x,co] is itself a convolution:
 * of x laid out [Ci, H, W, N] (batch Ci, channels N) by dy laid out [oh, ow, N, Co] (a filter as large as the
 * output), with stride = the forward dilation and dilation = the forward stride. XNNPACK runs it with no im2col
 * copies; measured faster than im2col + matmul for both layers of a small CNN.
 */
function conv2DBackpropFilter({ inputs, backend, attrs }: KernelParams): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as Attrs;
  requireNHWC(tf.Conv2DBackpropFilter, a.dataFormat);
  const filterShape = a.filterShape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape,
    pair(a.strides as number[]), pair(a.dilations as number[] | undefined), a.pad as Pad,
    a.dimRoundingMode as 'floor' | undefined, false, 'channelsLast');
  const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, filterHeight: fh, filterWidth: fw } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, inChannels: ci, outChannels: co } = info;
  const { top, left } = info.padInfo;
  // Pad only as far as the taps reach; rows/columns beyond are cut from the output below.
  const bottom = Math.max(0, (oh - 1) * sh + (fh - 1) * dh + 1 - top - h);
  const right = Math.max(0, (ow - 1) * sw + (fw - 1) * dw + 1 - left - w);
  return withScope(backend, (s) => {
    const xT = s.transpose(x, [3, 1, 2, 0]); // [Ci,H,W,N]
    const dyT = s.transpose(dy, [1, 2, 0, 3]); // [oh,ow,N,Co]
    let out = s.run(tf.Conv2D, { x: xT, filter: dyT }, {
      strides: [dh, dw], dilations: [sh, sw], pad: [[0, 0], [top, bottom], [left, right], [0, 0]], dataFormat: 'NHWC',
    }); // [Ci, >=fh, >=fw, Co]
    if (out.shape[1] !== fh || out.shape[2] !== fw) {
      out = s.run(tf.Slice, { x: out }, { begin: [0, 0, 0, 0], size: [ci, fh, fw, co] });
    }
    return s.transpose(out, [1, 2, 0, 3]);
  });
}

/** Depthwise dW[c] = windows[c] [fh*fw, L] x spread dy[c] [L, M], one matmul batched over channels. */
function depthwiseBackpropFilter({ inputs, backend, attrs }: KernelParams): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as Attrs;
  const filterShape = a.filterShape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape,
    pair(a.strides as number[]), pair(a.dilations as number[]), a.pad as Pad,
    a.dimRoundingMode as 'floor' | undefined, true, 'channelsLast');
  return withScope(backend, (s) => {
    const [fh, fw, c, m] = filterShape;
    const layout = tapLayout(info);
    const taps = tapWindows(s, x, info, layout).map((t) => s.reshape(t, [c, 1, layout.length]));
    const windows = taps.length === 1 ? taps[0] : s.run(tf.Concat, taps, { axis: 1 }); // [C, fh*fw, L]
    const dyc = s.transpose(s.reshape(spreadDy(s, dy, info, layout), [layout.length, c, m]), [1, 0, 2]); // [C, L, M]
    const dw = s.matMul(windows, dyc); // [C, fh*fw, M]
    return s.reshape(s.transpose(dw, [1, 0, 2]), [fh, fw, c, m]);
  });
}

/**
 * The gradient of a strided convolution with respect to its input is a stride-1 convolution of dy, with zeros
 * inserted between dy's pixels (stride-1 of them), by the spatially flipped filter.
 * Returns the zero-stuffed dy and the explicit padding that makes the output exactly inHeight x inWidth,
 * or null when the forward padding exceeds the filter (negative padding; the caller falls back).
 */
function transposedConvPlan(s: KernelScope, dy: TensorInfo, info: tf.backend_util.Conv2DInfo):
  { input: TensorInfo; pad: [[number, number], [number, number], [number, number], [number, number]] } | null {
  const { batchSize: n, outHeight: oh, outWidth: ow, inHeight: h, inWidth: w, strideHeight: sh, strideWidth: sw } = info;
  const { filterHeight: fh, filterWidth: fw } = info;
  const channels = dy.shape[3];
  const top = fh - 1 - info.padInfo.top;
  const left = fw - 1 - info.padInfo.left;
  // Zero-stuffing by reshape+pad leaves (stride-1) extra zero rows at the end: stuffed length oh*sh.
  const bottom = h + info.padInfo.top - oh * sh;
  const right = w + info.padInfo.left - ow * sw;
  if (top < 0 || left < 0 || bottom < 0 || right < 0) return null;
  let input = dy;
  if (sh > 1 || sw > 1) {
    const spread = s.run(tf.PadV2, { x: s.reshape(dy, [n, oh, 1, ow, 1, channels]) },
      { paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 });
    input = s.reshape(spread, [n, oh * sh, ow * sw, channels]);
  }
  return { input, pad: [[0, 0], [top, bottom], [left, right], [0, 0]] };
}

/** dx = conv2d(zero-stuffed dy, flipped filter with in/out channels swapped). */
function conv2DBackpropInput(params: KernelParams): TensorInfo {
  const { inputs, backend, attrs } = params;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as Attrs;
  const original = originalKernels.get(tf.Conv2DBackpropInput);
  if (a.dataFormat != null && a.dataFormat !== 'NHWC' && original != null) return original.kernelFunc(params) as TensorInfo;
  requireNHWC(tf.Conv2DBackpropInput, a.dataFormat);
  const info = tf.backend_util.computeConv2DInfo(a.inputShape as [number, number, number, number],
    filter.shape as [number, number, number, number], pair(a.strides as number[]), 1, a.pad as Pad,
    a.dimRoundingMode as 'floor' | undefined, false, 'channelsLast');
  return withScope(backend, (s) => {
    const plan = transposedConvPlan(s, dy, info);
    if (plan == null) {
      if (original == null) throw new Error('wasm training kernels: Conv2DBackpropInput with padding larger than the filter');
      return original.kernelFunc(params) as TensorInfo;
    }
    const flipped = s.transpose(s.run(tf.Reverse, { x: filter }, { dims: [0, 1] }), [0, 1, 3, 2]);
    return s.run(tf.Conv2D, { x: plan.input, filter: flipped },
      { strides: [1, 1], pad: plan.pad, dataFormat: 'NHWC', dilations: [1, 1] });
  });
}

/** Depthwise dx: depthwise conv (multiplier 1) of zero-stuffed dy by the flipped filter, summed over the multiplier. */
function depthwiseBackpropInput({ inputs, backend, attrs }: KernelParams): TensorInfo {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as Attrs;
  const [dh, dw] = pair(a.dilations as number[] | undefined);
  if (dh !== 1 || dw !== 1) {
    throw new Error(`wasm training kernels: DepthwiseConv2dNativeBackpropInput supports only dilation 1, got ${dh}x${dw}`);
  }
  const inputShape = a.inputShape as [number, number, number, number];
  const [fh, fw, c, m] = filter.shape;
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number],
    pair(a.strides as number[]), 1, a.pad as Pad, a.dimRoundingMode as 'floor' | undefined, true, 'channelsLast');
  return withScope(backend, (s) => {
    const plan = transposedConvPlan(s, dy, info);
    if (plan == null) {
      throw new Error('wasm training kernels: DepthwiseConv2dNativeBackpropInput with padding larger than the filter');
    }
    const flipped = s.reshape(s.run(tf.Reverse, { x: filter }, { dims: [0, 1] }), [fh, fw, c * m, 1]);
    const dxm = s.run(tf.DepthwiseConv2dNative, { x: plan.input, filter: flipped },
      { strides: [1, 1], pad: plan.pad, dilations: [1, 1] }); // [N,H,W,C*M]
    if (m === 1) return dxm;
    return s.run(tf.Sum, { x: s.reshape(dxm, [...inputShape, m]) }, { axis: [4], keepDims: false });
  });
}

/**
 * matMul with transposeA/transposeB. wasm sends those to a slow scalar loop; its fast XNNPACK path needs plain
 * operands and re-packs `b` (transposing it) on every call since training tensors are always fresh. So transpose
 * explicitly, and where cheaper compute the transposed product instead: a·bᵀ = (b·aᵀ)ᵀ and aᵀ·bᵀ = (b·a)ᵀ, which
 * for Dense backprop (dy·Wᵀ) packs the small dy instead of the large W.
 */
function batchMatMul({ inputs, backend, attrs }: KernelParams): TensorInfo {
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
  return withScope(backend, (s) => {
    const swapLast2 = (t: TensorInfo): TensorInfo => {
      const r = t.shape.length;
      return s.transpose(t, [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2]);
    };
    const size = (t: TensorInfo): number => t.shape.reduce((p, d) => p * d, 1);
    const rows = a.shape[a.shape.length - (transposeA ? 1 : 2)];
    const cols = b.shape[b.shape.length - (transposeB ? 2 : 1)];
    const outSize = (size(a) / (a.shape[a.shape.length - 1] * a.shape[a.shape.length - 2])) * rows * cols;
    if (transposeB) {
      // Elements moved: transposing b and packing it (2|b|), versus transposing a (unless aᵀ is given), packing it,
      // and transposing the output.
      const direct = 2 * size(b) + (transposeA ? size(a) : 0);
      const flipped = (transposeA ? 0 : size(a)) + size(a) + outSize;
      if (flipped < direct) return swapLast2(s.matMul(b, transposeA ? a : swapLast2(a)));
    }
    return s.matMul(transposeA ? swapLast2(a) : a, transposeB ? swapLast2(b) : b);
  });
}

/** out[segmentIds[i]] += x[i], by wasm's ScatterNd (which adds duplicates); ids outside [0, numSegments) are dropped. */
function unsortedSegmentSum({ inputs, backend, attrs }: KernelParams): TensorInfo {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const numSegments = (attrs as Attrs).numSegments as number;
  const wasm = backend as WasmBackend;
  return withScope(backend, (s) => {
    const rows = segmentIds.shape.reduce((p, d) => p * d, 1);
    const rowShape = x.shape.slice(segmentIds.shape.length);
    const xRows = s.reshape(x, [rows, ...rowShape]);
    const ids = wasm.readSync(segmentIds.dataId);
    const kept: number[] = [];
    for (let i = 0; i < rows; i++) if (ids[i] >= 0 && ids[i] < numSegments) kept.push(i);
    let indices: TensorInfo;
    let updates = xRows;
    if (kept.length === rows) {
      indices = s.reshape(segmentIds, [rows, 1]);
    } else {
      indices = s.adopt(wasm.makeOutput([kept.length, 1], 'int32', undefined, Int32Array.from(kept, (i) => ids[i])));
      const keptRows = s.adopt(wasm.makeOutput([kept.length], 'int32', undefined, Int32Array.from(kept)));
      updates = s.run(tf.GatherV2, { x: xRows, indices: keptRows }, { axis: 0, batchDims: 0 });
    }
    const out = s.run(tf.ScatterNd, { indices, updates }, { shape: [numSegments, ...rowShape] });
    return out;
  });
}

function mark(kernelFunc: tf.KernelFunc): tf.KernelFunc {
  (kernelFunc as unknown as Record<symbol, boolean>)[OURS] = true;
  return kernelFunc;
}

const trainingKernels: Array<[string, tf.KernelFunc]> = [
  [tf.Conv2DBackpropFilter, conv2DBackpropFilter as tf.KernelFunc],
  [tf.Conv2DBackpropInput, conv2DBackpropInput as tf.KernelFunc],
  [tf.DepthwiseConv2dNativeBackpropFilter, depthwiseBackpropFilter as tf.KernelFunc],
  [tf.DepthwiseConv2dNativeBackpropInput, depthwiseBackpropInput as tf.KernelFunc],
  [tf.BatchMatMul, batchMatMul as tf.KernelFunc],
  [tf.UnsortedSegmentSum, unsortedSegmentSum as tf.KernelFunc],
];

/** Plain-JS kernels that return null for inputs they do not cover; wasm's own kernel runs those. */
const jsKernels: Array<[string, (params: KernelParams) => TensorInfo | null]> = [
  [tf.GatherV2, gatherV2Js],
  [tf.Identity, identityJs],
  [tf.MaxPoolGrad, maxPoolGradJs],
];

/** The kernels registerWasmTrainingKernels installs (for tests and diagnostics). */
export const WASM_TRAINING_KERNEL_NAMES: readonly string[] = [...trainingKernels, ...jsKernels].map(([name]) => name);

/**
 * Registers the training kernels for backend 'wasm'. Requires '@tensorflow/tfjs-backend-wasm' to have been imported
 * (its kernels must be registered). Safe to call more than once. BatchMatMul keeps the original for the
 * non-transposed case; Conv2DBackpropInput keeps it for layouts the fast path does not cover.
 */
export function registerWasmTrainingKernels(): void {
  if (tf.getKernel(tf.Conv2D, BACKEND) == null) {
    throw new Error("wasm training kernels: the wasm backend's kernels are not registered; import '@tensorflow/tfjs-backend-wasm' first");
  }
  const withFallback = jsKernels.map(([name, js]): [string, tf.KernelFunc] => [name, (params) => {
    const original = originalKernels.get(name);
    return js(params) ?? (original!.kernelFunc(params) as TensorInfo);
  }]);
  for (const [kernelName, kernelFunc] of [...trainingKernels, ...withFallback]) {
    const existing = tf.getKernel(kernelName, BACKEND);
    if ((existing?.kernelFunc as unknown as Record<symbol, boolean> | undefined)?.[OURS]) continue;
    if (existing != null) {
      originalKernels.set(kernelName, existing);
      tf.unregisterKernel(kernelName, BACKEND);
    }
    // Keep the original's setup/dispose hooks: they initialize the wasm function the original kernelFunc calls.
    const replacement: tf.KernelFunc = kernelName === tf.BatchMatMul
      ? (params) => {
        const { transposeA, transposeB } = params.attrs as { transposeA: boolean; transposeB: boolean };
        return transposeA || transposeB ? kernelFunc(params) : existing!.kernelFunc(params);
      }
      : kernelFunc;
    tf.registerKernel({
      kernelName, backendName: BACKEND, kernelFunc: mark(replacement),
      setupFunc: existing?.setupFunc, disposeFunc: existing?.disposeFunc,
    });
  }
}
