// Hover arithmetic, from each layer type's own module (LayerModule.explain): on every hand-derived fixture case
// (test/fixtures/layers/<type>.json) each `name: <expression> = <n>` line must compute: the expression evaluates to
// n, an axis line's n is that axis of the inferred output shape, and the `params` line's n is the parameter count.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { layerModule } from '../../src/layers/registry.js';
import { arithmetic, layerHover } from '../../src/lsp/explain.js';
import { indexModels } from '../../src/lsp/layers-index.js';
import { check } from '../../src/pipeline.js';

interface Case { layer: string; input?: number[]; inputs?: [string, number[]][]; dtype?: string; out: number[]; trainable: number; nonTrainable: number }

/** The layer types whose hover shows arithmetic; every one of them must. */
const EXPLAINED = [
  'dense', 'conv1d', 'conv2d', 'flatten', 'reshape', 'embedding', 'lstm', 'gru', 'simple_rnn', 'batch_norm', 'layer_norm',
  'conv2d_transpose', 'up_sampling1d', 'up_sampling2d', 'zero_padding1d', 'zero_padding2d', 'cropping1d', 'cropping2d',
  'separable_conv2d', 'depthwise_conv2d', 'max_pool1d', 'avg_pool1d', 'max_pool2d', 'avg_pool2d',
  'global_max_pool1d', 'global_avg_pool1d', 'global_max_pool2d', 'global_avg_pool2d', 'repeat_vector', 'permute',
  'prelu', 'bidirectional', 'time_distributed', 'multi_head_attention', 'add', 'subtract', 'multiply', 'average', 'maximum', 'minimum', 'concatenate',
];

/** The one-layer model of a fixture case, checked, and its layer's index entry. */
function entryOf(c: Case) {
  const inputs = c.inputs ?? [['x', c.input!]];
  const lines = inputs.map(([name, shape]) => `  input ${name}: [${shape.join(', ')}]${c.dtype ? ` as ${c.dtype}` : ''}`);
  const r = check('layer.nn', `model M {\n${lines.join('\n')}\n  ${c.layer}\n}\n`, { readFile: () => { throw new Error('no imports'); } });
  expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), c.layer).toEqual([]);
  return indexModels(r)[0].layers[0];
}

/** `floor((28 - 3) / 1) + 1` -> 26; null when the text is not plain arithmetic. */
function evaluate(expression: string): number | null {
  const plain = expression.replace(/(\d),(\d{3})/g, '$1$2');
  if (!/^(?:[\d\s+\-*/().,]|floor|ceil|max)+$/.test(plain)) return null;
  return Function('floor', 'ceil', 'max', `return (${plain});`)(Math.floor, Math.ceil, Math.max) as number;
}

const AXIS: Record<string, number> = { height: 0, width: 1, steps: 0 };

describe('hover arithmetic from the layer modules', () => {
  it('every layer type listed has an explain in its own module', () => {
    for (const type of EXPLAINED) expect(typeof layerModule(type)?.explain, type).toBe('function');
  });

  for (const type of EXPLAINED) {
    const { cases } = JSON.parse(readFileSync(`test/fixtures/layers/${type}.json`, 'utf8')) as { cases: Case[] };
    it(`${type}: every line computes, on ${cases.length} fixture case${cases.length === 1 ? '' : 's'}`, () => {
      for (const c of cases) {
        const lines = arithmetic(entryOf(c));
        expect(lines.length, c.layer).toBeGreaterThan(0);
        const params: { name: string; n: number; line: string }[] = [];
        for (const line of lines) {
          const m = line.match(/^([a-z_][a-z_0-9 ]*): (.+?) = ([\d,]+)(?: \(.*\))?$/);
          if (!m) {
            expect(line, `${c.layer}: a line with "=" must read "name: expression = n"`).not.toMatch(/ = /);
            continue;
          }
          const [, name, expression, result] = m;
          const n = Number(result.replace(/,/g, ''));
          expect(evaluate(expression), `${c.layer}: ${line}`).toBe(n);
          if (name in AXIS) expect(n, `${c.layer}: ${line}`).toBe(c.out[AXIS[name]]);
          const axis = name.match(/^axis (\d+)$/);
          if (axis) expect(n, `${c.layer}: ${line}`).toBe(c.out[Number(axis[1]) - 1]);
          if (name === 'params' || name.endsWith(' params')) params.push({ name, n, line });
        }
        // A layer with weights says how they add up: its own `params` line, or that of the one layer it wraps
        // (time_distributed shares one set of weights).
        if (c.trainable + c.nonTrainable > 0) {
          const total = params.filter((p) => p.name === 'params');
          const counted = total.length > 0 ? total : params;
          expect(counted.map((p) => p.n), `${c.layer}: ${lines.join(' | ')}`).toEqual([c.trainable + c.nonTrainable]);
        }
      }
    });
  }

  it('reads as the rules it restates, on the newer layer types', () => {
    const lines = (layer: string, input: number[]) => arithmetic(entryOf({ layer, input, out: [], trainable: 0, nonTrainable: 0 }));
    expect(lines('conv2d_transpose(4, 3, strides: 2)', [7, 7, 2])).toEqual([
      'height: 7 * 2 + max(3 - 2, 0) = 15', 'width: 7 * 2 + max(3 - 2, 0) = 15', 'channels: 2 -> 4 (filters)', 'params: 3 * 3 * 4 * 2 + 4 = 76',
    ]);
    expect(lines('conv2d_transpose(4, 3, strides: 2, padding: same)', [7, 7, 2]).slice(0, 1)).toEqual(['height: 7 * 2 = 14']);
    expect(lines('separable_conv2d(8, 3, depth_multiplier: 2)', [5, 5, 3])).toEqual([
      'height: floor((5 - 3) / 1) + 1 = 3', 'width: floor((5 - 3) / 1) + 1 = 3', 'depthwise channels: 3 * 2 = 6 (depth_multiplier 2)',
      'pointwise: 6 -> 8 (filters)', 'params: 3 * 3 * 6 + 6 * 8 + 8 = 110',
    ]);
    expect(lines('cropping2d([[1, 2], [0, 3]])', [10, 10, 1])).toEqual(['height: 10 - 1 - 2 = 7', 'width: 10 - 0 - 3 = 7']);
    expect(lines('zero_padding1d(2)', [5, 3])).toEqual(['steps: 5 + 2 + 2 = 9']);
    expect(lines('up_sampling2d([2, 3])', [4, 5, 1]).slice(0, 2)).toEqual(['height: 4 * 2 = 8', 'width: 5 * 3 = 15']);
    expect(lines('max_pool2d(2, strides: 1, padding: same)', [5, 5, 1])).toEqual(['height: ceil(5 / 1) = 5', 'width: ceil(5 / 1) = 5']);
    expect(lines('permute([2, 1])', [6, 4])).toEqual(['axis 1: 4 (input axis 2)', 'axis 2: 6 (input axis 1)']);
    expect(lines('repeat_vector(3)', [4])).toEqual(['steps: 3 (n: the vector at each step)', 'features: 4']);
    expect(lines('bidirectional(lstm(8))', [10, 4])).toEqual([
      'lstm last step only: [8]', 'lstm params: 4 * 8 * (4 + 8) + 4 * 8 = 416', 'merge concat: 8 + 8 = 16 (forward, backward)',
      'params: 2 * 416 = 832 (forward and backward)',
    ]);
    expect(lines('time_distributed(dense(8))', [10, 4])).toEqual([
      'each of 10 steps: [4] -> [8], with the same weights', 'dense units: 4 -> 8', 'dense params: 4 * 8 + 8 = 40',
    ]);
    expect(lines('multi_head_attention(2, 3)', [5, 4]).at(-1)).toBe('params: 2 * 4 * 2 * 3 + 2 * 2 * 3 + 4 * 2 * 3 + 2 * 3 + 2 * 3 * 4 + 4 = 118');
    const merge = (layer: string, inputs: [string, number[]][]) => arithmetic(entryOf({ layer, inputs, out: [], trainable: 0, nonTrainable: 0 }));
    expect(merge('concatenate(a, b)', [['a', [4, 4, 3]], ['b', [4, 4, 5]]])).toEqual(['axis 3: 3 + 5 = 8', 'other axes kept: [4, 4, 8]']);
    expect(merge('add(a, b)', [['a', [4, 1]], ['b', [4, 6]]])).toEqual(['add: [4, 1], [4, 6] -> [4, 6]', 'axis 2: size 1 broadcast to 6']);
  });

  it('puts the arithmetic in the hover, under the facts', () => {
    const hover = layerHover(entryOf({ layer: 'up_sampling1d(3)', input: [5, 2], out: [], trainable: 0, nonTrainable: 0 }));
    expect(hover).toContain('`[5, 2]` -> `[15, 2]`');
    expect(hover).toContain('```\nsteps: 5 * 3 = 15\n');
  });

  it('has no explain only where there is nothing to compute (activations without weights, dropout)', () => {
    const types = readdirSync('src/layers/types').map((f) => f.replace(/\.ts$/, ''));
    const silent = types.filter((t) => !layerModule(t)?.explain).sort();
    expect(silent).toEqual(['activation', 'dropout', 'elu', 'leaky_relu', 'relu', 'relu6', 'softmax']);
  });
});
