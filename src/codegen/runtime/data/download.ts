// Verified downloads: bytes go to a temp file next to the destination, and the temp file is renamed into place only
// after the SHA-256 matches, so the cache never holds a partial or wrong file.

import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { DataError } from './errors.js';

/** The server could not be reached at all (offline, DNS, refused, HTTP error): callers may fall back elsewhere. */
export class DownloadUnavailableError extends DataError {
  constructor(message: string) {
    super(message);
    this.name = 'DownloadUnavailableError';
  }
}

export interface DownloadOptions {
  /** Expected SHA-256, lowercase hex. */
  sha256: string;
  /** 'file' hashes the bytes as downloaded; 'gunzipped' hashes the decompressed content (immune to gzip re-packing). */
  hashOf: 'file' | 'gunzipped';
  log?: (line: string) => void;
  /** Show a live progress line on stderr. */
  progress?: boolean;
  /** Idle socket timeout. */
  timeoutMs?: number;
}

const megabytes = (bytes: number) => (bytes / 1e6).toFixed(1);

function request(url: string, timeoutMs: number, redirectsLeft = 5): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const get = url.startsWith('https:') ? httpsGet : httpGet;
    const req = get(url, (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && response.headers.location && redirectsLeft > 0) {
        response.resume();
        resolve(request(new URL(response.headers.location, url).toString(), timeoutMs, redirectsLeft - 1));
        return;
      }
      if (status !== 200) {
        response.resume();
        reject(new DownloadUnavailableError(`${url}: server answered HTTP ${status}`));
        return;
      }
      resolve(response);
    });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => {
      reject(new DownloadUnavailableError(`${url}: cannot connect (${error.code ?? error.message})`));
    });
  });
}

async function sha256Of(path: string, gunzip: boolean, url: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    if (gunzip) await pipeline(createReadStream(path), createGunzip(), hash);
    else await pipeline(createReadStream(path), hash);
  } catch (error) {
    throw new DataError(`${url}: downloaded file is not valid gzip data (${(error as Error).message}); nothing was kept`);
  }
  return hash.digest('hex');
}

/** Downloads `url` to `destPath` and verifies it; on any failure no file is left at `destPath` or beside it. */
export async function downloadVerified(url: string, destPath: string, options: DownloadOptions): Promise<void> {
  const log = options.log ?? (() => {});
  await mkdir(dirname(destPath), { recursive: true });
  const tempPath = `${destPath}.part-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const response = await request(url, options.timeoutMs ?? 30_000);
    const expectedBytes = Number(response.headers['content-length'] ?? NaN);
    log(`downloading ${url}${Number.isFinite(expectedBytes) ? ` (${megabytes(expectedBytes)} MB)` : ''}`);
    let received = 0;
    let lastShown = 0;
    const showProgress = options.progress === true;
    response.on('data', (chunk: Buffer) => {
      received += chunk.length;
      const now = Date.now();
      if (showProgress && now - lastShown > 250) {
        lastShown = now;
        const share = Number.isFinite(expectedBytes) ? ` ${Math.floor((100 * received) / expectedBytes)}%` : '';
        process.stderr.write(`\r  ${megabytes(received)} MB${share}   `);
      }
    });
    // A socket torn down mid-body surfaces as 'aborted'; turn it into a pipeline error.
    response.on('aborted', () => response.destroy(new Error('connection closed early')));
    try {
      await pipeline(response, createWriteStream(tempPath));
    } catch (error) {
      throw new DataError(
        `${url}: download cut off after ${received} bytes${Number.isFinite(expectedBytes) ? ` of ${expectedBytes}` : ''} (${(error as Error).message}); nothing was kept, run again`,
      );
    } finally {
      if (showProgress) process.stderr.write('\n');
    }
    if (Number.isFinite(expectedBytes) && received !== expectedBytes) {
      throw new DataError(`${url}: download cut off: got ${received} of ${expectedBytes} bytes; nothing was kept, run again`);
    }
    const actual = await sha256Of(tempPath, options.hashOf === 'gunzipped', url);
    if (actual !== options.sha256) {
      throw new DataError(
        `${url}: checksum mismatch: expected SHA-256${options.hashOf === 'gunzipped' ? ' of the gunzipped content' : ''} ${options.sha256}, found ${actual}; nothing was kept`,
      );
    }
    await rename(tempPath, destPath);
    log(`saved ${destPath} (SHA-256 verified)`);
  } finally {
    await rm(tempPath, { force: true });
  }
}
