// Image folders: root/<class>/*.png|jpg|jpeg, classes = sorted folder names. Decoding uses tfjs-node's
// decodeImage when the tensorflow backend is loaded, else sharp. Each file's header is checked before the file is
// read (image-header.ts), as a bound against decompression bombs and files that only pretend to be images.

import { checkDataFile } from './files.js';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import type { ImageFolderDataset } from '../spec-types.js';
import { DataError } from './errors.js';
import { ByteBudget, checkImageFile } from './image-header.js';
import type { ReadContext, SamplePool, SourceData } from './pool.js';
import { preprocessSample, type Preprocessing } from './preprocess.js';

export const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);
/** Largest accepted image, in pixels (width x height) before resizing: 40 MP. */
export const MAX_INPUT_PIXELS = 40_000_000;

export interface ImageTarget { height: number; width: number; channels: 1 | 3 }

interface TfNodeModule { node: { decodeImage(bytes: Uint8Array, channels?: number): tf.Tensor3D | tf.Tensor4D } }
let tfNodePromise: Promise<TfNodeModule | null> | undefined;

/** tfjs-node, only if the trainer already loaded it (its 'tensorflow' backend is registered). */
function loadedTfNode(): Promise<TfNodeModule | null> {
  tfNodePromise ??= (async () => {
    if (!tf.findBackend('tensorflow')) return null;
    try {
      const moduleName = '@tensorflow/tfjs-node';
      return (await import(moduleName)) as TfNodeModule;
    } catch {
      return null;
    }
  })();
  return tfNodePromise;
}

/** Bytes of files and pixels that decoders may hold at once (one image bigger than this still decodes, alone). */
export const DECODE_BUDGET_BYTES = 256 * 1024 * 1024;
const decodeBudget = new ByteBudget(DECODE_BUDGET_BYTES);

/**
 * Decodes one image file to raw HWC pixel values 0..255, resized to the target size and channel count. The header
 * is checked first (pixels, and bytes its dimensions allow), and the file and its pixels count against a budget
 * shared by all decoders, so a folder of huge files neither is read whole nor decoded eight at a time.
 */
export async function decodeImageFile(path: string, target: ImageTarget, maxPixels = MAX_INPUT_PIXELS): Promise<Float32Array> {
  await checkDataFile(path, 'the image file');
  const header = await checkImageFile(path, maxPixels);
  const cost = header.fileBytes + header.width * header.height * 4;
  await decodeBudget.acquire(cost);
  try {
    return await decodeChecked(path, target, maxPixels);
  } finally {
    decodeBudget.release(cost);
  }
}

async function decodeChecked(path: string, target: ImageTarget, maxPixels: number): Promise<Float32Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new DataError(`${path}: cannot read image (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (bytes.length === 0) throw new DataError(`${path}: empty file (0 bytes), not an image`);
  const tfNode = await loadedTfNode();
  try {
    if (tfNode) return decodeWithTfNode(tfNode, bytes, target);
    let pipeline = sharp(bytes, { limitInputPixels: maxPixels }).resize(target.width, target.height, { fit: 'fill' }).removeAlpha();
    pipeline = target.channels === 1 ? pipeline.toColourspace('b-w') : pipeline.toColourspace('srgb');
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== target.channels || info.width !== target.width || info.height !== target.height) {
      throw new Error(`decoded to ${info.width} x ${info.height} x ${info.channels}, expected ${target.width} x ${target.height} x ${target.channels}`);
    }
    return Float32Array.from(data);
  } catch (error) {
    throw new DataError(`${path}: cannot decode image (${(error as Error).message})`);
  }
}

function decodeWithTfNode(tfNode: TfNodeModule, bytes: Buffer, target: ImageTarget): Float32Array {
  return tf.tidy(() => {
    let image = tfNode.node.decodeImage(bytes, target.channels) as tf.Tensor3D;
    if (image.rank === 4) image = (image as unknown as tf.Tensor4D).squeeze([0]) as tf.Tensor3D; // first GIF frame
    if (image.shape[0] !== target.height || image.shape[1] !== target.width) {
      image = tf.image.resizeBilinear(tf.cast(image, 'float32'), [target.height, target.width]);
    }
    return tf.cast(image, 'float32').dataSync() as Float32Array;
  });
}

export interface ImageFileEntry { path: string; label: number }

async function listDirectory(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataError(`${dir}: the image folder does not exist`);
    if (code === 'ENOTDIR') throw new DataError(`${dir}: expected an image folder, found a file`);
    throw new DataError(`${dir}: cannot read image folder (${code ?? (error as Error).message})`);
  }
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Class folder names of `root`, sorted. */
export async function listClassFolders(root: string): Promise<string[]> {
  const classes = (await listDirectory(root)).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort(byCodePoint);
  if (classes.length === 0) throw new DataError(`${root}: no class folders found (expected ${root}/<class>/*.png|jpg|jpeg)`);
  return classes;
}

/** Image files under root/<class>/, labelled by the index of their folder in `classes`. */
export async function listImageFiles(root: string, classes: string[]): Promise<ImageFileEntry[]> {
  const entries: ImageFileEntry[] = [];
  for (const folder of await listClassFolders(root)) {
    const label = classes.indexOf(folder);
    if (label < 0) throw new DataError(`${join(root, folder)}: class folder '${folder}' is not among the training classes (${classes.join(', ')})`);
    const files = (await listDirectory(join(root, folder)))
      .filter((e) => e.isFile() && IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase()))
      .map((e) => e.name).sort(byCodePoint);
    for (const file of files) entries.push({ path: join(root, folder, file), label });
  }
  if (entries.length === 0) throw new DataError(`${root}: no .png/.jpg/.jpeg images in any class folder`);
  return entries;
}

export interface DecodeProgress { log?: (line: string) => void; progress?: boolean }

/** A pool that decodes only the files a split asks for, a few at a time. */
export function imageFilePool(entries: ImageFileEntry[], target: ImageTarget, root: string, report: DecodeProgress): SamplePool {
  const sampleShape = [target.height, target.width, target.channels];
  const sampleSize = target.height * target.width * target.channels;
  return {
    count: entries.length,
    sampleShape,
    labels: Int32Array.from(entries, (e) => e.label),
    async take(indices, dtype) {
      const out = dtype === 'int32' ? new Int32Array(indices.length * sampleSize) : new Float32Array(indices.length * sampleSize);
      let next = 0;
      let done = 0;
      let lastShown = 0;
      report.log?.(`decoding ${indices.length} images from ${root}`);
      const worker = async () => {
        while (next < indices.length) {
          const row = next++;
          out.set(await decodeImageFile(entries[indices[row]].path, target), row * sampleSize);
          done++;
          if (report.progress && Date.now() - lastShown > 250) {
            lastShown = Date.now();
            process.stderr.write(`\r  decoded ${done}/${indices.length} images   `);
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      if (report.progress) process.stderr.write(`\r  decoded ${done}/${indices.length} images   \n`);
      return out;
    },
  };
}

export async function loadImageFolderSource(
  ds: ImageFolderDataset, specDir: string, report: DecodeProgress, declared: string[] | null = null,
): Promise<SourceData> {
  const target: ImageTarget = { height: ds.image_size[0], width: ds.image_size[1], channels: ds.color === 'rgb' ? 3 : 1 };
  const trainRoot = resolve(specDir, ds.train);
  // Declared labels fix the class order; each class folder must be one of them (listImageFiles says which is not).
  const classes = declared ? [...declared] : await listClassFolders(trainRoot);
  const pool = async (root: string) => imageFilePool(await listImageFiles(root, classes), target, root, report);
  const testRoot = ds.test_path === null ? null : resolve(specDir, ds.test_path);
  const validationRoot = ds.validation_path === null ? null : resolve(specDir, ds.validation_path);
  return {
    train: await pool(trainRoot),
    test: testRoot ? await pool(testRoot) : null,
    validation: validationRoot ? await pool(validationRoot) : null,
    classes,
    task: 'classification',
    groups: target.channels,
    image: target,
    csv: null,
    origin: trainRoot,
  };
}

/** The `image_folder` format's reader. */
export function readSource(ds: ImageFolderDataset, ctx: ReadContext): Promise<SourceData> {
  return loadImageFolderSource(ds, ctx.specDir, { log: ctx.log, progress: ctx.progress }, ctx.classes?.names ?? null);
}

/**
 * How an image file differs from what the model takes, as the changes decoding makes (resizing, colour conversion,
 * dropping transparency); empty when it fits as it is. Reads the header only.
 */
export async function imageAdjustments(path: string, prep: Preprocessing): Promise<string[]> {
  if (!prep.image) throw new DataError(`${path}: this model was not trained on images`);
  let meta: { width?: number; height?: number; channels?: number; hasAlpha?: boolean };
  try {
    meta = await sharp(path, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new DataError(`${path}: not a readable PNG/JPEG image (${(error as Error).message})`);
  }
  const { height, width, channels } = prep.image;
  const notes: string[] = [];
  if (meta.width !== width || meta.height !== height) notes.push(`resized from ${meta.width} x ${meta.height} to ${width} x ${height}`);
  const colour = (meta.channels ?? 1) - (meta.hasAlpha ? 1 : 0) >= 3;
  if (colour && channels === 1) notes.push('converted from colour to greyscale');
  if (!colour && channels === 3) notes.push('converted from greyscale to RGB');
  if (meta.hasAlpha) notes.push('transparency dropped');
  return notes;
}

/** Decodes, resizes and normalizes one image file the way training data was prepared. */
export async function loadImageForInference(path: string, prep: Preprocessing): Promise<Float32Array> {
  if (!prep.image) throw new DataError(`${path}: this model was not trained on images`);
  return preprocessSample(await decodeImageFile(path, prep.image), prep);
}
