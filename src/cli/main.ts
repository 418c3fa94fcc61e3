// The `nnc` command line. Exit codes: 0 clean, 1 diagnostics with errors, 2 usage or I/O errors.
import { printable } from '../codegen/runtime/printable.js';
import { readSpecFile, realSpecPath } from './read-spec.js';
import { parseArgs } from 'node:util';
import { checkCommand } from './check.js';
import { UsageError } from './files.js';

export const VERSION = '0.1.0';

const usage = `nnc ${VERSION} - compiler for .nn neural-network specs

usage:
  nnc check <files, folders or globs...> [--format text|json|sarif] [--quiet] [--max-errors N] [--deny-warnings]
  nnc summary <spec.nn> [--format text|json]
  nnc compile <spec.nn> [-o generated/] [--target tfjs-node]
  nnc spec <spec.nn>            print the normalized spec as JSON
  nnc fmt [--check] <files, folders or globs...>   rewrite in the canonical layout (--check: only list, exit 1)
  nnc lsp                       the language server, over stdio (for editors)

options:
  --format       output format (default text)
  --quiet        print only errors and the final count
  --max-errors   stop reporting after N errors
  --deny-warnings  warnings fail the run too
  --no-color     plain text even on a terminal
  -h, --help     this help
  -v, --version  the version`;

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  isTTY: boolean;
  readFile: (file: string) => string;
  /** Canonical path of a file (symlinks resolved), for import cycle detection. */
  realPath?: (file: string) => string;
}

// Nothing here may touch process.stdout before main runs: the startup snapshot (src/cli/snapshot.ts) evaluates this
// module while it is being built, and the terminal then is not the user's.
const defaultIo: Io = {
  out: (s) => process.stdout.write(s + '\n'),
  err: (s) => process.stderr.write(s + '\n'),
  get isTTY() {
    return Boolean(process.stdout.isTTY);
  },
  readFile: readSpecFile,
  realPath: realSpecPath,
};

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string' }, quiet: { type: 'boolean' }, 'max-errors': { type: 'string' },
        'deny-warnings': { type: 'boolean' }, 'no-color': { type: 'boolean' }, out: { type: 'string', short: 'o' },
        target: { type: 'string' }, check: { type: 'boolean' }, stdio: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (e) {
    io.err(`error: ${(e as Error).message}\n\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    io.out(VERSION);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    (command || values.help ? io.out : io.err)(usage);
    return values.help ? 0 : 2;
  }
  try {
    switch (command) {
      case 'check':
        return checkCommand(rest, values, io);
      case 'summary':
        return (await import('./summary.js')).summaryCommand(rest, values, io);
      case 'compile':
        return (await import('./compile.js')).compileCommand(rest, values, io);
      case 'spec':
        return (await import('./spec.js')).specCommand(rest, io);
      case 'fmt':
        return (await import('./fmt.js')).fmtCommand(rest, values, io);
      case 'lsp':
        return (await loadLanguageServer()).lspCommand();
      default:
        throw new UsageError(`unknown command ${command}; expected check, summary, compile, spec, fmt or lsp`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`error: ${printable(e.message)}`);
      return 2;
    }
    throw e;
  }
}

/**
 * The language server is a bundle of its own, dist/nnc-lsp.cjs (src/tools/build.ts), so that `nnc check` neither
 * loads nor snapshots it; from the TypeScript sources it is its module. The specifier is a variable so that esbuild
 * leaves it out of this bundle.
 */
async function loadLanguageServer(): Promise<typeof import('../lsp/server.js')> {
  if (import.meta.url.endsWith('.cjs')) {
    const { createRequire } = process.getBuiltinModule('node:module') as typeof import('node:module');
    try {
      return createRequire(import.meta.url)('./nnc-lsp.cjs') as typeof import('../lsp/server.js');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
      throw new UsageError('the language server bundle (dist/nnc-lsp.cjs) is missing; run npm run build');
    }
  }
  const sources = '../lsp/server.js';
  return (await import(sources)) as typeof import('../lsp/server.js');
}

/** How the process was started, which NNC_DEBUG reports: from the startup snapshot, the bundle or the TypeScript sources. */
export type StartedFrom = 'snapshot' | 'bundle' | 'sources';

/** `main` for a process: an internal error becomes one line (its stack only with NNC_DEBUG) and exit code 2. */
export async function runProcess(argv: string[], startedFrom: StartedFrom): Promise<number> {
  if (process.env.NNC_DEBUG) process.stderr.write(`nnc: started from the ${startedFrom}\n`);
  try {
    return await main(argv);
  } catch (e) {
    const error = e as Error | undefined;
    process.stderr.write(`error: internal compiler error: ${error?.message ?? e}\n`);
    if (process.env.NNC_DEBUG) process.stderr.write(`${error?.stack}\n`);
    return 2;
  }
}
