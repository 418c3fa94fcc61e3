// Turns command-line arguments (files, folders, simple globs) into a sorted list of .nn files.
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

export class UsageError extends Error {}

function walk(dir: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read folder ${dir}: ${code === 'EACCES' ? 'permission denied' : code ?? (e as Error).message}`);
  }
  for (const entry of entries) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (entry.name.endsWith('.nn')) out.push(full);
  }
}

function globToRegExp(glob: string): RegExp {
  const re = glob
    .split('/')
    .map((part) => (part === '**' ? '(?:.*/)?' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') + '/'))
    .join('')
    .replace(/\(\?:\.\*\/\)\?\//g, '(?:.*/)?')
    .replace(/\/$/, '');
  return new RegExp('^' + re + '$');
}

/** Files as given, folders searched for *.nn, and `*`, `?`, `**` globs (quoted, so the shell leaves them). */
export function expandInputs(inputs: string[]): string[] {
  const out: string[] = [];
  for (const input of inputs) {
    if (/[*?]/.test(input)) {
      const base = input.split('/').findIndex((p) => /[*?]/.test(p));
      const root = input.split('/').slice(0, base).join('/') || '.';
      const candidates: string[] = [];
      walk(root, candidates);
      const re = globToRegExp(path.normalize(input));
      const matched = candidates.filter((f) => re.test(path.normalize(f)));
      if (matched.length === 0) throw new UsageError(`no file matches ${input}`);
      out.push(...matched);
      continue;
    }
    let stat;
    try {
      stat = statSync(input);
    } catch {
      throw new UsageError(`cannot read ${input}: no such file or directory`);
    }
    if (stat.isDirectory()) {
      const found: string[] = [];
      walk(input, found);
      if (found.length === 0) throw new UsageError(`no .nn files in ${input}`);
      out.push(...found.sort());
    } else out.push(input);
  }
  return [...new Set(out)];
}
