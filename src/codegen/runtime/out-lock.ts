// One writer per output folder: a trainer holds `<out>/.nnc-lock` (pid, process start time, host) while it runs.
// Without it, trainers sharing an --out delete each other's temporary folders as a dead writer's leftovers.
// A lock whose process is gone, or whose pid now belongs to a process started at another time, is stale.
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';

export class OutputLockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputLockError';
  }
}

export const LOCK_FILE = '.nnc-lock';

interface LockInfo { pid: number; start: string | null; host: string; since: string }

/** The kernel's start time of `pid` (Linux /proc, clock ticks since boot); null where it cannot be read. */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22; the command name (field 2) is parenthesized and may hold spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(file: string): LockInfo | null {
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
    return Number.isInteger(info.pid) ? info : null;
  } catch {
    return null;
  }
}

/** Whether the lock's owner is certainly gone. Locks from other hosts are never judged stale. */
function lockIsStale(info: LockInfo | null): boolean {
  if (info === null) return true; // unreadable: written with link(), so never half-written by a live writer
  if (info.host !== hostname()) return false;
  if (!alive(info.pid)) return true;
  const start = processStart(info.pid);
  return info.start !== null && start !== null && start !== info.start;
}

export interface OutputLock { file: string; release(): void }

/** Takes the lock on `outDir` (which must exist) or throws OutputLockError naming the trainer that holds it. */
export function acquireOutputLock(outDir: string): OutputLock {
  const file = path.join(outDir, LOCK_FILE);
  const info: LockInfo = { pid: process.pid, start: processStart(process.pid), host: hostname(), since: new Date().toISOString() };
  const content = JSON.stringify(info);
  const tmp = `${file}.${process.pid}`;
  writeFileSync(tmp, content);
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(tmp, file); // atomic; fails when the lock exists
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const holder = readLock(file);
      if (!lockIsStale(holder)) {
        throw new OutputLockError(`${outDir} is in use by another trainer (pid ${holder!.pid}, running since ${holder!.since}); ` +
          'wait for it to finish or give this one another --out');
      }
      breakStaleLock(file, holder);
      if (attempt === 4) throw new OutputLockError(`${outDir}: cannot take the lock ${file}`);
    }
  } finally {
    unlinkSync(tmp);
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    // Only our own lock: a stale-lock breaker may have replaced it.
    if (readLock(file)?.pid === process.pid) try { unlinkSync(file); } catch { /* already gone */ }
  };
  process.on('exit', release);
  return { file, release };
}

/** Moves a stale lock aside; puts it back when another process replaced it meanwhile by a live one. */
function breakStaleLock(file: string, stale: LockInfo | null): void {
  const aside = `${file}.stale-${process.pid}`;
  try { renameSync(file, aside); } catch { return; }
  const moved = readLock(aside);
  if (JSON.stringify(moved) !== JSON.stringify(stale)) {
    try { linkSync(aside, file); } catch { /* a third writer holds it now */ }
  }
  unlinkSync(aside);
}
