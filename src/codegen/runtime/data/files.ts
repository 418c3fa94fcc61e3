// Data files are checked before they are opened: a missing file, a folder, a FIFO (which would block forever), a
// character device such as /dev/zero (which never ends) or an unreadable file is one clear DataError naming the
// file and what the dataset wanted it for, never a stack trace from deep inside a stream.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { DataFileError } from './errors.js';

function kind(s: Awaited<ReturnType<typeof stat>>): string {
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Checks that `path` is a readable regular file; `what` names it in messages (e.g. "the CSV file"). */
export async function checkDataFile(path: string, what: string): Promise<void> {
  let s;
  try {
    s = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataFileError(`${path}: ${what} does not exist`, path);
    if (code === 'ENOTDIR') throw new DataFileError(`${path}: ${what} does not exist (a part of the path is a file)`, path);
    if (code === 'EACCES') throw new DataFileError(`${path}: cannot read ${what} (permission denied)`, path);
    throw new DataFileError(`${path}: cannot read ${what} (${code ?? (error as Error).message})`, path);
  }
  if (s.isDirectory()) throw new DataFileError(`${path}: ${what} is a folder, expected a file`, path);
  if (!s.isFile()) throw new DataFileError(`${path}: ${what} is ${kind(s)}, expected a regular file`, path);
  try {
    await access(path, constants.R_OK);
  } catch {
    throw new DataFileError(`${path}: cannot read ${what} (permission denied)`, path);
  }
}
