import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/codegen/runtime/data/errors.js';
import { parseIdx, readIdxFile, readIdxPair } from '../../src/codegen/runtime/data/idx.js';
import { idxBytes, rejection, thrown, withTempDir } from './helpers.js';

const pixels = Uint8Array.from({ length: 3 * 2 * 2 }, (_, i) => i * 7);

describe('IDX reader', () => {
  it('reads raw and gzipped files to the same dims and values', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'raw'), idxBytes([3, 2, 2], pixels));
      await writeFile(join(dir, 'packed.gz'), gzipSync(idxBytes([3, 2, 2], pixels)));
      for (const file of ['raw', 'packed.gz']) {
        const idx = await readIdxFile(join(dir, file));
        expect(idx.dims).toEqual([3, 2, 2]);
        expect(idx.dtype).toBe('uint8');
        expect(Array.from(idx.data)).toEqual(Array.from(pixels));
      }
    });
  });

  it('decodes big-endian int32 values', () => {
    const body = Buffer.alloc(8);
    body.writeInt32BE(-5, 0);
    body.writeInt32BE(70000, 4);
    const idx = parseIdx(idxBytes([2], body, 0x0c), 'ints');
    expect(idx.dtype).toBe('int32');
    expect(Array.from(idx.data)).toEqual([-5, 70000]);
  });

  it('rejects a truncated file naming it, with expected vs found bytes', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'short-images');
      const bytes = idxBytes([3, 2, 2], pixels);
      await writeFile(path, bytes.subarray(0, bytes.length - 1));
      const error = await rejection(readIdxFile(path));
      expect(error).toBeInstanceOf(DataError);
      expect(error.message).toContain(path);
      expect(error.message).toContain('truncated');
      expect(error.message).toContain(`${bytes.length} bytes`);
      expect(error.message).toContain(`${bytes.length - 1} bytes`);
    });
  });

  it('rejects a cut-off gzip stream naming the file', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'cut.gz');
      const packed = gzipSync(idxBytes([3, 2, 2], pixels));
      await writeFile(path, packed.subarray(0, packed.length - 6));
      const error = await rejection(readIdxFile(path));
      expect(error).toBeInstanceOf(DataError);
      expect(error.message).toContain(path);
    });
  });

  it('rejects a wrong magic number and an unknown type code', () => {
    const wrongMagic = thrown(() => parseIdx(Buffer.from([0x12, 0x34, 0x08, 0x01, 0, 0, 0, 0]), 'weird.bin'));
    expect(wrongMagic).toBeInstanceOf(DataError);
    expect(wrongMagic.message).toMatch(/^weird\.bin: not an IDX file.*0x12340801/);
    const badType = thrown(() => parseIdx(Buffer.from([0, 0, 0x07, 0x01, 0, 0, 0, 0]), 'type7'));
    expect(badType.message).toContain('0x00000701');
    expect(thrown(() => parseIdx(Buffer.from([0, 0]), 'tiny')).message).toMatch(/tiny: .*found 2 bytes/);
  });

  it('fails fast on a header claiming 2^31 items, without allocating them', () => {
    const header = idxBytes([2 ** 31, 28, 28], new Uint8Array(16));
    const before = process.memoryUsage().arrayBuffers;
    const error = thrown(() => parseIdx(header, 'huge'));
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1e6);
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toContain('2147483648 x 28 x 28');
    // a product far beyond 2^53 must not wrap around to a "matching" size either
    expect(thrown(() => parseIdx(idxBytes([2 ** 32 - 1, 2 ** 32 - 1, 2 ** 32 - 1], new Uint8Array(0)), 'huger'))).toBeInstanceOf(DataError);
  });

  it('checks image and label counts agree', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'images'), idxBytes([3, 2, 2], pixels));
      await writeFile(join(dir, 'labels'), idxBytes([2], Uint8Array.from([1, 0])));
      await writeFile(join(dir, 'labels2d'), idxBytes([3, 1], Uint8Array.from([1, 0, 1])));
      const mismatch = await rejection(readIdxPair(join(dir, 'images'), join(dir, 'labels')));
      expect(mismatch.message).toMatch(/3 images but labels has 2 labels/);
      const rank = await rejection(readIdxPair(join(dir, 'images'), join(dir, 'labels2d')));
      expect(rank.message).toContain('expected a label IDX file with 1 dimension');
    });
  });

  const debian = '/usr/share/datasets/fashion-mnist';
  it.skipIf(!existsSync(debian))('reads the real Fashion-MNIST test files and the embedded subset matches them', async () => {
    const full = await readIdxPair(`${debian}/t10k-images-idx3-ubyte.gz`, `${debian}/t10k-labels-idx1-ubyte.gz`);
    expect(full.images.dims).toEqual([10000, 28, 28]);
    expect(new Set(full.labels).size).toBe(10);
    const mini = resolve('specs/data/fashion-mnist-mini');
    const subset = await readIdxPair(`${mini}/t10k-images-idx3-ubyte.gz`, `${mini}/t10k-labels-idx1-ubyte.gz`);
    expect(subset.images.dims).toEqual([500, 28, 28]);
    expect(Buffer.from(subset.images.data as Uint8Array).equals(Buffer.from((full.images.data as Uint8Array).subarray(0, 500 * 784)))).toBe(true);
    expect(Array.from(subset.labels)).toEqual(Array.from(full.labels.subarray(0, 500)));
    const train = await readIdxPair(`${mini}/train-images-idx3-ubyte.gz`, `${mini}/train-labels-idx1-ubyte.gz`);
    expect(train.images.dims).toEqual([2000, 28, 28]);
  });
});
