// Command-line options of a generated train.ts. parseTrainArgs throws CliError with a one-line message for bad
// input; the caller prints it with the usage hint and exits with code 2.

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
  /** --help was given: the caller prints trainUsage() and exits 0. */
  help: boolean;
}

export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

type Kind = 'positive-int' | 'non-negative-int' | 'string' | 'flag';
const OPTIONS: Record<string, { key: keyof TrainCliOptions; kind: Kind; help: string }> = {
  '--epochs': { key: 'epochs', kind: 'positive-int', help: 'number of epochs (overrides the spec)' },
  '--batch-size': { key: 'batchSize', kind: 'positive-int', help: 'batch size (overrides the spec)' },
  '--data-dir': { key: 'dataDir', kind: 'string', help: 'folder to read the dataset from' },
  '--out': { key: 'out', kind: 'string', help: 'output folder (model, checkpoint, report)' },
  '--backend': { key: 'backend', kind: 'string', help: 'tfjs backend: cpu, wasm, or tensorflow (tfjs-node)' },
  '--resume': { key: 'resume', kind: 'flag', help: 'continue from <out>/checkpoint/ if it exists' },
  '--seed': { key: 'seed', kind: 'non-negative-int', help: 'random seed (overrides the spec)' },
  '--quiet': { key: 'quiet', kind: 'flag', help: 'print nothing but errors' },
  '--limit': { key: 'limit', kind: 'positive-int', help: 'use at most this many training samples' },
  '--help': { key: 'help', kind: 'flag', help: 'show this help' },
};

export function trainUsage(program = 'train.ts', defaults?: { out: string }): string {
  const lines = [`usage: npx tsx ${program} [options]`, '', 'options:'];
  for (const [flag, o] of Object.entries(OPTIONS)) {
    const arg = o.kind === 'flag' ? '' : o.kind === 'string' ? ' <path>' : ' <n>';
    const dflt = flag === '--out' && defaults ? ` (default: ${defaults.out})` : '';
    lines.push(`  ${(flag + arg).padEnd(20)} ${o.help}${dflt}`);
  }
  return lines.join('\n');
}

function parseValue(flag: string, kind: Kind, raw: string): number | string {
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
export function parseTrainArgs(argv: string[], defaults: { out: string }): TrainCliOptions {
  const options: TrainCliOptions = { out: defaults.out, resume: false, quiet: false, help: false };
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new CliError(`unexpected argument '${arg}' (options start with --; see --help)`);
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    const spec = OPTIONS[flag];
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
    record[spec.key] = parseValue(flag, spec.kind, raw);
  }
  return options;
}
