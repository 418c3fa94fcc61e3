import { describe, expect, it } from 'vitest';
import { inferModel } from '../../src/shapes/infer.js';
import { formatSummary, humanBytes, humanFlops, summaryJson, thousands } from '../../src/shapes/summary.js';
import { SpanIndex } from '../../src/spec/spans.js';
import { L, model, spec } from './helpers.js';

const mlp = () => model('mlp', [28, 28], [L.flatten(), L.dense(500, 'sigmoid'), L.dense(200, 'sigmoid'), L.dense(10, 'softmax')]);

describe('nnc summary', () => {
  it('formats numbers', () => {
    expect([thousands(0), thousands(999), thousands(1000), thousands(138357544)]).toEqual(['0', '999', '1,000', '138,357,544']);
    expect([humanBytes(512), humanBytes(2048), humanBytes(1978840)]).toEqual(['512 B', '2.00 KiB', '1.89 MiB']);
    expect([humanFlops(12), humanFlops(988710), humanFlops(3.1e10)]).toEqual(['12 FLOPs', '988.71 KFLOPs', '31.00 GFLOPs']);
  });

  it('prints a Keras-style table with totals', () => {
    const m = mlp();
    const text = formatSummary(inferModel(spec([m]), 0, new SpanIndex()).info);
    const lines = text.split('\n');
    expect(lines[0]).toBe('Model: "mlp"');
    expect(lines).toContainEqual(expect.stringMatching(/^Layer \(type\)\s+Output Shape\s+Param #$/));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${m.layers[0].name} \\(flatten\\)\\s+\\(None, 784\\)\\s+0$`)));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${m.layers[1].name} \\(dense\\)\\s+\\(None, 500\\)\\s+392,500$`)));
    expect(text).toContain('Total params: 494,710');
    expect(text).toContain('Trainable params: 494,710');
    expect(text).toContain('Non-trainable params: 0');
    expect(text).toContain('Weight memory (float32): 1.89 MiB');
    expect(text).toMatch(/FLOPs \(forward, per sample\): 988\.71 KFLOPs/);
    // columns line up: every table row is no wider than the rule
    const rule = lines.find((l) => l.startsWith('==='))!;
    for (const l of lines.slice(1, -7)) expect(l.length).toBeLessThanOrEqual(rule.length);
  });

  it('says when inference stopped early', () => {
    const info = inferModel(spec([model('bad', [4, 4, 1], [L.conv2d(2, 3), L.conv2d(2, 3)])]), 0, new SpanIndex()).info;
    expect(formatSummary(info)).toContain('(stopped after 1 layer: a shape error follows)');
  });

  it('summaryJson is plain data that round-trips through JSON', () => {
    const info = inferModel(spec([mlp()]), 0, new SpanIndex()).info;
    const json = JSON.parse(JSON.stringify(summaryJson(info)));
    expect(json.totalParams).toBe(494_710);
    expect(json.layers[3].outputShape).toEqual([null, 10]);
  });
});
