// Ctrl-C within one batch, also under `npx tsx train.ts`. A batch is synchronous work on the main thread, and
// tsx's parent process SIGKILLs its child when the child has not acknowledged a SIGINT within ~30 ms, so the
// training runs in a worker thread: the main thread stays idle, answers at once, and passes the interrupt on
// through shared memory, which the training loop reads before every batch.
import { isMainThread, Worker, workerData } from 'node:worker_threads';

const FLAG = 'nncInterruptFlag';
const TTY = 'nncStdoutIsTTY';

export const INTERRUPTED_EXIT_CODE = 130;
/** SIGINTs this close to the first count as the same Ctrl-C. */
const REPEAT_WINDOW_MS = 1000;

/** Inside the training thread: whether the main thread has seen a Ctrl-C. Always false outside a worker. */
export function interruptRequested(): () => boolean {
  const shared = (workerData as Record<string, unknown> | null)?.[FLAG];
  if (!(shared instanceof SharedArrayBuffer)) return () => false;
  const flag = new Int32Array(shared);
  return () => Atomics.load(flag, 0) !== 0;
}

/**
 * The terminal's width in columns as the main thread sees it, kept current as the terminal is resized (a worker's
 * stdout is a pipe, with no width of its own); 0 when unknown, e.g. a pseudo-terminal without a size.
 */
export function terminalColumns(): number {
  if (isMainThread) return process.stdout.columns || 0;
  const shared = (workerData as Record<string, unknown> | null)?.[FLAG];
  return shared instanceof SharedArrayBuffer && shared.byteLength >= 8 ? Atomics.load(new Int32Array(shared), 1) : 0;
}

/** Whether this thread is a training worker started by runInWorker (it runs the trainer's main()). */
export function isTrainingWorker(): boolean {
  return !isMainThread && (workerData as Record<string, unknown> | null)?.[FLAG] instanceof SharedArrayBuffer;
}

/** process.stdout.isTTY as the main thread sees it (a worker's stdout is a pipe). */
export function stdoutIsTTY(): boolean {
  if (isMainThread) return Boolean(process.stdout.isTTY);
  return Boolean((workerData as Record<string, unknown> | null)?.[TTY]);
}

/** Whether this thread should hand the run to a worker: the main thread, unless NNC_TRAIN_THREAD=main. */
export function shouldRunInWorker(): boolean {
  return isMainThread && process.env.NNC_TRAIN_THREAD !== 'main';
}

/**
 * Runs the module `file` again in a worker thread with `argv` and resolves to its exit code. The first SIGINT
 * asks the worker to stop after its batch (it checkpoints and exits 130); a second, a second or more later,
 * exits at once with 130,
 * leaving the last complete checkpoint (checkpoints are swapped in atomically).
 */
export function runInWorker(file: URL, argv: string[]): Promise<number> {
  // [0]: the interrupt flag; [1]: the terminal's columns, updated on every resize (SIGWINCH reaches the main thread only).
  const shared = new SharedArrayBuffer(8);
  const flag = new Int32Array(shared);
  const data = { [FLAG]: shared, [TTY]: Boolean(process.stdout.isTTY) };
  const onResize = () => Atomics.store(flag, 1, process.stdout.columns || 0);
  onResize();
  if (process.stdout.isTTY) process.stdout.on('resize', onResize);
  // Node 20 does not run tsx's --import loader in workers: a TypeScript entry registers tsx's API first.
  const worker = file.pathname.endsWith('.ts')
    ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(file.href)}); })`,
      { eval: true, argv, workerData: data })
    : new Worker(file, { argv, workerData: data });
  let first: number | null = null;
  const onSigint = () => {
    // One Ctrl-C under `npx tsx` arrives up to three times: from the terminal, forwarded by npx, relayed by tsx.
    if (first !== null && performance.now() - first < REPEAT_WINDOW_MS) return;
    if (first === null) {
      first = performance.now();
      Atomics.store(flag, 0, 1);
      process.stderr.write('interrupt: finishing the current batch and saving a checkpoint (Ctrl-C again to quit at once)\n');
      return;
    }
    process.stderr.write('interrupt: quitting now; the last complete checkpoint is kept\n');
    process.exit(INTERRUPTED_EXIT_CODE);
  };
  process.on('SIGINT', onSigint);
  return new Promise((resolve, reject) => {
    worker.on('error', reject);
    worker.on('exit', (code) => {
      process.off('SIGINT', onSigint);
      process.stdout.off('resize', onResize);
      resolve(code);
    });
  });
}
