// The model graph: chains stay chains (same order, same seeds, tf.sequential), graphs get named inputs in
// topological order, and diagnostics inside an expanded block note the use that expanded it.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/pipeline.js';
import { modelGraph, pathToOutput } from '../../src/graph/graph.js';

const host = { readFile: (f: string) => readFileSync(f, 'utf8') };
const run = (text: string, file = 'g.nn') => check(file, text, host);

describe('model graph', () => {
  it('sees every layer of the committed chain specs as a chain, in source order, with no explicit inputs', () => {
    const graphSpecs = new Set(['fashion_resnet.nn', 'iris_branches.nn', 'two_input.nn', 'two_output.nn']);
    const chains = readdirSync('specs').filter((f) => f.endsWith('.nn') && !graphSpecs.has(f));
    expect(chains.length).toBeGreaterThanOrEqual(6);
    for (const f of chains) {
      const r = check(`specs/${f}`, readFileSync(`specs/${f}`, 'utf8'), host);
      for (const m of r.spec!.models) {
        const g = modelGraph(m);
        expect(g.chain, `${f} ${m.name}`).toBe(true);
        expect(g.nodes.map((n) => n.index)).toEqual(m.layers.map((_, i) => i));
        expect(m.layers.every((l) => l.inputs === undefined)).toBe(true);
        expect(m.inputs).toBeUndefined();
      }
    }
  });

  it('writes inputs only where a layer does not take the previous output, and orders forward references topologically', () => {
    const r = run('model M {\n  input x: [4]\n  a = dense(4)\n  b = dense(4)(x)\n  c = add(a, d)\n  d = dense(4)(b)\n}\n');
    const m = r.spec!.models[0];
    expect(m.layers.map((l) => [l.name, l.inputs])).toEqual([['a', undefined], ['b', ['x']], ['c', ['a', 'd']], ['d', ['b']]]);
    const g = modelGraph(m);
    expect(g.chain).toBe(false);
    expect(g.nodes.map((n) => n.layer.name)).toEqual(['a', 'b', 'd', 'c']);
    // seeds follow the source position, not the topological one
    expect(g.nodes.map((n) => n.index)).toEqual([0, 1, 3, 2]);
    expect(pathToOutput(g, 'c').map((n) => n.layer.name)).toEqual(['c', 'a']);
  });

  it('rebinds a name to the latest line above, and names a layer after its binding only when bound once', () => {
    const r = run('model M {\n  input x: [4]\n  y = dense(4)\n  y = dense(4)\n  z = add(y, x)\n}\n');
    expect(r.spec!.models[0].layers.map((l) => [l.name, l.inputs])).toEqual([['dense_1', undefined], ['dense_2', undefined], ['z', ['dense_2', 'x']]]);
  });

  it('expands a block with its parameters, once per repeat, each use with fresh layer names', () => {
    const r = run('block res(units, act: relu) {\n  input x\n  y = dense(units, activation: act)\n  add(y, x)\n}\nmodel M {\n  input x: [8]\n  res(8) * 2\n  res(8, act: tanh)\n}\n');
    expect(r.diagnostics).toEqual([]);
    const layers = r.spec!.models[0].layers as { name: string; activation?: string; inputs?: string[] }[];
    expect(layers.map((l) => l.name)).toEqual(['dense_1', 'add_1', 'dense_2', 'add_2', 'dense_3', 'add_3']);
    expect(layers.map((l) => l.activation ?? null)).toEqual(['relu', null, 'relu', null, 'tanh', null]);
    expect(layers[1].inputs).toEqual(['dense_1', 'x']);
    expect(layers[3].inputs).toEqual(['dense_2', 'add_1']);
  });

  it('points a diagnostic inside a block at the block\'s line and notes the use site', () => {
    const r = run('block mlp(units) {\n  input x\n  dense(units, activation: rleu)\n}\nmodel M {\n  input x: [8]\n  dense(8)\n  mlp(4)\n}\n');
    const d = r.diagnostics.find((x) => x.code === 'NN2005')!;
    expect(d.span!.line).toBe(3);
    expect(d.notes).toContain('in block `mlp` used at g.nn:8:3');
  });

  it('names both branches, their shapes and their lines when a merge does not fit', () => {
    const r = run('model M {\n  input i: [16, 16, 8]\n  a = conv2d(8, 3, padding: same)\n  b = conv2d(8, 3, strides: 2, padding: same)(i)\n  add(a, b)\n}\n');
    const d = r.diagnostics.find((x) => x.code === 'NN3016')!;
    expect(d.message).toBe('`add_1` cannot add `[16, 16, 8]` from `a` (line 3) and `[8, 8, 8]` from `b` (line 4)');
    expect(d.span!.line).toBe(5);
    // the summary up to the failure still works
    expect(r.shapes[0].complete).toBe(false);
    expect(r.shapes[0].layers.map((l) => l.name)).toEqual(['a', 'b']);
  });
});
