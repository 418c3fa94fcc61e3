// bin/nnc, the installed command: it starts Node from the startup snapshot (dist/nnc.blob) and must behave exactly
// like bin/nnc.js, which runs the bundle; and it must fall back to bin/nnc.js whenever the snapshot cannot be used,
// mending the snapshot on the way. NNC_DEBUG makes either say how it started.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '..', '..');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Run {
  const env = { ...process.env, NODE_OPTIONS: undefined, NNC_REBUILD_SNAPSHOT: undefined, ...options.env };
  const r = spawnSync(command, args, { cwd: options.cwd ?? repo, env, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const launcher = (args: string[], options?: Parameters<typeof run>[2]) => run(path.join(repo, 'bin/nnc'), args, options);
const bundle = (args: string[], options?: Parameters<typeof run>[2]) => run('node', [path.join(repo, 'bin/nnc.js'), ...args], options);
const startedFrom = (r: Run) => /nnc: started from the (\w+)/.exec(r.stderr)?.[1];

describe('bin/nnc from the startup snapshot', () => {
  it('is built by npm run build', () => {
    expect(existsSync(path.join(repo, 'dist/nnc.blob'))).toBe(true);
    expect(startedFrom(launcher(['--version'], { env: { NNC_DEBUG: '1' } }))).toBe('snapshot');
    expect(startedFrom(bundle(['--version'], { env: { NNC_DEBUG: '1' } }))).toBe('bundle');
  });

  const sameAsBundle: Array<[string, string[]]> = [
    ['clean specs', ['check', 'specs/']],
    ['bad specs, text', ['check', 'test/fixtures/check/']],
    ['bad specs, json', ['check', 'test/fixtures/check/', '--format', 'json']],
    ['bad specs, sarif', ['check', 'test/fixtures/check/', '--format', 'sarif', '--max-errors', '5']],
    ['a spec with imports', ['check', 'test/fixtures/imports/']],
    ['summary', ['summary', 'specs/fruits_cnn.nn']],
    ['the normalized spec', ['spec', 'specs/iris_csv.nn']],
    ['flags before the command', ['--format', 'json', 'check', 'specs/iris_csv.nn']],
    ['version', ['--version']],
    ['help', ['-h']],
    ['an unknown command', ['frobnicate']],
    ['a missing file', ['check', 'nope.nn']],
    ['a bad flag', ['check', '--max-errors', 'x', 'specs/']],
  ];
  it.each(sameAsBundle)('prints and exits like bin/nnc.js: %s', (_, args) => {
    const fromSnapshot = launcher(args);
    const fromBundle = bundle(args);
    expect(fromSnapshot).toEqual(fromBundle);
    expect(fromSnapshot.stderr).not.toMatch(/\n\s+at /);
  });

  it('starts Node without NODE_EXTRA_CA_CERTS, which it would read and parse for nothing', () => {
    // Node warns when the file cannot be loaded: the warning shows whether it tried.
    const env = { NODE_EXTRA_CA_CERTS: path.join(repo, 'no-such-ca-bundle.pem') };
    expect(bundle(['--version'], { env }).stderr).toContain('Ignoring extra certs');
    expect(launcher(['--version'], { env }).stderr).not.toContain('Ignoring extra certs');
    const fallback = launcher(['--version'], { env: { ...env, NODE_OPTIONS: '--max-old-space-size=512', NNC_DEBUG: '1' } });
    expect(startedFrom(fallback)).toBe('bundle');
    expect(fallback.stderr).not.toContain('Ignoring extra certs');
  });

  it('exits 1 on errors, and reads paths from where it is started, not where it was built', () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'nnc-cwd-'));
    try {
      const spec = path.join(repo, 'test/fixtures/check/argument_typo.nn');
      const r = launcher(['check', spec], { cwd });
      expect(r.status).toBe(1);
      expect(r.stdout).toContain(`--> ${spec}:4:13`);
      expect(r).toEqual(bundle(['check', spec], { cwd }));
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describe('bin/nnc in a package moved after its build, linked as npm links it', () => {
  let root: string;
  let linked: string;
  let blob: string;
  beforeAll(() => {
    // A space in the path checks the launcher's quoting.
    root = path.join(mkdtempSync(path.join(tmpdir(), 'nnc-launcher-')), 'moved package');
    for (const part of ['bin', 'dist', 'src/codegen']) cpSync(path.join(repo, part), path.join(root, part), { recursive: true });
    symlinkSync(path.join(repo, 'node_modules'), path.join(root, 'node_modules'));
    mkdirSync(path.join(root, 'node_modules-bin'));
    linked = path.join(root, 'node_modules-bin', 'nnc');
    symlinkSync('../bin/nnc', linked);
    blob = path.join(root, 'dist/nnc.blob');
  });
  afterAll(() => rmSync(path.dirname(root), { recursive: true, force: true }));

  const runLinked = (args: string[], env: Record<string, string | undefined> = {}) => run(linked, args, { env: { NNC_DEBUG: '1', ...env } });
  const check = ['check', path.join(repo, 'test/fixtures/check/dropout_rate_too_high.nn')];

  it('starts from its snapshot and compiles with its own templates and packages', () => {
    // A mark in the moved package's template shows which templates were read.
    const template = path.join(root, 'src/codegen/templates/model.ts.hbs');
    writeFileSync(template, readFileSync(template, 'utf8') + '// moved package\n');
    const out = path.join(root, 'out');
    const spec = path.join(repo, 'specs/fruits_cnn.nn');
    const r = runLinked(['compile', spec, '-o', path.join(out, 'a')]);
    expect(startedFrom(r)).toBe('snapshot');
    expect(r.status).toBe(0);
    expect(run('node', [path.join(root, 'bin/nnc.js'), 'compile', spec, '-o', path.join(out, 'b')]).status).toBe(0);
    expect(readFileSync(path.join(out, 'a/fruits_cnn/model.ts'), 'utf8')).toContain('// moved package');
    const files = readdirSync(path.join(out, 'a'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) {
      const rel = path.relative(path.join(out, 'a'), path.join(f.parentPath, f.name));
      expect(readFileSync(path.join(out, 'a', rel), 'utf8'), rel).toBe(readFileSync(path.join(out, 'b', rel), 'utf8'));
    }
  });

  it('runs bin/nnc.js when NODE_OPTIONS is set, and leaves the snapshot alone', () => {
    const before = statSync(blob).mtimeMs;
    const r = runLinked(check, { NODE_OPTIONS: '--max-old-space-size=512' });
    expect(startedFrom(r)).toBe('bundle');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('error[NN2004]');
    expect(statSync(blob).mtimeMs).toBe(before);
  });

  it('runs bin/nnc.js when the snapshot is older than node, and makes a new one', () => {
    utimesSync(blob, new Date('2000-01-01'), new Date('2000-01-01'));
    const stale = runLinked(check);
    expect(startedFrom(stale)).toBe('bundle');
    expect(stale.status).toBe(1);
    expect(stale.stdout).toContain('error[NN2004]');
    expect(statSync(blob).mtime.getFullYear()).toBeGreaterThan(2000);
    const next = runLinked(check);
    expect(startedFrom(next)).toBe('snapshot');
    expect(next.stdout).toBe(stale.stdout);
  });

  it('runs bin/nnc.js when node refuses the snapshot, and makes a new one', () => {
    // Node refuses a snapshot built under other V8 flags, as it does one built by another Node version.
    const build = spawnSync('node', ['--max-semi-space-size=64', '--snapshot-blob', blob, '--build-snapshot', path.join(root, 'dist/nnc-snapshot.cjs')], { encoding: 'utf8' });
    expect(build.status).toBe(0);
    const refused = runLinked(check);
    expect(refused.stderr).toContain('Failed to load the startup snapshot');
    expect(startedFrom(refused)).toBe('bundle');
    expect(refused.status).toBe(1);
    expect(refused.stdout).toContain('error[NN2004]');
    const next = runLinked(check);
    expect(next.stderr).not.toContain('Failed to load the startup snapshot');
    expect(startedFrom(next)).toBe('snapshot');
    expect(next.stdout).toBe(refused.stdout);
  });

  it('runs bin/nnc.js when there is no snapshot', () => {
    rmSync(blob);
    const r = runLinked(check);
    expect(startedFrom(r)).toBe('bundle');
    expect(r.status).toBe(1);
    expect(existsSync(blob)).toBe(false);
  });
});
