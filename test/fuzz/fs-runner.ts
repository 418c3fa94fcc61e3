// Runs real-file-system fuzz cases with a time limit each: in a forked worker (fs-worker.ts, `main` of the CLI) that
// is killed and replaced when a case hangs or the process dies, or as a real `bin/nnc` process.
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { FsCase } from './fs-cases.js';
import { judge, type FsOutcome } from './fs-worker.js';

const WORKER = path.resolve('test/fuzz/fs-worker.ts');

export class FsRunner {
  private child: ChildProcess | null = null;
  private ready: Promise<void> | null = null;
  /** Workers started (1 + one per hang or death). */
  starts = 0;

  constructor(private readonly root: string, private readonly limitMs: number) {}

  private start(): Promise<void> {
    this.starts++;
    // stdin is a pipe nobody writes: a case that reads /dev/stdin would hang, and be seen.
    const child = fork(WORKER, [this.root], { env: { ...process.env, NNC_FUZZ_FS_WORKER: '1' }, execArgv: ['--import', 'tsx'], stdio: ['pipe', 'ignore', 'inherit', 'ipc'] });
    this.child = child;
    return new Promise((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`fuzz worker exited with ${code} before it was ready`)));
    });
  }

  async run(c: FsCase): Promise<FsOutcome> {
    this.ready ??= this.start();
    await this.ready;
    const child = this.child!;
    const started = performance.now();
    return new Promise<FsOutcome>((resolve) => {
      const done = (outcome: FsOutcome, restart: boolean) => {
        clearTimeout(timer);
        child.removeAllListeners('message');
        child.removeAllListeners('exit');
        if (restart) {
          child.kill('SIGKILL');
          this.ready = null;
        }
        resolve(outcome);
      };
      const timer = setTimeout(() => done({ code: null, failure: `hang: no result after ${this.limitMs} ms`, ms: performance.now() - started, outBytes: 0 }, true), this.limitMs);
      child.on('message', (m: FsOutcome & { fatal?: string }) => {
        if (m.fatal) done({ code: null, failure: m.fatal, ms: performance.now() - started, outBytes: 0 }, true);
        else done(m, false);
      });
      child.once('exit', (code, signal) => done({ code: null, failure: `worker died (${signal ?? `exit ${code}`})`, ms: performance.now() - started, outBytes: 0 }, true));
      child.send(c);
    });
  }

  close(): void {
    this.child?.kill('SIGKILL');
    this.child = null;
    this.ready = null;
  }
}

/** One case through `bin/nnc` as a user starts it (a fresh process; killed at the limit). */
export function runAsProcess(c: FsCase, root: string, limitMs: number): FsOutcome {
  if (c.spec) {
    mkdirSync(path.join(root, path.dirname(c.spec.file)), { recursive: true });
    writeFileSync(path.join(root, c.spec.file), c.spec.text);
  }
  const argv = c.argv.map((a) => (a === 'OUT' ? path.join(root, 'out-process') : a));
  const started = performance.now();
  const r = spawnSync(path.resolve('bin/nnc'), argv, { cwd: root, encoding: 'utf8', timeout: limitMs, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - started;
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return { code: null, failure: `hang: bin/nnc ran past ${limitMs} ms`, ms, outBytes: 0 };
  if (r.error) return { code: null, failure: `bin/nnc could not run: ${r.error.message}`, ms, outBytes: 0 };
  if (r.signal) return { code: null, failure: `bin/nnc killed by ${r.signal}: ${r.stderr.slice(-300)}`, ms, outBytes: 0 };
  return { code: r.status, failure: judge(argv, r.status, r.stdout, r.stderr), ms, outBytes: r.stdout.length + r.stderr.length };
}
