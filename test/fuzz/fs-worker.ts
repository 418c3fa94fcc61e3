// A child process that runs fuzz cases through the command line's `main` with the real file system (the same reads
// `nnc` makes: regular files only, real paths for cycles), one case per message from its parent, from the fixture
// root as its working folder. It judges each run: an exception out of `main`, an internal compiler error, a stack
// trace in the output, an exit code other than 0/1/2 or JSON output that does not parse are crashes. The parent
// times each case and kills this process when one hangs. Started by test/fuzz/fs-runner.ts.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { main } from '../../src/cli/main.js';
import { readSpecFile, realSpecPath } from '../../src/cli/read-spec.js';
import type { FsCase } from './fs-cases.js';

export interface FsOutcome {
  code: number | null; failure: string | null; ms: number; outBytes: number;
  /** The start of what was printed (stdout, then stderr). */
  output?: string;
}

const STACK_LINE = /^\s+at .+(:\d+:\d+\)?|\(native\)|\(<anonymous>\))$/m;

/** What is wrong with one run's result, or null. */
export function judge(argv: string[], code: number | null, out: string, err: string): string | null {
  const all = `${out}\n${err}`;
  if (code === null) return 'no exit code';
  if (![0, 1, 2].includes(code)) return `exit code ${code}`;
  if (/internal compiler error/.test(all)) return `internal compiler error: ${err.slice(0, 300)}`;
  const stack = STACK_LINE.exec(all);
  if (stack) return `stack trace in the output: ${stack[0].trim().slice(0, 200)}`;
  if (argv.includes('json') || argv.includes('sarif')) {
    if (code !== 2) {
      try {
        JSON.parse(out);
      } catch {
        return `--format ${argv.includes('json') ? 'json' : 'sarif'} printed something that is not JSON: ${out.slice(0, 200)}`;
      }
    }
  }
  return null;
}

async function runCase(c: FsCase, outDir: string): Promise<FsOutcome> {
  if (c.spec) {
    mkdirSync(path.dirname(c.spec.file), { recursive: true });
    writeFileSync(c.spec.file, c.spec.text);
  }
  const argv = c.argv.map((a) => (a === 'OUT' ? outDir : a));
  let out = '';
  let err = '';
  const start = performance.now();
  let code: number | null = null;
  let failure: string | null = null;
  try {
    code = await main(argv, {
      out: (s) => { out += s + '\n'; }, err: (s) => { err += s + '\n'; }, isTTY: false,
      readFile: readSpecFile, realPath: realSpecPath,
    });
  } catch (e) {
    failure = `uncaught ${(e as Error)?.name}: ${(e as Error)?.message ?? e}`.slice(0, 500);
  }
  const ms = performance.now() - start;
  failure ??= judge(argv, code, out, err);
  return { code, failure, ms, outBytes: out.length + err.length, output: `${out}${err}`.slice(0, 4000) };
}

// Only when forked as the worker (fs-runner.ts sets it): test runners' own children have process.send too.
if (process.send && process.env.NNC_FUZZ_FS_WORKER === '1') {
  const root = process.argv[2];
  process.chdir(root);
  const outDir = path.join(root, `out-${process.pid}`);
  let current = 'no case';
  const report = (what: string) => (e: unknown) => {
    process.send!({ fatal: `${what} during ${current}: ${(e as Error)?.stack ?? e}`.slice(0, 800) });
    process.exit(70);
  };
  process.on('uncaughtException', report('uncaught exception'));
  process.on('unhandledRejection', report('unhandled rejection'));
  process.on('message', (c: FsCase) => {
    current = c.description;
    void runCase(c, outDir).then((outcome) => process.send!(outcome), report('worker failure'));
  });
  process.send({ ready: true });
}
