// Image headers read without reading the image: PNG's IHDR and JPEG's SOF give the dimensions, the file's size
// comes from stat. Decoding a file needs it whole in memory (and its pixels again), so a file is weighed here
// first: too many pixels, or more bytes than an image of its dimensions can take (a 28 x 28 PNG of 1.9 GB is not
// an image), is one located error before any of it is read. Shared by the trainer's image loader and nnc check.
import { open, stat } from 'node:fs/promises';
import { DataError } from './errors.js';

export interface ImageHeader {
  format: 'png' | 'jpeg';
  width: number;
  height: number;
  /** Samples per pixel as stored (PNG palette: 1; decoders expand it). */
  channels: number;
  /** Bits per sample. */
  bitDepth: number;
  /** The file's size in bytes. */
  fileBytes: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Samples per pixel of each PNG colour type (grey, RGB, palette, grey + alpha, RGBA). */
const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** JPEG start-of-frame markers (baseline, extended, progressive, lossless; Huffman and arithmetic). */
const JPEG_SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);
/** Segments walked before giving up on finding a JPEG's frame header. */
const MAX_JPEG_SEGMENTS = 4096;

type Reader = (offset: number, length: number) => Promise<Buffer>;

function pngHeader(head: Buffer): Omit<ImageHeader, 'fileBytes'> | string {
  if (head.length < 29) return 'a truncated PNG (no IHDR chunk)';
  if (head.toString('latin1', 12, 16) !== 'IHDR') return 'a PNG without an IHDR chunk first';
  const width = head.readUInt32BE(16);
  const height = head.readUInt32BE(20);
  const bitDepth = head[24];
  const channels = PNG_CHANNELS[head[25]];
  if (!channels || ![1, 2, 4, 8, 16].includes(bitDepth)) return `a PNG with an unknown pixel format (colour type ${head[25]}, bit depth ${bitDepth})`;
  if (width === 0 || height === 0) return `a PNG of ${width} x ${height} pixels`;
  return { format: 'png', width, height, channels, bitDepth };
}

async function jpegHeader(read: Reader, fileBytes: number): Promise<Omit<ImageHeader, 'fileBytes'> | string> {
  let offset = 2;
  for (let segments = 0; segments < MAX_JPEG_SEGMENTS && offset + 4 <= fileBytes; segments++) {
    const marker = await read(offset, 4);
    if (marker.length < 4 || marker[0] !== 0xff) return `a damaged JPEG (no marker at byte ${offset})`;
    const type = marker[1];
    if (type === 0xff) { offset += 1; continue; } // fill byte
    if (type === 0xd8 || type === 0x01 || (type >= 0xd0 && type <= 0xd7)) { offset += 2; continue; } // no length
    if (type === 0xd9 || type === 0xda) return 'a JPEG without a frame header (SOF) before its image data';
    const length = marker.readUInt16BE(2);
    if (length < 2) return `a damaged JPEG (segment of length ${length} at byte ${offset})`;
    if (JPEG_SOF.has(type)) {
      const frame = await read(offset + 4, 6);
      if (frame.length < 6) return 'a truncated JPEG frame header';
      const [bitDepth, height, width, channels] = [frame[0], frame.readUInt16BE(1), frame.readUInt16BE(3), frame[5]];
      if (width === 0 || height === 0) return `a JPEG of ${width} x ${height} pixels`;
      if (channels === 0) return 'a JPEG with no colour components';
      return { format: 'jpeg', width, height, channels, bitDepth: bitDepth || 8 };
    }
    offset += 2 + length;
  }
  return 'a JPEG whose frame header (SOF) was not found';
}

/**
 * The most bytes an image of these dimensions can take on disk: PNG stores at worst its raw rows (deflate's
 * stored blocks add 5 bytes in 65,535), JPEG's entropy coding can exceed the raw pixels a few times over on noise;
 * metadata (ICC profiles, EXIF, text) gets 16 MiB on top.
 */
export function maxImageFileBytes(header: Pick<ImageHeader, 'format' | 'width' | 'height' | 'channels' | 'bitDepth'>): number {
  const raw = header.width * header.height * header.channels * Math.max(1, header.bitDepth / 8) + header.height;
  return Math.ceil(raw * (header.format === 'png' ? 1.01 : 4)) + 16 * 1024 * 1024;
}

/** The header of the PNG or JPEG at `path` (a regular file already checked), or a DataError naming the file. */
export async function readImageHeader(path: string): Promise<ImageHeader> {
  const fileBytes = (await stat(path)).size;
  if (fileBytes === 0) throw new DataError(`${path}: empty file (0 bytes), not an image`);
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new DataError(`${path}: cannot read image (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    const read: Reader = async (offset, length) => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      return buffer.subarray(0, bytesRead);
    };
    const head = await read(0, 32);
    let found: Omit<ImageHeader, 'fileBytes'> | string;
    if (PNG_SIGNATURE.every((b, i) => head[i] === b)) found = pngHeader(head);
    else if (head[0] === 0xff && head[1] === 0xd8) found = await jpegHeader(read, fileBytes);
    else found = 'neither a PNG nor a JPEG file (its first bytes are not an image signature)';
    if (typeof found === 'string') throw new DataError(`${path}: not a readable PNG/JPEG image: ${found}`);
    return { ...found, fileBytes };
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(`${path}: cannot read image (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  } finally {
    await handle.close();
  }
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** The header, checked against a pixel bound and against the bytes its dimensions allow, before the file is read. */
export async function checkImageFile(path: string, maxPixels: number): Promise<ImageHeader> {
  const header = await readImageHeader(path);
  const { width, height, fileBytes } = header;
  const kind = header.format === 'png' ? 'PNG' : 'JPEG';
  if (width * height > maxPixels) {
    throw new DataError(`${path}: image is ${width} x ${height} = ${width * height} pixels, over the limit of ${maxPixels}`);
  }
  const most = maxImageFileBytes(header);
  if (fileBytes > most) {
    throw new DataError(`${path}: file is ${mib(fileBytes)}, more than a ${width} x ${height} ${kind} can take (at most ${mib(most)}); is it an image?`);
  }
  return header;
}

/**
 * Bytes in flight shared by concurrent decoders: `acquire(n)` waits until n more fit under the budget (one job
 * larger than the whole budget still runs, alone), `release(n)` gives them back.
 */
export class ByteBudget {
  private used = 0;
  private readonly waiting: { bytes: number; go: () => void }[] = [];
  constructor(readonly limit: number) {}

  async acquire(bytes: number): Promise<void> {
    if (this.fits(bytes) && this.waiting.length === 0) {
      this.used += bytes;
      return;
    }
    await new Promise<void>((go) => this.waiting.push({ bytes, go }));
  }

  release(bytes: number): void {
    this.used -= bytes;
    while (this.waiting.length > 0 && this.fits(this.waiting[0].bytes)) {
      const next = this.waiting.shift()!;
      this.used += next.bytes;
      next.go();
    }
  }

  get inFlight(): number {
    return this.used;
  }

  private fits(bytes: number): boolean {
    return this.used === 0 || this.used + bytes <= this.limit;
  }
}
