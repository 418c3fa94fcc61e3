// IDX files (the MNIST / Fashion-MNIST format), gzipped or raw. The header is validated against the file length
// before any sample buffer is allocated, so a corrupt header claiming billions of items fails at once.

import { checkDataFile } from './files.js';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { basename } from 'node:path';
import { resolve } from 'node:path';
import type { IdxDataset } from '../spec-types.js';
import { DataError } from './errors.js';
import { arrayPool, expectedClassCount, type ReadContext, type SourceData } from './pool.js';
import type { Preprocessing } from './preprocess.js';

export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  /** Dimensions, first = item count. */
  dims: number[];
  dtype: 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
  data: IdxData;
}

const DTYPES: Record<number, { name: IdxArray['dtype']; bytes: number }> = {
  0x08: { name: 'uint8', bytes: 1 },
  0x09: { name: 'int8', bytes: 1 },
  0x0b: { name: 'int16', bytes: 2 },
  0x0c: { name: 'int32', bytes: 4 },
  0x0d: { name: 'float32', bytes: 4 },
  0x0e: { name: 'float64', bytes: 8 },
};

/** Largest decompressed IDX accepted (guards against gzip bombs); Fashion-MNIST train images are 47 MB. */
export const MAX_IDX_BYTES = 2 ** 31 - 1;

const isGzip = (bytes: Uint8Array) => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/** Reads a file and gunzips it when it starts with the gzip magic 1f 8b. */
export async function readMaybeGzip(path: string): Promise<Buffer> {
  await checkDataFile(path, 'the IDX file');
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new DataError(`${path}: cannot read file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipSync(bytes, { maxOutputLength: MAX_IDX_BYTES });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'Z_BUF_ERROR' ? 'the gzip stream is cut off' : (error as Error).message;
    throw new DataError(`${path}: not a valid gzip file (${reason})`);
  }
}

/** Parses the bytes of an IDX file; `file` is only used in error messages. */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (bytes.length < 4) throw new DataError(`${file}: expected an IDX header of at least 4 bytes, found ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false).toString(16).padStart(8, '0');
  const dtype = DTYPES[bytes[2]];
  const rank = bytes[3];
  if (bytes[0] !== 0 || bytes[1] !== 0 || !dtype || rank < 1) {
    throw new DataError(`${file}: not an IDX file: expected magic 0x000008NN (or another IDX type code), found 0x${magic}`);
  }
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new DataError(`${file}: IDX header declares ${rank} dimensions (${headerBytes} header bytes) but the file has only ${bytes.length} bytes`);
  }
  const dims: number[] = [];
  for (let d = 0; d < rank; d++) dims.push(view.getUint32(4 + 4 * d, false));
  // Compare sizes as numbers first: never allocate what the header claims before it is known to be in the file.
  const expectedBytes = headerBytes + dims.reduce((a, b) => a * b, 1) * dtype.bytes;
  if (expectedBytes !== bytes.length) {
    const what = expectedBytes > bytes.length ? 'truncated' : 'has trailing bytes';
    throw new DataError(
      `${file}: IDX file ${what}: header declares ${dims.join(' x ')} ${dtype.name} values (${expectedBytes} bytes) but the file has ${bytes.length} bytes`,
    );
  }
  const count = expectedBytes - headerBytes;
  const body = bytes.subarray(headerBytes);
  let data: IdxData;
  switch (dtype.name) {
    case 'uint8': data = new Uint8Array(body.buffer, body.byteOffset, body.length); break;
    case 'int8': data = new Int8Array(body.buffer, body.byteOffset, body.length); break;
    default: {
      // Multi-byte IDX values are big-endian.
      const n = count / dtype.bytes;
      const bodyView = new DataView(body.buffer, body.byteOffset, body.byteLength);
      if (dtype.name === 'int16') { data = new Int16Array(n); for (let i = 0; i < n; i++) data[i] = bodyView.getInt16(2 * i, false); }
      else if (dtype.name === 'int32') { data = new Int32Array(n); for (let i = 0; i < n; i++) data[i] = bodyView.getInt32(4 * i, false); }
      else if (dtype.name === 'float32') { data = new Float32Array(n); for (let i = 0; i < n; i++) data[i] = bodyView.getFloat32(4 * i, false); }
      else { data = new Float64Array(n); for (let i = 0; i < n; i++) data[i] = bodyView.getFloat64(8 * i, false); }
    }
  }
  return { dims, dtype: dtype.name, data };
}

export async function readIdxFile(path: string): Promise<IdxArray> {
  return parseIdx(await readMaybeGzip(path), path);
}

export interface IdxImagesAndLabels {
  images: IdxArray;
  /** Integer class indices, one per image. */
  labels: Int32Array;
  /** Per-sample shape of the images (dims without the count). */
  sampleShape: number[];
}

/** Reads a matching pair of IDX image and label files and checks they agree. */
export async function readIdxPair(imagesPath: string, labelsPath: string, log?: (line: string) => void): Promise<IdxImagesAndLabels> {
  const started = performance.now();
  const [images, labelArray] = await Promise.all([readIdxFile(imagesPath), readIdxFile(labelsPath)]);
  log?.(`read ${images.dims[0]} images of ${images.dims.slice(1).join(' x ')} from ${basename(imagesPath)} in ${((performance.now() - started) / 1000).toFixed(1)}s`);
  if (images.dims.length < 2) {
    throw new DataError(`${imagesPath}: expected an image IDX file with 2 or more dimensions (count, rows, ...), found ${images.dims.length}`);
  }
  if (labelArray.dims.length !== 1) {
    throw new DataError(`${labelsPath}: expected a label IDX file with 1 dimension, found ${labelArray.dims.length} (${labelArray.dims.join(' x ')})`);
  }
  if (images.dims[0] !== labelArray.dims[0]) {
    throw new DataError(
      `${basename(imagesPath)} has ${images.dims[0]} images but ${basename(labelsPath)} has ${labelArray.dims[0]} labels (${imagesPath}, ${labelsPath})`,
    );
  }
  const labels = new Int32Array(labelArray.data.length);
  for (let i = 0; i < labels.length; i++) {
    const value = labelArray.data[i];
    if (!Number.isInteger(value) || value < 0) {
      throw new DataError(`${labelsPath}: label ${i} is ${value}, expected a non-negative integer class index`);
    }
    labels[i] = value;
  }
  return { images, labels, sampleShape: images.dims.slice(1) };
}

/** Encodes an IDX file (used to write the embedded subset and test fixtures). */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08; out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

/** Image metadata for pools of H x W or H x W x C samples (IDX, Fashion-MNIST). */
function imageInfo(sampleShape: number[]): { image: Preprocessing['image']; groups: number } {
  if (sampleShape.length === 2) return { image: { height: sampleShape[0], width: sampleShape[1], channels: 1 }, groups: 1 };
  const channels = sampleShape[2];
  if (sampleShape.length === 3 && (channels === 1 || channels === 3)) {
    return { image: { height: sampleShape[0], width: sampleShape[1], channels }, groups: channels };
  }
  return { image: null, groups: 1 };
}

const idxPool = (pair: IdxImagesAndLabels) => arrayPool(pair.images.data, pair.sampleShape, pair.labels);

export function idxSource(train: IdxImagesAndLabels, test: IdxImagesAndLabels | null, classes: string[], origin: string): SourceData {
  if (test && test.sampleShape.join('x') !== train.sampleShape.join('x')) {
    throw new DataError(`${origin}: test images are ${test.sampleShape.join(' x ')} but training images are ${train.sampleShape.join(' x ')}`);
  }
  return {
    train: idxPool(train), test: test ? idxPool(test) : null, validation: null,
    classes, task: 'classification', ...imageInfo(train.sampleShape), csv: null, origin,
  };
}

/** The `idx` format's reader. */
export async function readSource(ds: IdxDataset, { specDir, log, classes: contract }: ReadContext): Promise<SourceData> {
  const at = (path: string) => resolve(specDir, path);
  const train = await readIdxPair(at(ds.train_images), at(ds.train_labels), log);
  if ((ds.test_images === null) !== (ds.test_labels === null)) {
    throw new DataError(`dataset '${ds.name}': test_images and test_labels must be given together`);
  }
  const test = ds.test_images && ds.test_labels ? await readIdxPair(at(ds.test_images), at(ds.test_labels), log) : null;
  // IDX labels are class indices: names from the model's labels, else indices up to its output units (labels
  // beyond them are reported by record in loadDataset), else up to the largest label.
  let count = contract?.names?.length ?? expectedClassCount(contract);
  if (count === null) {
    count = 1;
    for (const labels of [train.labels, test?.labels ?? []]) for (const label of labels) count = Math.max(count, label + 1);
  }
  const classes = contract?.names ? [...contract.names] : Array.from({ length: count }, (_, i) => String(i));
  return idxSource(train, test, classes, at(ds.train_images));
}
