// Training progress output. Bar mode (a TTY): one progress bar per epoch on stdout, redrawn in place (at most ~10
// times a second), replaced by the epoch summary line at epoch end. Plain mode: one summary line per epoch.
// Quiet: errors only.

import { stdoutIsTTY, terminalColumns } from './interrupt.js';

/** `auto`: a bar when stdout is a TTY (as the main thread sees it: training runs in a worker), else plain lines. */
export type ProgressMode = 'auto' | 'bar' | 'plain';
export const PROGRESS_MODES: readonly ProgressMode[] = ['auto', 'bar', 'plain'];

import { printable } from './printable.js';

interface ProgressOptions {
  quiet: boolean;
  /** Where lines go. Default: stdout (errors: stderr). The bar itself is always drawn on stdout. */
  log?: (line: string) => void;
  /** Default `auto` without `log`, `plain` with it (a caller collecting lines gets no escape codes). */
  mode?: ProgressMode;
  totalEpochs: number;
  samplesPerEpoch: number;
}

/** Whether a bar is drawn: never when quiet, always for `bar`, on a TTY for `auto`. */
export function drawsBar(mode: ProgressMode, quiet: boolean, isTTY = stdoutIsTTY()): boolean {
  return !quiet && (mode === 'bar' || (mode === 'auto' && isTTY));
}

const REDRAW_MS = 100;
const BAR_WIDTH = 24;

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e5)) return value.toExponential(2);
  return value.toFixed(abs >= 100 ? 1 : 3);
}

function formatRate(samplesPerSecond: number): string {
  return `${Math.round(samplesPerSecond).toLocaleString('en-US')} samples/s`;
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - m * 60);
  return m < 60 ? `${m}m${String(s).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** `loss 0.412 - acc 0.851 - val_loss ...` in a stable order: training keys, then val_ keys; lr last. */
function formatLogs(logs: Record<string, number>, includeLr: boolean): string {
  const keys = Object.keys(logs).filter((k) => k !== 'lr');
  const ordered = [...keys.filter((k) => !k.startsWith('val_')), ...keys.filter((k) => k.startsWith('val_'))];
  const parts = ordered.map((k) => `${k} ${formatNumber(logs[k])}`);
  if (includeLr && 'lr' in logs) parts.push(`lr ${logs.lr.toExponential(2)}`);
  return parts.join(' - ');
}

export function formatEpochLine(epoch: number, totalEpochs: number, logs: Record<string, number>, samplesPerSecond: number, seconds: number, includeLr: boolean): string {
  const metrics = formatLogs(logs, includeLr);
  return `epoch ${epoch + 1}/${totalEpochs}${metrics ? ` - ${metrics}` : ''} - ${formatRate(samplesPerSecond)} - ${formatDuration(seconds)}`;
}

export class ProgressReporter {
  private readonly tty: boolean;
  private lastDraw = 0;
  private barShown = false;

  constructor(private readonly options: ProgressOptions) {
    this.tty = drawsBar(options.mode ?? (options.log ? 'plain' : 'auto'), options.quiet);
  }

  /** Informational line (suppressed when quiet). */
  info(line: string): void {
    if (this.options.quiet) return;
    this.clearBar();
    if (this.options.log) this.options.log(printable(line));
    else process.stdout.write(printable(line) + '\n');
  }

  /** Error line: always shown. */
  error(line: string): void {
    this.clearBar();
    if (this.options.log) this.options.log(printable(line));
    else process.stderr.write(printable(line) + '\n');
  }

  /** At the start of an epoch (or where a resumed one continues): the bar is on screen before the first batch ends. */
  epochStart(epoch: number, samplesDone: number): void {
    this.lastDraw = 0;
    this.batch(epoch, samplesDone, 0, 0, {});
  }

  /** After each batch; cheap unless a redraw is due. */
  batch(epoch: number, samplesDone: number, samplesThisRun: number, elapsedSeconds: number, logs: Record<string, number>): void {
    if (!this.tty) return;
    const now = performance.now();
    const total = this.options.samplesPerEpoch;
    if (now - this.lastDraw < REDRAW_MS && samplesDone < total) return;
    this.lastDraw = now;
    const fraction = total > 0 ? samplesDone / total : 1;
    const filled = Math.round(fraction * BAR_WIDTH);
    const rate = elapsedSeconds > 0 ? samplesThisRun / elapsedSeconds : 0;
    const eta = rate > 0 ? (total - samplesDone) / rate : 0;
    const bar = '='.repeat(Math.max(0, filled - 1)) + (filled > 0 ? '>' : '') + '.'.repeat(BAR_WIDTH - filled);
    const metrics = formatLogs(logs, false);
    const line = `epoch ${epoch + 1}/${this.options.totalEpochs} [${bar}] ${samplesDone}/${total}${metrics ? ` - ${metrics}` : ''}` +
      ` - ${rate > 0 ? formatRate(rate) : '- samples/s'} - ETA ${rate > 0 ? formatDuration(eta) : '?'}`;
    // The width the main thread sees (training runs in a worker); a pseudo-terminal without a size reports 0.
    const columns = terminalColumns() || 120;
    process.stdout.write(`\r${line.slice(0, Math.max(20, columns - 1))}\x1b[K`);
    this.barShown = true;
  }

  epochEnd(epoch: number, logs: Record<string, number>, samplesPerSecond: number, seconds: number, includeLr: boolean): void {
    this.info(formatEpochLine(epoch, this.options.totalEpochs, logs, samplesPerSecond, seconds, includeLr));
  }

  private clearBar(): void {
    if (!this.barShown) return;
    process.stdout.write('\r\x1b[K');
    this.barShown = false;
  }
}

/** The run's last line: what was trained, how fast, in how long since the process started, and where it went. */
export function closingLine(
  run: { epochsRun: number; epochSeconds: number[]; samplesPerSecond: number | null; stopReason?: string },
  modelDir: string, reportFile: string | null,
): string {
  const stopped = run.stopReason ? ` (stopped: ${run.stopReason.replace('_', ' ')})` : '';
  const rate = run.samplesPerSecond === null ? '' : `, ${formatRate(run.samplesPerSecond)}`;
  return `done: ${run.epochsRun} epoch${run.epochsRun === 1 ? '' : 's'}${stopped} in ${formatDuration(performance.now() / 1000)}` +
    ` (${run.epochSeconds.length} trained now${rate}) - model: ${modelDir}${reportFile ? ` - report: ${reportFile}` : ''}`;
}
