// Fashion-MNIST: find the four IDX files in the usual places, else download and verify them into a cache, else fall
// back to the small subset embedded in the repository (loudly). Search order:
//   1. the spec's `path`   2. --data-dir   3. $NNC_DATA_DIR (each must hold the files when given)
//   4. /usr/share/datasets/fashion-mnist (Debian)  (4 and 5: or the folders in $NNC_FASHION_MNIST_DIRS)
//   5. ~/.keras/datasets/fashion-mnist   6. the download cache ($NNC_CACHE_DIR or ~/.cache/nnc, + /fashion-mnist)
//   7. download from $NNC_FASHION_MNIST_URL or the official URL   8. the embedded subset: $NNC_EMBEDDED_DATA, else
//      the copy the trainer folder carries (`nnc compile` writes it to <trainer>/data/fashion-mnist-mini), else
//      <specDir>/data/fashion-mnist-mini (a spec in nnc's own specs/).
// Folders 2 and 3 may hold the files directly or in a `fashion-mnist` subfolder.

import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { DataError } from './errors.js';
import { downloadVerified, DownloadUnavailableError } from './download.js';
import { idxSource, readIdxPair, type IdxImagesAndLabels } from './idx.js';
import type { FashionMnistDataset } from '../spec-types.js';
import type { ReadContext, SourceData } from './pool.js';

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

export const FASHION_MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;
type FileKey = keyof typeof FASHION_MNIST_FILES;

/**
 * SHA-256 of the gunzipped IDX content, computed from Debian's files. The content hash is checked rather than the
 * .gz hash because Debian's .gz files differ from upstream's in the gzip header alone (no stored file name).
 */
export const FASHION_MNIST_SHA256: Record<FileKey, string> = {
  trainImages: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
  trainLabels: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
  testImages: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
  testLabels: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
};

export const FASHION_MNIST_URL = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/';

export interface FashionMnistPaths { dir: string; files: Record<FileKey, string>; embedded: boolean }

export interface LocateOptions {
  path: string | null;
  dataDir?: string;
  specDir: string;
  env?: NodeJS.ProcessEnv;
  /** Standard folders searched after the explicit ones; defaults to Debian's and Keras' folders. */
  standardDirs?: string[];
  log?: (line: string) => void;
  progress?: boolean;
  /** The embedded subset the trainer folder carries (its data/fashion-mnist-mini). */
  embeddedDir?: string;
}

/** The four files in `dir` (each as NAME.gz or NAME), or null if any is missing. */
export function findFashionFiles(dir: string): Record<FileKey, string> | null {
  const found: Partial<Record<FileKey, string>> = {};
  for (const [key, name] of Object.entries(FASHION_MNIST_FILES) as [FileKey, string][]) {
    const candidate = [`${name}.gz`, name].map((file) => join(dir, file)).find((file) => existsSync(file));
    if (!candidate) return null;
    found[key] = candidate;
  }
  return found as Record<FileKey, string>;
}

function findInFolderOrSubfolder(dir: string): FashionMnistPaths | null {
  for (const candidate of [dir, join(dir, 'fashion-mnist'), join(dir, 'fashion_mnist')]) {
    const files = findFashionFiles(candidate);
    if (files) return { dir: candidate, files, embedded: false };
  }
  return null;
}

export function defaultStandardDirs(): string[] {
  return ['/usr/share/datasets/fashion-mnist', join(homedir(), '.keras', 'datasets', 'fashion-mnist')];
}

export function fashionCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.NNC_CACHE_DIR || join(homedir(), '.cache', 'nnc'), 'fashion-mnist');
}

/** Where the embedded subset is looked for, in order: $NNC_EMBEDDED_DATA alone when set, else the trainer's copy and the spec folder's. */
export function embeddedSubsetDirs(specDir: string, env: NodeJS.ProcessEnv = process.env, trainerCopy?: string): string[] {
  if (env.NNC_EMBEDDED_DATA) return [resolve(env.NNC_EMBEDDED_DATA)];
  return [...(trainerCopy ? [resolve(trainerCopy)] : []), resolve(specDir, 'data', 'fashion-mnist-mini')];
}

export async function locateFashionMnist(options: LocateOptions): Promise<FashionMnistPaths> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  // Places the user named explicitly must hold the files: silently looking elsewhere would hide a typo.
  const explicit: [string, string | undefined][] = [
    ['the dataset path', options.path === null ? undefined : resolve(options.specDir, options.path)],
    ['--data-dir', options.dataDir],
    ['NNC_DATA_DIR', options.dataDir === undefined && env.NNC_DATA_DIR ? env.NNC_DATA_DIR : undefined],
  ];
  for (const [what, dir] of explicit) {
    if (dir === undefined) continue;
    const found = findInFolderOrSubfolder(dir);
    if (found) return found;
    throw new DataError(`${dir}: ${what} does not hold the Fashion-MNIST files (${Object.values(FASHION_MNIST_FILES).map((f) => `${f}[.gz]`).join(', ')})`);
  }
  // NNC_FASHION_MNIST_DIRS (':'-separated, may be empty) replaces the standard folders, e.g. to act as a machine without them.
  const fromEnv = env.NNC_FASHION_MNIST_DIRS;
  const searched = options.standardDirs ?? (fromEnv !== undefined ? fromEnv.split(':').filter(Boolean) : defaultStandardDirs());
  for (const dir of searched) {
    const found = findInFolderOrSubfolder(dir);
    if (found) return found;
  }
  const cacheDir = fashionCacheDir(env);
  const cached = findFashionFiles(cacheDir);
  if (cached) return { dir: cacheDir, files: cached, embedded: false };

  const baseUrl = (env.NNC_FASHION_MNIST_URL || FASHION_MNIST_URL).replace(/\/?$/, '/');
  try {
    log(`Fashion-MNIST not found in ${[...searched, cacheDir].join(', ')}; downloading from ${baseUrl}`);
    for (const [key, name] of Object.entries(FASHION_MNIST_FILES) as [FileKey, string][]) {
      const dest = join(cacheDir, `${name}.gz`);
      if (existsSync(dest)) continue;
      await downloadVerified(`${baseUrl}${name}.gz`, dest, {
        sha256: FASHION_MNIST_SHA256[key], hashOf: 'gunzipped', log, progress: options.progress,
      });
    }
    const files = findFashionFiles(cacheDir);
    if (files) return { dir: cacheDir, files, embedded: false };
  } catch (error) {
    // Only "cannot reach the server" falls back; a bad checksum or a cut-off transfer is an error the user must see.
    if (!(error instanceof DownloadUnavailableError)) throw error;
    log(`download failed: ${error.message}`);
  }
  const embeddedDirs = embeddedSubsetDirs(options.specDir, env, options.embeddedDir);
  const embeddedDir = embeddedDirs.find((dir) => findFashionFiles(dir) !== null);
  const embedded = embeddedDir === undefined ? null : findFashionFiles(embeddedDir);
  if (!embedded || embeddedDir === undefined) {
    throw new DataError(
      `Fashion-MNIST not found: searched ${[...searched, cacheDir].join(', ')}, could not download from ${baseUrl}, and no embedded subset at ${embeddedDirs.join(' or ')} (set NNC_DATA_DIR, --data-dir or NNC_EMBEDDED_DATA)`,
    );
  }
  log('WARNING: ============================================================================');
  log(`WARNING: using the EMBEDDED Fashion-MNIST SUBSET from ${embeddedDir}: only a few thousand samples;`);
  log('WARNING: accuracy will be far below full-dataset results. Install the full dataset (see README).');
  log('WARNING: ============================================================================');
  return { dir: embeddedDir, files: embedded, embedded: true };
}

export async function readFashionMnist(paths: FashionMnistPaths, log?: (line: string) => void): Promise<{ train: IdxImagesAndLabels; test: IdxImagesAndLabels }> {
  const [train, test] = await Promise.all([
    readIdxPair(paths.files.trainImages, paths.files.trainLabels, log),
    readIdxPair(paths.files.testImages, paths.files.testLabels, log),
  ]);
  for (const [split, data, images, labels] of [['train', train, paths.files.trainImages, paths.files.trainLabels], ['test', test, paths.files.testImages, paths.files.testLabels]] as const) {
    if (data.sampleShape.join('x') !== '28x28') {
      throw new DataError(`${images}: expected 28 x 28 Fashion-MNIST ${split} images, found ${data.sampleShape.join(' x ')}`);
    }
    const bad = data.labels.findIndex((label) => label >= FASHION_MNIST_CLASSES.length);
    if (bad >= 0) throw new DataError(`${labels}: label ${bad} is ${data.labels[bad]}, expected 0..9`);
  }
  return { train, test };
}

/** The `fashion_mnist` format's reader: `dataDir` is the folder of its four files. */
export async function readSource(ds: FashionMnistDataset, ctx: ReadContext): Promise<SourceData> {
  const paths = await locateFashionMnist({
    path: ds.path, dataDir: ctx.dataDir, specDir: ctx.specDir, log: ctx.log, progress: ctx.progress, env: ctx.env,
    standardDirs: ctx.standardDirs, embeddedDir: ctx.embeddedDir,
  });
  const { train, test } = await readFashionMnist(paths, ctx.log);
  const source = idxSource(train, test, ctx.classes?.names ? [...ctx.classes.names] : [...FASHION_MNIST_CLASSES], paths.embedded ? `the EMBEDDED SUBSET in ${paths.dir}` : paths.dir);
  // The shipped subset, or any folder with fewer samples than Fashion-MNIST's 60,000 + 10,000, is reported as a subset.
  return { ...source, embedded: paths.embedded || train.labels.length < 60_000 || test.labels.length < 10_000 };
}
