// An editor nobody here wrote: Neovim's built-in LSP client, headless, attaches `nnc lsp` to a spec; the test reads
// back the diagnostics it shows and a hover, then fixes the line and sees the diagnostics go.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './client.js';

const spec = `model Net {
  input image: [28, 28, 1]
  conv2d(16, kernel: 5, activation: relu)
  max_pool2d(2)
  flatten
  dense(10, activation: softmax)
}

dataset fashion = fashion_mnist { normalize: scale(1/255) }

train Net on fashion { loss: sparse_categorical_crossentropy, optimizer: adamm }
`;

const hasNvim = spawnSync('nvim', ['--version']).status === 0;

describe.skipIf(!hasNvim && !process.env.CI)('Neovim with nnc lsp', () => {
  it('shows nnc check\'s diagnostics and a layer hover, and clears them when the line is fixed', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nnc-nvim-'));
    const file = path.join(dir, 'net.nn');
    const out = path.join(dir, 'result.json');
    writeFileSync(file, spec);
    const r = spawnSync('nvim', ['--headless', '--clean', '-n', '-i', 'NONE', '-u', path.join(__dirname, 'neovim.lua')], {
      cwd: dir, encoding: 'utf8', timeout: 90_000,
      env: {
        ...process.env, NNC_SPEC: file, NNC_OUT: out, NNC_BIN: path.join(root, 'bin', 'nnc'),
        NNC_HOVER_LINE: '2', NNC_HOVER_COL: '4', NNC_FIX_LINE: '10',
        NNC_FIX_TEXT: 'train Net on fashion { loss: sparse_categorical_crossentropy, optimizer: adam }',
      },
    });
    expect(r.error).toBeUndefined();
    const seen = JSON.parse(readFileSync(out, 'utf8'));
    expect(seen.got_diagnostics).toBe(true);
    const at = spec.split('\n')[10].indexOf('adamm');
    expect(seen.diagnostics).toEqual([{
      lnum: 10, col: at, end_lnum: 10, end_col: at + 5, code: 'NN2005', severity: 1,
      message: expect.stringMatching(/^unknown optimizer `adamm`\nhelp: did you mean `adam(ax)?`\?$/),
    }]);
    // Shapes of the model stay known while the train line is wrong.
    expect(seen.hover).toContain('`[28, 28, 1]` -> `[24, 24, 16]`');
    expect(seen.hover).toContain('height: floor((28 - 5) / 1) + 1 = 24');
    expect(seen.hover).toContain('params: 416 (trainable 416, non-trainable 0)');
    expect(seen.cleared).toBe(true);
    expect(seen.after_fix).toEqual([]);
  });
});
