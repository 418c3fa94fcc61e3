import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/codegen/runtime/data/index.js';
import { downloadVerified, DownloadUnavailableError } from '../../src/codegen/runtime/data/download.js';
import { DataError } from '../../src/codegen/runtime/data/errors.js';
import type { FashionMnistDataset } from '../../src/codegen/runtime/spec-types.js';
import { common, idxBytes, rejection, withTempDir } from './helpers.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const idxContent = idxBytes([4, 2, 2], Uint8Array.from({ length: 16 }, (_, i) => i));
const idxGz = gzipSync(idxContent);
const debian = '/usr/share/datasets/fashion-mnist';
const hasDebian = existsSync(`${debian}/train-images-idx3-ubyte.gz`);

// Routes: /ok/<file> serves `files`, /cut/<file> promises all bytes but hangs up halfway, /debian/<file> serves
// Debian's Fashion-MNIST, anything else is 404.
const files: Record<string, Buffer> = { 'small.gz': idxGz };
let server: Server;
let base: string;

function cutOff(response: ServerResponse, body: Buffer) {
  response.writeHead(200, { 'content-length': String(body.length) });
  response.write(body.subarray(0, body.length >> 1), () => response.socket?.destroy());
}

beforeAll(async () => {
  server = createServer((request, response) => {
    const [, route, name] = (request.url ?? '').split('/');
    const body = route === 'debian' ? (hasDebian ? readFileSync(join(debian, name)) : undefined) : route === 'ok' || route === 'cut' ? files[name] : undefined;
    if (!body) { response.writeHead(404).end(); return; }
    if (route === 'cut') cutOff(response, body);
    else response.writeHead(200, { 'content-length': String(body.length) }).end(body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const closed = createServer();
  await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((done) => closed.close(done));
  return port;
}

afterAll(() => new Promise<void>((done) => server.close(() => done())));

describe('downloadVerified', () => {
  it('saves the file when the file hash matches, leaving no temp file', async () => {
    await withTempDir(async (dir) => {
      const dest = join(dir, 'cache', 'small.gz');
      const lines: string[] = [];
      await downloadVerified(`${base}/ok/small.gz`, dest, { sha256: sha256(idxGz), hashOf: 'file', log: (l) => lines.push(l) });
      expect((await readFile(dest)).equals(idxGz)).toBe(true);
      expect(await readdir(join(dir, 'cache'))).toEqual(['small.gz']);
      expect(lines.join('\n')).toContain('downloading');
    });
  });

  it('can verify the gunzipped content instead of the .gz bytes', async () => {
    await withTempDir(async (dir) => {
      const dest = join(dir, 'small.gz');
      await downloadVerified(`${base}/ok/small.gz`, dest, { sha256: sha256(idxContent), hashOf: 'gunzipped' });
      expect(existsSync(dest)).toBe(true);
    });
  });

  it('rejects a bad checksum and keeps nothing', async () => {
    await withTempDir(async (dir) => {
      const error = await rejection(downloadVerified(`${base}/ok/small.gz`, join(dir, 'small.gz'), { sha256: '0'.repeat(64), hashOf: 'file' }));
      expect(error).toBeInstanceOf(DataError);
      expect(error).not.toBeInstanceOf(DownloadUnavailableError);
      expect(error.message).toMatch(/checksum mismatch.*0{64}, found [0-9a-f]{64}/);
      expect(await readdir(dir)).toEqual([]);
    });
  });

  it('rejects a cut-off transfer and keeps nothing', async () => {
    await withTempDir(async (dir) => {
      const error = await rejection(downloadVerified(`${base}/cut/small.gz`, join(dir, 'small.gz'), { sha256: sha256(idxGz), hashOf: 'file' }));
      expect(error).toBeInstanceOf(DataError);
      expect(error.message).toMatch(/cut off/);
      expect(await readdir(dir)).toEqual([]);
    });
  });

  it('reports an unreachable server or HTTP error as DownloadUnavailableError', async () => {
    await withTempDir(async (dir) => {
      const missing = await rejection(downloadVerified(`${base}/ok/nope.gz`, join(dir, 'x'), { sha256: '', hashOf: 'file' }));
      expect(missing).toBeInstanceOf(DownloadUnavailableError);
      expect(missing.message).toContain('HTTP 404');
      const port = await closedPort();
      const refused = await rejection(downloadVerified(`http://127.0.0.1:${port}/x.gz`, join(dir, 'x'), { sha256: '', hashOf: 'file' }));
      expect(refused).toBeInstanceOf(DownloadUnavailableError);
      expect(refused.message).toContain('ECONNREFUSED');
      expect(await readdir(dir)).toEqual([]);
    });
  });
});

describe('fashion_mnist download path', () => {
  const ds: FashionMnistDataset = { ...common(), name: 'fm', source: 'fashion_mnist', path: null };
  const input = { name: 'image', shape: [28, 28], dtype: 'float32' as const };

  it.skipIf(!hasDebian)('downloads, verifies and caches all four files when no folder has them', async () => {
    await withTempDir(async (dir) => {
      const env = { NNC_CACHE_DIR: join(dir, 'cache'), NNC_FASHION_MNIST_URL: `${base}/debian` };
      const data = await loadDataset(ds, input, { specDir: dir, seed: 1, fashionSearch: { env, standardDirs: [] } });
      expect([data.train.size, data.test?.size]).toEqual([60000, 10000]);
      expect(data.description).toContain(join(dir, 'cache', 'fashion-mnist'));
      expect((await readdir(join(dir, 'cache', 'fashion-mnist'))).sort()).toEqual([
        't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz', 'train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz',
      ]);
      tfDispose(data);
    });
  });

  it('refuses files whose content does not match the official checksums, caching nothing', async () => {
    await withTempDir(async (dir) => {
      for (const name of ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']) files[name] = idxGz;
      const env = { NNC_CACHE_DIR: join(dir, 'cache'), NNC_FASHION_MNIST_URL: `${base}/ok`, NNC_EMBEDDED_DATA: resolve('specs/data/fashion-mnist-mini') };
      const error = await rejection(loadDataset(ds, input, { specDir: dir, seed: 1, fashionSearch: { env, standardDirs: [] } }));
      expect(error).toBeInstanceOf(DataError);
      expect(error.message).toMatch(/train-images-idx3-ubyte\.gz: checksum mismatch/);
      await mkdir(join(dir, 'cache', 'fashion-mnist'), { recursive: true });
      expect(await readdir(join(dir, 'cache', 'fashion-mnist'))).toEqual([]);
    });
  });

  it('falls back to the embedded subset, loudly, when the server is unreachable', async () => {
    await withTempDir(async (dir) => {
      const env = { NNC_CACHE_DIR: join(dir, 'cache'), NNC_FASHION_MNIST_URL: `http://127.0.0.1:${await closedPort()}/`, NNC_EMBEDDED_DATA: resolve('specs/data/fashion-mnist-mini') };
      const lines: string[] = [];
      const data = await loadDataset({ ...ds, validation: 0.1 }, input, { specDir: dir, seed: 1, log: (l) => lines.push(l), fashionSearch: { env, standardDirs: [] } });
      expect([data.train.size, data.validation?.size, data.test?.size]).toEqual([1800, 200, 500]);
      expect(data.description).toContain('EMBEDDED SUBSET');
      expect(lines.some((l) => l.startsWith('WARNING') && l.includes('SUBSET'))).toBe(true);
      tfDispose(data);
      const noSubset = await rejection(loadDataset(ds, input, { specDir: dir, seed: 1, fashionSearch: { env: { ...env, NNC_EMBEDDED_DATA: join(dir, 'none') }, standardDirs: [] } }));
      expect(noSubset.message).toMatch(/Fashion-MNIST not found: searched .*no embedded subset at/);
    });
  });

  it('searches --data-dir before NNC_DATA_DIR, each directly or in a fashion-mnist subfolder', async () => {
    const mini = resolve('specs/data/fashion-mnist-mini');
    const root = resolve('specs/data');  // holds fashion-mnist-mini, not fashion-mnist: no match there
    const fromEnv = await loadDataset(ds, input, { specDir: '/nonexistent', seed: 1, fashionSearch: { env: { NNC_DATA_DIR: mini }, standardDirs: [] } });
    expect(fromEnv.description).toBe(`fashion_mnist from ${mini} (2000 train, 0 validation, 500 test)`);
    tfDispose(fromEnv);
    await withTempDir(async (dir) => {
      const { symlink } = await import('node:fs/promises');
      await symlink(mini, join(dir, 'fashion-mnist'));
      const fromDataDir = await loadDataset(ds, input, { specDir: '/nonexistent', dataDir: dir, seed: 1, fashionSearch: { env: { NNC_DATA_DIR: root }, standardDirs: [] } });
      expect(fromDataDir.description).toContain(`from ${join(dir, 'fashion-mnist')} (`);
      tfDispose(fromDataDir);
      const wrongDataDir = await rejection(loadDataset(ds, input, { specDir: '/nonexistent', dataDir: root, seed: 1, fashionSearch: { env: { NNC_DATA_DIR: mini }, standardDirs: [] } }));
      expect(wrongDataDir.message).toContain(`${root}: --data-dir does not hold the Fashion-MNIST files`);
    });
  });

  it('an explicit path without the files is an error, not a silent search elsewhere', async () => {
    await withTempDir(async (dir) => {
      const error = await rejection(loadDataset({ ...ds, path: 'nowhere' }, input, { specDir: dir, seed: 1 }));
      expect(error).toBeInstanceOf(DataError);
      expect(error.message).toContain(join(dir, 'nowhere'));
    });
  });
});

function tfDispose(data: Awaited<ReturnType<typeof loadDataset>>) {
  for (const split of [data.train, data.validation, data.test]) { split?.x.dispose(); split?.y.dispose(); }
}
