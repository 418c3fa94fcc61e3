// Training progress output. On a TTY: one progress bar per epoch, redrawn in place (at most ~10 times a second),
// replaced by the epoch summary line at epoch end. Otherwise: one summary line per epoch. Quiet: errors only.

import { printable } from './printable.js';

export interface ProgressOptions {
  quiet: boolean;
  /** Where lines go; when given, no in-place redrawing happens. Default: stdout (errors: stderr). */
  log?: (line: string) => void;
  /** Defaults to process.stdout.isTTY when `log` is not given. */
  tty?: boolean;
  totalEpochs: number;
  samplesPerEpoch: number;
}

const REDRAW_MS = 100;
const BAR_WIDTH = 24;

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e5)) return value.toExponential(2);
  return value.toFixed(abs >= 100 ? 1 : 3);
}

export function formatRate(samplesPerSecond: number): string {
  return `${Math.round(samplesPerSecond).toLocaleString('en-US')} samples/s`;
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - m * 60);
  return m < 60 ? `${m}m${String(s).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** `loss 0.412 - acc 0.851 - val_loss ...` in a stable order: training keys, then val_ keys; lr last. */
export function formatLogs(logs: Record<string, number>, includeLr: boolean): string {
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
    this.tty = !options.quiet && options.log === undefined && (options.tty ?? Boolean(process.stdout.isTTY));
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
    const line = `epoch ${epoch + 1}/${this.options.totalEpochs} [${bar}] ${samplesDone}/${total} - ${formatLogs(logs, false)}` +
      ` - ${formatRate(rate)} - ETA ${formatDuration(eta)}`;
    const columns = process.stdout.columns ?? 120;
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
