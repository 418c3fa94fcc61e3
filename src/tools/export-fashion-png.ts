// Writes Fashion-MNIST as PNG class folders, for trying `image_folder` datasets on familiar data:
//   npx tsx src/tools/export-fashion-png.ts <out> [--limit N]
// produces <out>/train/<class>/<i>.png and <out>/test/<class>/<i>.png (28 x 28 grayscale, raw pixel values).
// --limit N keeps the first N samples of each split. Class folder names are the Fashion-MNIST names with '/' and
// ' ' replaced by '_' (T-shirt_top, Ankle_boot); sorted, they are not in label-index order.

import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { DataError } from '../codegen/runtime/data/errors.js';
import { FASHION_MNIST_CLASSES, locateFashionMnist, readFashionMnist } from '../codegen/runtime/data/fashion-mnist.js';
import type { IdxImagesAndLabels } from '../codegen/runtime/data/idx.js';

export const classFolderName = (name: string) => name.replace(/[/\\ ]/g, '_');

export async function exportSplit(data: IdxImagesAndLabels, outDir: string, limit: number): Promise<number> {
  const count = Math.min(limit, data.labels.length);
  for (const name of FASHION_MNIST_CLASSES) await mkdir(join(outDir, classFolderName(name)), { recursive: true });
  const pixels = data.images.data as Uint8Array;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const file = join(outDir, classFolderName(FASHION_MNIST_CLASSES[data.labels[i]]), `${i}.png`);
      await sharp(Buffer.from(pixels.subarray(i * 784, (i + 1) * 784)), { raw: { width: 28, height: 28, channels: 1 } })
        .png().toFile(file);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return count;
}

function parseArgs(argv: string[]): { out: string; limit: number } {
  let out: string | undefined;
  let limit = Infinity;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--limit') {
      limit = Number(argv[++i]);
      if (!Number.isInteger(limit) || limit < 1) throw new DataError(`--limit needs a positive integer, got '${argv[i] ?? ''}'`);
    } else if (argv[i].startsWith('-')) throw new DataError(`unknown option ${argv[i]}`);
    else if (out === undefined) out = argv[i];
    else throw new DataError(`unexpected argument ${argv[i]}`);
  }
  if (!out) throw new DataError('usage: npx tsx src/tools/export-fashion-png.ts <out> [--limit N]');
  return { out: resolve(out), limit };
}

async function main(): Promise<void> {
  const { out, limit } = parseArgs(process.argv.slice(2));
  const specsDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'specs');
  const paths = await locateFashionMnist({ path: null, specDir: specsDir, log: (line) => console.error(line), progress: true });
  const { train, test } = await readFashionMnist(paths);
  const trainCount = await exportSplit(train, join(out, 'train'), limit);
  const testCount = await exportSplit(test, join(out, 'test'), limit);
  console.log(`wrote ${trainCount} train and ${testCount} test PNGs from ${paths.dir} to ${out}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: Error) => {
    console.error(error instanceof DataError ? `error: ${error.message}` : error);
    process.exit(1);
  });
}
