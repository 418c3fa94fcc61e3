// How the command line reads spec files (the checked file and its imports): regular files only. /dev/zero would be
// read until memory runs out and a FIFO would block forever, so anything else is refused with what it is. A regular
// file is read up to MAX_SPEC_BYTES and no further, so a 3 GiB file (or a /proc file that says it is empty) costs
// at most that much memory.
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';

/** The largest spec file read: a spec of a million labels or 100,000 layers is a few MiB. */
export const MAX_SPEC_BYTES = 64 * 1024 * 1024;

export class NotRegularFileError extends Error {
  readonly code = 'ENOTREG';
}

function kind(s: ReturnType<typeof statSync>): string {
  if (!s) return 'missing';
  if (s.isDirectory()) return 'a folder';
  if (s.isFIFO()) return 'a FIFO (named pipe), not a regular file';
  if (s.isCharacterDevice()) return 'a character device, not a regular file';
  if (s.isBlockDevice()) return 'a block device, not a regular file';
  if (s.isSocket()) return 'a socket, not a regular file';
  return 'not a regular file';
}

export function readSpecFile(file: string): string {
  const s = statSync(file); // ENOENT and friends propagate with their codes
  if (!s.isFile()) {
    if (s.isDirectory()) throw Object.assign(new Error(`${file}: it is a folder`), { code: 'EISDIR' });
    throw new NotRegularFileError(`it is ${kind(s)}`);
  }
  return readBounded(file, s.size);
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

const tooLarge = (what: string) => new NotRegularFileError(`${what} more than the ${mib(MAX_SPEC_BYTES)} a spec file may be`);

/** Reads at most MAX_SPEC_BYTES of a regular file (checked again on the open descriptor), as UTF-8. */
function readBounded(file: string, size: number): string {
  if (size > MAX_SPEC_BYTES) throw tooLarge(`it is ${mib(size)},`);
  // O_NONBLOCK: should the file have been swapped for a FIFO since the stat, opening it does not block.
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new NotRegularFileError('it is not a regular file');
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, MAX_SPEC_BYTES + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > MAX_SPEC_BYTES) throw tooLarge(`it said ${size} bytes but holds`);
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The canonical path (symlinks resolved), so that import cycles through symlinked folders are seen. */
export function realSpecPath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}
