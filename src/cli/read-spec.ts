// How the command line reads spec files (the checked file and its imports): regular files only. /dev/zero would be
// read until memory runs out and a FIFO would block forever, so anything else is refused with what it is.
import { readFileSync, realpathSync, statSync } from 'node:fs';

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
  return readFileSync(file, 'utf8');
}

/** The canonical path (symlinks resolved), so that import cycles through symlinked folders are seen. */
export function realSpecPath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}
