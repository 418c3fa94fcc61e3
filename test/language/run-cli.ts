// Runs the `nnc` command line in-process and captures what it prints.
import { readFileSync } from 'node:fs';
import { main, type Io } from '../../src/cli/main.js';

export async function nnc(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (s) => (out += s + '\n'), err: (s) => (err += s + '\n'), isTTY: false, readFile: (f) => readFileSync(f, 'utf8') };
  const code = await main(args, io);
  return { code, out, err };
}
