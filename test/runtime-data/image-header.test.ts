// Image files are weighed from their headers before they are read: dimensions from PNG's IHDR and JPEG's SOF, the
// size from stat. Files bigger than an image of their dimensions can be (sparse 1.9 GB "PNGs") are refused with a
// located error and never read, which a child process shows by its peak memory; decoders share a byte budget.
import { execFileSync } from 'node:child_process';
import { mkdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ByteBudget, checkImageFile, maxImageFileBytes, readImageHeader } from '../../src/codegen/runtime/data/image-header.js';
import { DataError } from '../../src/codegen/runtime/data/index.js';
import { rejection, withTempDir } from './helpers.js';

const image = (width: number, height: number, channels: 3 | 4 = 3) =>
  sharp({ create: { width, height, channels, background: { r: 9, g: 99, b: 199, alpha: 1 } } });

/** A PNG signature and an IHDR of `width` x `height` RGBA, then nothing: the rest of the file is a sparse hole. */
async function fakePng(path: string, width: number, height: number, bytes: number) {
  const ihdr = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(ihdr, 0);
  ihdr.writeUInt32BE(13, 8);
  ihdr.write('IHDR', 12, 'latin1');
  ihdr.writeUInt32BE(width, 16);
  ihdr.writeUInt32BE(height, 20);
  ihdr[24] = 8;
  ihdr[25] = 6;
  await writeFile(path, ihdr);
  await truncate(path, bytes);
}

describe('image headers', () => {
  it('reads PNG and JPEG dimensions, past large APP segments before the frame header', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'a.png'), await image(37, 21, 4).png().toBuffer());
      expect(await readImageHeader(join(dir, 'a.png'))).toMatchObject({ format: 'png', width: 37, height: 21, channels: 4, bitDepth: 8 });
      const jpeg = await image(45, 13).jpeg().toBuffer();
      // Two 60 KB APP1 segments (EXIF-sized) right after SOI push the SOF far from the file's start.
      const app = Buffer.alloc(60_000 + 4, 0x20);
      app.writeUInt16BE(0xffe1, 0);
      app.writeUInt16BE(60_002, 2);
      const withApps = Buffer.concat([jpeg.subarray(0, 2), app, app, jpeg.subarray(2)]);
      await writeFile(join(dir, 'b.jpg'), withApps);
      expect(await readImageHeader(join(dir, 'b.jpg'))).toMatchObject({ format: 'jpeg', width: 45, height: 13, channels: 3, fileBytes: withApps.length });
      expect((await sharp(withApps).metadata()).width).toBe(45); // the file is a real JPEG
    });
  });

  it('names what is wrong with files that are not images', async () => {
    await withTempDir(async (dir) => {
      const cases: [string, Buffer, string][] = [
        ['text.png', Buffer.from('hello, not an image'), 'neither a PNG nor a JPEG'],
        ['cut.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]), 'a truncated PNG'],
        ['nosof.jpg', Buffer.from([0xff, 0xd8, 0xff, 0xda, 0, 4, 0, 0]), 'a JPEG without a frame header'],
        ['junk.jpg', Buffer.from([0xff, 0xd8, 0x12, 0x34, 0, 4, 0, 0]), 'a damaged JPEG (no marker at byte 2)'],
      ];
      for (const [name, bytes, expected] of cases) {
        await writeFile(join(dir, name), bytes);
        const error = await rejection(readImageHeader(join(dir, name)));
        expect(error).toBeInstanceOf(DataError);
        expect(error.message).toContain(`${join(dir, name)}: not a readable PNG/JPEG image: ${expected}`);
      }
    });
  });

  it('refuses a file bigger than its dimensions allow, and too many pixels, from the header alone', async () => {
    await withTempDir(async (dir) => {
      const fake = join(dir, 'fake.png');
      await fakePng(fake, 28, 28, 1_900_000_000);
      const error = await rejection(checkImageFile(fake, 40_000_000));
      expect(error.message).toBe(`${fake}: file is 1812.0 MiB, more than a 28 x 28 PNG can take (at most 16.0 MiB); is it an image?`);
      await fakePng(fake, 100_000, 100_000, 100);
      expect((await rejection(checkImageFile(fake, 40_000_000))).message).toContain('image is 100000 x 100000 = 10000000000 pixels, over the limit of 40000000');
      // A real image is well inside its own bound.
      const real = join(dir, 'real.png');
      await writeFile(real, await image(64, 64).png({ compressionLevel: 0 }).toBuffer());
      const header = await checkImageFile(real, 40_000_000);
      expect(header.fileBytes).toBeLessThan(maxImageFileBytes(header));
    });
  });

  it('a folder of four 1.9 GB fake PNGs fails with a located error and the trainer loader never reads them', async () => {
    await withTempDir(async (dir) => {
      await mkdir(join(dir, 'train', 'a'), { recursive: true });
      await mkdir(join(dir, 'train', 'b'), { recursive: true });
      for (const [i, folder] of ['a', 'a', 'b', 'b'].entries()) await fakePng(join(dir, 'train', folder, `${i}.png`), 4000, 4000, 1_900_000_000);
      const script = join(dir, 'load.mts');
      const data = join(process.cwd(), 'src/codegen/runtime/data/index.js');
      await writeFile(script, [
        `import { loadDataset } from ${JSON.stringify(data)};`,
        `const ds = { name: 'ds', normalize: { type: 'none' }, validation: 0, test: 0, shuffle: false, augment: null, limit: null,`,
        `  source: 'image_folder', train: 'train', test_path: null, validation_path: null, image_size: [8, 8], color: 'rgb' };`,
        `try { await loadDataset(ds, { name: 'x', shape: [8, 8, 3], dtype: 'float32' }, { specDir: ${JSON.stringify(dir)}, seed: 0 }); console.log('loaded'); }`,
        `catch (e) { console.log('error: ' + e.message); }`,
        `console.log('maxrss ' + process.resourceUsage().maxRSS);`,
      ].join('\n'));
      const out = execFileSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 120_000 });
      expect(out).toContain(`error: ${join(dir, 'train')}/`);
      expect(out).toMatch(/\/[ab]\/\d\.png: file is 1812\.0 MiB, more than a 4000 x 4000 PNG can take \(at most \d+\.\d MiB\); is it an image\?/);
      const maxRssKiB = Number(/maxrss (\d+)/.exec(out)![1]);
      expect(maxRssKiB).toBeLessThan(1024 * 1024); // reading even one file whole would take 1.9 GB
    });
  });

  it('decoders share a byte budget: jobs wait until theirs fits, one oversized job runs alone', async () => {
    const budget = new ByteBudget(100);
    let peak = 0;
    const order: string[] = [];
    const job = async (name: string, bytes: number) => {
      await budget.acquire(bytes);
      peak = Math.max(peak, budget.inFlight);
      order.push(name);
      await new Promise((r) => setTimeout(r, 5));
      budget.release(bytes);
    };
    await Promise.all([job('a', 60), job('b', 60), job('huge', 500), job('c', 30), job('d', 40)]);
    expect(order).toEqual(['a', 'b', 'huge', 'c', 'd']);
    expect(peak).toBe(500); // the oversized job, alone
    expect(budget.inFlight).toBe(0);
    const small = new ByteBudget(100);
    let smallPeak = 0;
    await Promise.all([10, 20, 30, 40, 50, 60].map(async (bytes) => {
      await small.acquire(bytes);
      smallPeak = Math.max(smallPeak, small.inFlight);
      await new Promise((r) => setTimeout(r, 2));
      small.release(bytes);
    }));
    expect(smallPeak).toBeLessThanOrEqual(100);
  });
});
