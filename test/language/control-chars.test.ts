// Strings from a spec reach the terminal with control characters escaped: an ESC sequence in a class name or a
// layer name can neither retitle the terminal nor fake CI output, in nnc's diagnostics and summaries alike.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { printable } from '../../src/codegen/runtime/printable.js';
import { ProgressReporter } from '../../src/codegen/runtime/progress.js';
import { nnc } from './run-cli.js';

const ESC = '\u001b';
const TITLE = `${ESC}]0;owned\u0007`;
const FAKE = `${ESC}[2K${ESC}[1G::error::all tests passed`;

function specFile(text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'nnc-ctrl-')), 'ctrl.nn');
  writeFileSync(file, text);
  return file;
}

const SPEC = (weightKey: string, layerName: string) => `
model M {
  input x: [4]
  labels: ["a", "b"]
  dense(2, activation: softmax, name: "${layerName}")
}
dataset d = csv("d.csv") { label: "y" }
train M on d { loss: sparse_categorical_crossentropy, optimizer: adam(0.01), class_weights: { "${weightKey}": 2 } }
`;

describe('control characters from a spec', () => {
  it('printable escapes C0/C1 controls, DEL, separators and bidi overrides, and keeps plain text', () => {
    expect(printable(`a${TITLE}b`)).toBe('a\\x1b]0;owned\\x07b');
    expect(printable('tab\there\nline', 'lines')).toBe('tab\there\nline');
    expect(printable('tab\there\nline', 'tabs')).toBe('tab\there\\x0aline');
    expect(printable('x\u202ey\u2028z\u009b\u007f', 'none')).toBe('x\\u202ey\\u2028z\\x9b\\x7f');
    expect(printable('naïve – ünïcode 😀')).toBe('naïve – ünïcode 😀');
  });

  it('nnc check quotes names and source lines escaped, with the caret still under the span', async () => {
    const file = specFile(SPEC(TITLE, 'ok'));
    const r = await nnc('check', file);
    expect(r.code).toBe(1);
    expect(r.out).not.toContain(ESC);
    expect(r.out).not.toContain('\u0007');
    expect(r.out).toContain('\\x1b]0;owned\\x07');
    const lines = r.out.split('\n');
    const quoted = lines.findIndex((l) => /^\d+ \|.*class_weights/.test(l));
    expect(quoted, r.out).toBeGreaterThan(0);
    const caretColumn = lines[quoted + 1].indexOf('^');
    expect(lines[quoted].slice(caretColumn)).toMatch(/^"\\x1b\]0;owned\\x07"/);
  });

  it('nnc summary prints layer names escaped', async () => {
    const file = specFile(SPEC('a', FAKE));
    const r = await nnc('summary', file);
    expect(r.out + r.err).not.toContain(ESC);
  });

  it("the trainer's progress and error lines escape class names from the data", () => {
    const lines: string[] = [];
    const reporter = new ProgressReporter({ quiet: false, log: (l) => lines.push(l), totalEpochs: 1, samplesPerEpoch: 1 });
    reporter.info(`label ${TITLE}`);
    reporter.error(`error: ${FAKE}`);
    expect(lines).toEqual(['label \\x1b]0;owned\\x07', 'error: \\x1b[2K\\x1b[1G::error::all tests passed']);
  });
});
