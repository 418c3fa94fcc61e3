// Fuzz cases whose imports, data paths and command-line arguments resolve on the real file system: a fixture folder
// of special files (FIFO, sockets, /dev/zero-like character devices, folders, unreadable and endless files),
// symlink loops, symlinked folders that lead back to themselves, import chains thousands deep and a sparse file
// far bigger than any spec, named by relative and absolute paths, mixed into the existing spec mutations.
// Shared by bench/fuzz-fs.ts (10,000 cases) and test/fuzz/fs.test.ts (a few, and every target once).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { mutatedSpec, splitTokens } from './arbitraries.js';
import type { FuzzInput } from './harness.js';

/** One run of the command line: argv relative to the fixture root (the worker's cwd), and the spec it writes first. */
export interface FsCase {
  argv: string[];
  /** Written to `file` (relative to the root) before the run; null when the argument is a fixture target itself. */
  spec: { file: string; text: string } | null;
  /** Short, printable, for reports. */
  description: string;
}

const VALID = 'model Lib {\n  input x: [4]\n  dense(3, activation: softmax)\n}\n';
/** Chain lengths in the fixture: chainN/c0.nn imports c1.nn ... up to c(N-1).nn. */
export const CHAINS = [1_000, 3_000, 10_000];
/** A sparse file of this many bytes: a spec must not be read whole past the size bound. */
const HUGE_BYTES = 3 * 1024 * 1024 * 1024;

/**
 * Targets by name (relative to the root); each is also used absolute. `weight` steers how often cases use it:
 * the deep chains are slow (10,000 files read and parsed), so they are rarer.
 */
export const TARGETS: { path: string; what: string; weight: number; importOnly?: boolean }[] = [
  { path: 'lib.nn', what: 'a valid spec', weight: 6 },
  { path: 'self.nn', what: 'a spec importing itself', weight: 2 },
  { path: 'cycle-a.nn', what: 'a two-file cycle', weight: 2 },
  { path: 'fifo.nn', what: 'a FIFO', weight: 4 },
  { path: 'zero.nn', what: 'a symlink to /dev/zero', weight: 4 },
  { path: '/dev/zero', what: '/dev/zero', weight: 2 },
  { path: '/dev/urandom', what: '/dev/urandom', weight: 2 },
  { path: 'null.nn', what: 'a symlink to /dev/null', weight: 2 },
  { path: '/dev/stdin', what: '/dev/stdin', weight: 2 },
  { path: 'sock.nn', what: 'a Unix socket', weight: 2 },
  { path: 'folder.nn', what: 'a folder named like a spec', weight: 3 },
  { path: 'tree', what: 'a folder of specs, special files among them', weight: 2 },
  { path: '/', what: 'the root folder', weight: 1, importOnly: true },
  { path: '/proc/1', what: 'a /proc folder (unreadable parts)', weight: 1 },
  { path: 'unreadable.nn', what: 'a file with mode 000', weight: 2 },
  { path: 'mem.nn', what: 'a symlink to /proc/self/mem (a regular file that cannot be read)', weight: 2 },
  { path: '/proc/self/status', what: 'a /proc file (size 0, has content)', weight: 1 },
  { path: 'huge.nn', what: 'a 3 GiB sparse file', weight: 1 },
  { path: 'loop-a.nn', what: 'a symlink loop (a -> b -> a)', weight: 3 },
  { path: 'selfloop.nn', what: 'a symlink to itself', weight: 2 },
  { path: 'dangling.nn', what: 'a dangling symlink', weight: 2 },
  { path: 'linkdir/linkdir/linkdir/lib.nn', what: 'a symlinked folder pointing at its own folder', weight: 2 },
  { path: 'up/back/up/back/cycle-link.nn', what: 'a cycle through a symlinked folder', weight: 2 },
  { path: 'missing.nn', what: 'a missing file', weight: 2 },
  { path: 'lib.nn/x.nn', what: 'a path through a file', weight: 1 },
  { path: `${'deep/'.repeat(900)}x.nn`, what: 'a path past PATH_MAX', weight: 1 },
  { path: `${'n'.repeat(300)}.nn`, what: 'a name past NAME_MAX', weight: 1 },
  { path: 'x\u0000y.nn', what: 'a path holding NUL', weight: 1 },
  { path: '', what: 'an empty path', weight: 1 },
  { path: '/etc/passwd', what: 'a system file that is not a spec', weight: 1 },
  { path: 'chain1000/c0.nn', what: 'an import chain 1,000 deep', weight: 1 },
  { path: 'chain3000/c0.nn', what: 'an import chain 3,000 deep', weight: 0.5 },
  { path: 'chain10000/c0.nn', what: 'an import chain 10,000 deep', weight: 0.1 },
  { path: 'abschain/c0.nn', what: 'an import chain 1,000 deep by absolute paths', weight: 0.5 },
];

/** Makes the fixture under `root` (idempotent: kept between runs, made again when `root/.complete` is missing). */
export function makeFixture(root: string, { chains = CHAINS, absChain = 1_000 } = {}): void {
  const done = path.join(root, `.complete-v2-${chains.join('-')}-${absChain}`);
  if (existsSync(done)) return;
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const at = (p: string) => path.join(root, p);
  writeFileSync(at('lib.nn'), VALID);
  writeFileSync(at('self.nn'), 'import "self.nn"\n' + VALID.replace('Lib', 'Self'));
  writeFileSync(at('cycle-a.nn'), 'import "cycle-b.nn"\nmodel A {\n  input x: [2]\n  dense(1)\n}\n');
  writeFileSync(at('cycle-b.nn'), 'import "cycle-a.nn"\n');
  execFileSync('mkfifo', [at('fifo.nn')]);
  symlinkSync('/dev/zero', at('zero.nn'));
  symlinkSync('/dev/null', at('null.nn'));
  // A socket file stays after its creator exits.
  execFileSync('python3', ['-c', `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(at('sock.nn'))})`]);
  mkdirSync(at('folder.nn'));
  writeFileSync(at('unreadable.nn'), VALID.replace('Lib', 'Hidden'));
  chmodSync(at('unreadable.nn'), 0o000);
  symlinkSync('/proc/self/mem', at('mem.nn'));
  writeFileSync(at('huge.nn'), 'model Huge {\n');
  truncateSync(at('huge.nn'), HUGE_BYTES);
  symlinkSync('loop-b.nn', at('loop-a.nn'));
  symlinkSync('loop-a.nn', at('loop-b.nn'));
  symlinkSync('selfloop.nn', at('selfloop.nn'));
  symlinkSync('nowhere/at/all.nn', at('dangling.nn'));
  symlinkSync('.', at('linkdir'));
  mkdirSync(at('up'));
  symlinkSync('..', at('up/back'));
  writeFileSync(at('cycle-link.nn'), 'import "up/back/cycle-link.nn"\n' + VALID.replace('Lib', 'Linked'));
  for (const n of chains) {
    mkdirSync(at(`chain${n}`));
    for (let i = 0; i < n; i++) {
      const next = i < n - 1 ? `import "c${i + 1}.nn"\n` : '';
      writeFileSync(at(`chain${n}/c${i}.nn`), `${next}model M${i} {\n  input x: [4]\n  dense(${1 + (i % 7)})\n}\n`);
    }
  }
  mkdirSync(at('abschain'));
  for (let i = 0; i < absChain; i++) {
    const next = i < absChain - 1 ? `import ${JSON.stringify(at(`abschain/c${i + 1}.nn`))}\n` : '';
    writeFileSync(at(`abschain/c${i}.nn`), `${next}model A${i} {\n  input x: [2]\n  dense(2)\n}\n`);
  }
  symlinkSync(path.resolve('specs/data'), at('data'));
  // A folder given to `nnc check`: two specs, and special files with spec names.
  mkdirSync(at('tree/sub'), { recursive: true });
  writeFileSync(at('tree/a.nn'), VALID);
  writeFileSync(at('tree/sub/b.nn'), 'import "../a.nn"\nimport "../../fifo.nn"\n');
  execFileSync('mkfifo', [at('tree/sub/pipe.nn')]);
  symlinkSync('loop.nn', at('tree/loop.nn'));
  symlinkSync('..', at('tree/sub/parent'));
  writeFileSync(done, '');
}

/** A target as a case names it: as listed, absolute, or relative to a spec `depth` folders below the root. */
function nameTarget(target: string, form: 'relative' | 'absolute', depth: number, root: string): string {
  if (path.isAbsolute(target) || target === '') return target;
  return form === 'absolute' ? path.join(root, target) : '../'.repeat(depth) + target;
}

const quoted = (p: string) => JSON.stringify(p);

const targetOf = (targets: typeof TARGETS) => fc.oneof(...targets.map((t) => ({ weight: Math.max(1, Math.round(t.weight * 10)), arbitrary: fc.constant(t) })))
  .chain((t) => fc.constantFrom<'relative' | 'absolute'>('relative', 'absolute').map((form) => ({ t, form })));
const target = targetOf(TARGETS);
/** `nnc check /` would walk the whole disk: the root folder is only imported. */
const argTarget = targetOf(TARGETS.filter((t) => !t.importOnly));

const command = fc.constantFrom<[string, ...string[]]>(
  ['check'], ['check'], ['check', '--format', 'json'], ['check', '--format', 'sarif'], ['summary'], ['summary', '--format', 'json'], ['spec'], ['compile', '-o', 'OUT'],
);

/**
 * Every case: a mutated real spec whose imports or string literals (import and data paths) name fixture targets,
 * written one or two folders deep or at the root; or a fixture target given straight on the command line.
 */
export function fsCase(seeds: FuzzInput[], root: string): fc.Arbitrary<FsCase> {
  const withTargets = fc.record({
    input: mutatedSpec(seeds, false),
    depth: fc.constantFrom(0, 0, 1, 2),
    imports: fc.array(fc.tuple(target, fc.nat()), { minLength: 0, maxLength: 3 }),
    strings: fc.array(fc.tuple(target, fc.nat()), { minLength: 0, maxLength: 2 }),
    argForm: fc.constantFrom<'relative' | 'absolute'>('relative', 'absolute'),
    command,
  }).filter(({ imports, strings }) => imports.length + strings.length > 0).map(({ input, depth, imports, strings, argForm, command: cmd }): FsCase => {
    let parts = splitTokens(input.text);
    for (const [{ t, form }, at] of strings) {
      const literals = parts.flatMap((p, k) => (p.startsWith('"') ? [k] : []));
      if (literals.length) parts[literals[at % literals.length]] = quoted(nameTarget(t.path, form, depth, root));
    }
    for (const [{ t, form }, at] of imports) {
      const line = `import ${quoted(nameTarget(t.path, form, depth, root))}\n`;
      const index = at % 3 === 0 ? 0 : at % (parts.length + 1);
      parts = [...parts.slice(0, index), line, ...parts.slice(index)];
    }
    const file = path.join(...Array.from({ length: depth }, (_, i) => `d${i}`), 'case.nn');
    const arg = argForm === 'absolute' ? path.join(root, file) : file;
    const names = [...strings, ...imports].map(([{ t, form }]) => `${t.what} (${form})`);
    return { argv: [cmd[0], arg, ...cmd.slice(1)], spec: { file, text: parts.join('') }, description: `${cmd.join(' ')} of a mutated ${path.basename(input.file)} at depth ${depth} naming ${names.join(', ')}` };
  });
  const direct = fc.tuple(argTarget, command).map(([{ t, form }, cmd]): FsCase => ({
    argv: [cmd[0], nameTarget(t.path, form, 0, root), ...cmd.slice(1)], spec: null, description: `${cmd.join(' ')} of ${t.what} (${form})`,
  }));
  return fc.oneof({ weight: 5, arbitrary: withTargets }, { weight: 1, arbitrary: direct });
}

/** Every target once, as an import of a valid spec and as the command-line argument, relative and absolute. */
export function everyTargetCases(root: string, targets = TARGETS): FsCase[] {
  return targets.flatMap((t) => (['relative', 'absolute'] as const).flatMap((form): FsCase[] => [
    { argv: ['check', 'case.nn'], spec: { file: 'case.nn', text: `import ${quoted(nameTarget(t.path, form, 0, root))}\n${VALID.replace('Lib', 'Case')}` }, description: `import of ${t.what} (${form})` },
    { argv: ['check', nameTarget(t.path, form, 0, root)], spec: null, description: `check of ${t.what} (${form})` },
  ]));
}
