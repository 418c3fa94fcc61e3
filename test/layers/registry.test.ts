// The layer registry: every layer type is one module, and each module's shape rule gives the output shape,
// parameter counts and FLOPs that a hand derivation gives (test/fixtures/layers/<type>.json, with the working).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/pipeline.js';
import { allLayerModules, layerArgumentAliases, layerModule, layerTypes, pairArguments } from '../../src/layers/registry.js';
import { specSchema } from '../../src/schema/schema.js';
import { schemaFiles } from '../../src/schema/build.js';
import { LAYER_LIST_FILE, layerListSource, layerModuleFiles } from '../../src/tools/generate.js';

interface Case { layer: string; input?: number[]; inputs?: [string, number[]][]; dtype?: string; out: number[]; states?: number[][]; trainable: number; nonTrainable: number; flops: number; why: string }

const fixtureDir = 'test/fixtures/layers';
const fixtures = readdirSync(fixtureDir).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();

/** Checks a one-layer model through the whole pipeline (parse, defaults, schema, shapes). */
function inferOne(c: Case) {
  // A merge layer's case names its inputs; every other case has one input `x`.
  const inputs = c.inputs ?? [['x', c.input!]];
  const lines = inputs.map(([name, shape]) => `  input ${name}: [${shape.join(', ')}]${c.dtype ? ` as ${c.dtype}` : ''}`);
  const text = `model M {\n${lines.join('\n')}\n  ${c.layer}\n}\n`;
  const r = check('layer.nn', text, { readFile: () => { throw new Error('no imports here'); } });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  expect(errors.map((d) => `${d.code} ${d.message}`), c.layer).toEqual([]);
  return r.shapes[0].layers[0];
}

describe('layer registry', () => {
  it('has a module file for every registered type, and registers every module file', () => {
    const files = readdirSync('src/layers/types').filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, '')).sort();
    expect([...layerTypes].sort()).toEqual(files);
  });

  it('discovers the modules: the layer list, the schema and its validator are derived files that git ignores', () => {
    // Adding a layer type is its module, its fixtures and a README line: no registration list, no regenerated file.
    const derived = [LAYER_LIST_FILE, ...schemaFiles(process.cwd()).map(([f]) => f)];
    expect(execFileSync('git', ['ls-files', '--', ...derived], { encoding: 'utf8' })).toBe('');
    expect(execFileSync('git', ['check-ignore', '--', ...derived], { encoding: 'utf8' }).trim().split('\n')).toEqual(derived);
    // ... and they are current (test/setup/generate.ts wrote them before this run)
    expect(readFileSync(LAYER_LIST_FILE, 'utf8')).toBe(layerListSource(layerModuleFiles()));
    for (const [file, content] of schemaFiles(process.cwd())) expect(readFileSync(file, 'utf8'), file).toBe(content);
    expect(JSON.parse(readFileSync('src/schema/nn-spec.schema.json', 'utf8'))).toEqual(specSchema);
  });

  it('has hand-derived FLOPs and parameter fixtures for every layer type', () => {
    expect(fixtures).toEqual([...layerTypes].sort());
  });

  for (const type of fixtures) {
    const { cases } = JSON.parse(readFileSync(`${fixtureDir}/${type}.json`, 'utf8')) as { cases: Case[] };
    for (const c of cases) {
      it(`${type}: ${c.layer} on ${JSON.stringify(c.inputs ?? c.input)} (${c.why})`, () => {
        const info = inferOne(c);
        expect(info.type).toBe(type);
        expect(info.outputShape).toEqual([null, ...c.out]);
        expect(info.stateShapes).toEqual(c.states?.map((st) => [null, ...st]));
        expect({ trainable: info.trainableParams, nonTrainable: info.nonTrainableParams, flops: info.flops })
          .toEqual({ trainable: c.trainable, nonTrainable: c.nonTrainable, flops: c.flops });
      });
    }
  }

  it('declares positional arguments, aliases and pairs among each module\'s own arguments', () => {
    for (const m of allLayerModules) {
      for (const p of m.positional) expect(Object.keys(m.args), `${m.type} positional ${p}`).toContain(p);
      for (const [alias, target] of Object.entries(m.aliases ?? {})) {
        expect(Object.keys(m.args), `${m.type} alias ${alias}`).toContain(target);
        // one Keras spelling means one argument, whichever layer it is written on
        expect(layerArgumentAliases[alias]).toBe(target);
      }
      for (const p of pairArguments[m.type]) expect(m.args[p].pair).toBe(true);
    }
  });

  it('derives each layer\'s schema from its module: name, the arguments, and those without default required', () => {
    const defs = specSchema.$defs as Record<string, { properties: Record<string, unknown>; required: string[] }>;
    const dense = defs.layer_dense;
    expect(Object.keys(dense.properties)).toEqual(['type', 'name', 'trainable', 'inputs', ...Object.keys(layerModule('dense')!.args)]);
    expect(dense.required).toEqual(['units']);
    expect(defs.layer_max_pool2d.required).toEqual(['pool']);
    expect(layerModule('constructor')).toBeUndefined();
    expect(layerModule('__proto__')).toBeUndefined();
  });
});
