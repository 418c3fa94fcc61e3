// Fixture builders for the data-loader tests. The IDX writer here is independent of the implementation's.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatasetCommon } from '../../src/codegen/runtime/spec-types.js';

/** Big-endian IDX bytes: magic 00 00 <type> <rank>, dims, body. */
export function idxBytes(dims: number[], body: Uint8Array, typeCode = 0x08): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = typeCode;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(body)]);
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'nnc-data-test-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const common = (overrides: Partial<DatasetCommon> = {}): DatasetCommon => ({
  name: 'ds', normalize: { type: 'none' }, validation: 0, test: 0, shuffle: false, augment: null, limit: null, ...overrides,
});

/** The error `promise` rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}
