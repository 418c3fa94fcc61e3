// Command-line options of a generated train.ts. parseTrainArgs throws CliError with a one-line message for bad
// input; the caller prints it with the usage hint and exits with code 2.
import { PROGRESS_MODES, type ProgressMode } from './progress.js';

export interface TrainCliOptions {
  epochs?: number;
  batchSize?: number;
  dataDir?: string;
  out: string;
  backend?: string;
  resume: boolean;
  seed?: number;
  quiet: boolean;
  limit?: number;
  /** evaluate.ts: the saved model's folder. */
  model?: string;
  /** How training progress is shown: a live bar on a TTY (`auto`), always a bar, or one line per epoch. */
  progress: ProgressMode;
  /** Paths given by the dataset's own flags (e.g. --train-file), by the spec property they replace. */
  datasetPaths?: Record<string, string>;
  /** --help was given: the caller prints trainUsage() and exits 0. */
  help: boolean;
}

export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

type Kind = 'positive-int' | 'non-negative-int' | 'string' | 'flag' | 'progress';
const OPTIONS: Record<string, { key: keyof TrainCliOptions; kind: Kind; help: string; arg?: string }> = {
  '--epochs': { key: 'epochs', kind: 'positive-int', help: 'number of epochs (overrides the spec)' },
  '--batch-size': { key: 'batchSize', kind: 'positive-int', help: 'batch size (overrides the spec)' },
  '--data-dir': { key: 'dataDir', kind: 'string', arg: 'dir', help: 'where the data is (default: $NNC_DATA_DIR, else the spec\'s folder)' },
  '--out': { key: 'out', kind: 'string', help: 'output folder (model, checkpoint, report)' },
  '--backend': { key: 'backend', kind: 'string', arg: 'name', help: 'tfjs backend: cpu, wasm, or tensorflow (tfjs-node)' },
  '--resume': { key: 'resume', kind: 'flag', help: 'continue from <out>/checkpoint/ if it exists' },
  '--seed': { key: 'seed', kind: 'non-negative-int', help: 'random seed (overrides the spec)' },
  '--quiet': { key: 'quiet', kind: 'flag', help: 'print nothing but errors' },
  '--progress': { key: 'progress', kind: 'progress', help: 'auto (a live bar on a terminal), bar, or plain (one line per epoch)' },
  '--limit': { key: 'limit', kind: 'positive-int', help: 'use at most n samples of each split (train, validation, test)' },
  '--model': { key: 'model', kind: 'string', arg: 'dir', help: 'the saved model folder (default: <out>/model)' },
  '--help': { key: 'help', kind: 'flag', help: 'show this help' },
};

/**
 * Flags that give one of a dataset's files or folders directly, by source, with the spec property each replaces.
 * `--data-dir` instead moves the folder the spec's relative paths resolve against (for fashion_mnist: the folder
 * holding its four files).
 */
export const DATASET_PATH_FLAGS: Record<string, Record<string, { property: string; help: string; arg: string }>> = {
  fashion_mnist: {},
  idx: {
    '--train-images': { property: 'train_images', arg: 'file', help: 'training images IDX file (spec: train_images)' },
    '--train-labels': { property: 'train_labels', arg: 'file', help: 'training labels IDX file (spec: train_labels)' },
    '--test-images': { property: 'test_images', arg: 'file', help: 'test images IDX file (spec: test_images)' },
    '--test-labels': { property: 'test_labels', arg: 'file', help: 'test labels IDX file (spec: test_labels)' },
  },
  csv: {
    '--train-file': { property: 'train', arg: 'file', help: 'training CSV file (the spec\'s csv("..."))' },
    '--test-file': { property: 'test_path', arg: 'file', help: 'test CSV file (spec: test)' },
  },
  image_folder: {
    '--train-dir': { property: 'train', arg: 'dir', help: 'training image folder (the spec\'s image_folder("..."))' },
    '--test-dir': { property: 'test_path', arg: 'dir', help: 'test image folder (spec: test)' },
    '--validation-dir': { property: 'validation_path', arg: 'dir', help: 'validation image folder (spec: validation)' },
  },
};

/** The dataset flag that sets a spec property, e.g. `train` of a CSV dataset -> `--train-file`. */
export function datasetFlagFor(source: string, property: string): string | null {
  return Object.entries(DATASET_PATH_FLAGS[source] ?? {}).find(([, f]) => f.property === property)?.[0] ?? null;
}

export interface UsageDefaults {
  out: string;
  source?: string;
  /** The options this program takes (default: train.ts's). */
  flags?: readonly string[];
}

export const TRAIN_FLAGS: readonly string[] = [
  '--epochs', '--batch-size', '--data-dir', '--out', '--backend', '--resume', '--seed', '--quiet', '--progress', '--limit', '--help',
];
export const EVALUATE_FLAGS: readonly string[] = ['--model', '--data-dir', '--out', '--backend', '--limit', '--quiet', '--help'];

const allowed = (defaults: UsageDefaults | undefined, flag: string) => (defaults?.flags ?? TRAIN_FLAGS).includes(flag);

export function trainUsage(program = 'train.ts', defaults?: UsageDefaults): string {
  const lines = [`usage: npx tsx ${program} [options]`, '', 'options:'];
  const argOf = (o: { kind: Kind; arg?: string }) =>
    o.kind === 'flag' ? '' : o.kind === 'progress' ? ' <mode>' : o.kind === 'string' ? ` <${o.arg ?? 'path'}>` : ' <n>';
  for (const [flag, o] of Object.entries(OPTIONS)) {
    if (!allowed(defaults, flag)) continue;
    const dflt = flag === '--out' && defaults ? ` (default: ${defaults.out})` : '';
    lines.push(`  ${(flag + argOf(o)).padEnd(22)} ${o.help}${dflt}`);
  }
  for (const [flag, o] of Object.entries(DATASET_PATH_FLAGS[defaults?.source ?? ''] ?? {})) {
    lines.push(`  ${`${flag} <${o.arg}>`.padEnd(22)} ${o.help}`);
  }
  return lines.join('\n');
}

function parseValue(flag: string, kind: Kind, raw: string): number | string {
  if (kind === 'progress') {
    if (!(PROGRESS_MODES as readonly string[]).includes(raw)) throw new CliError(`${flag}: expected one of ${PROGRESS_MODES.join(', ')}, got '${raw}'`);
    return raw;
  }
  if (kind === 'string') {
    if (raw === '') throw new CliError(`${flag}: expected a value, got an empty string`);
    return raw;
  }
  if (!/^\d+$/.test(raw)) throw new CliError(`${flag}: expected a ${kind === 'positive-int' ? 'positive' : 'non-negative'} integer, got '${raw}'`);
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new CliError(`${flag}: ${raw} is too large`);
  if (kind === 'positive-int' && value === 0) throw new CliError(`${flag}: expected a positive integer, got 0`);
  return value;
}

/** Parses `process.argv.slice(2)`. Accepts `--flag value` and `--flag=value`. */
export function parseTrainArgs(argv: string[], defaults: UsageDefaults): TrainCliOptions {
  const options: TrainCliOptions = { out: defaults.out, resume: false, quiet: false, progress: 'auto', help: false };
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new CliError(`unexpected argument '${arg}' (options start with --; see --help)`);
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    const datasetFlag = DATASET_PATH_FLAGS[defaults.source ?? '']?.[flag];
    const spec = (allowed(defaults, flag) ? OPTIONS[flag] : undefined) ?? (datasetFlag ? { key: 'datasetPaths' as const, kind: 'string' as const } : undefined);
    if (!spec) throw new CliError(`unknown option '${flag}' (see --help)`);
    if (seen.has(flag)) throw new CliError(`option '${flag}' given twice`);
    seen.add(flag);
    const record = options as unknown as Record<string, unknown>;
    if (spec.kind === 'flag') {
      if (eq >= 0) throw new CliError(`${flag} takes no value`);
      record[spec.key] = true;
      continue;
    }
    let raw: string;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else {
      if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) throw new CliError(`${flag}: missing value`);
      raw = argv[++i];
    }
    const value = parseValue(flag, spec.kind, raw);
    if (datasetFlag) options.datasetPaths = { ...options.datasetPaths, [datasetFlag.property]: String(value) };
    else record[spec.key] = value;
  }
  return options;
}
