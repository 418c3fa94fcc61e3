// AST -> raw spec JSON (before schema defaults): declarations gathered, names resolved, units resolved
// (`10%` -> 0.1, `kernel: 3` -> [3, 3]), and every value's span recorded for later phases.
import { folderName } from '../spec/folder-name.js';
import { diag, q } from '../diagnostics/catalog.js';
import { suggest } from '../diagnostics/suggest.js';
import type { Diagnostic, Span } from '../diagnostics/types.js';
import { SpanIndex, pointer } from '../spec/spans.js';
import type { BlockNode, DatasetNode, FileNode, TrainNode } from '../syntax/ast.js';
import { sourcePositional } from './tables.js';
import { normalizeModel } from './model.js';
import { layerModule } from '../layers/registry.js';
import { ValueConverter, type Json, type JsonObject, type Reserved } from './values.js';

export interface RawSpec {
  source: string;
  models: JsonObject[];
  datasets: JsonObject[];
  trainings: JsonObject[];
}

export interface NormalizeResult {
  raw: RawSpec;
  /** Per model, the name each layer gets when the spec gives none (see complete.ts). */
  layerNames: string[][];
  spans: SpanIndex;
  diagnostics: Diagnostic[];
}

const lossAliases: Record<string, string> = Object.assign(Object.create(null), { mse: 'mean_squared_error', mae: 'mean_absolute_error', crossentropy: 'categorical_crossentropy' });

/** Normalizes `main` together with the files it imports (their models and datasets; their trainings are not compiled). */
export function normalize(main: FileNode, imported: FileNode[] = []): NormalizeResult {
  const spans = new SpanIndex();
  const diagnostics: Diagnostic[] = [];
  const values = new ValueConverter(spans, diagnostics);
  const raw: RawSpec = { source: main.path, models: [], datasets: [], trainings: [] };
  const seen = { model: new Map<string, Span>(), dataset: new Map<string, Span>(), training: new Map<string, Span>(), block: new Map<string, Span>() };
  const layerNames: string[][] = [];
  // Blocks first: a model may use a block defined below it or in an imported file.
  const blocks = new Map<string, BlockNode>();

  const declare = (kind: keyof typeof seen, name: string, span: Span, help?: string): boolean => {
    const first = seen[kind].get(name);
    if (first) {
      diagnostics.push(diag('NN2007', span, { kind, name: q(name), line: first.line, column: first.column }, help ? { help } : {}));
      return false;
    }
    seen[kind].set(name, span);
    return true;
  };

  // `FooBar` and `foo_bar` both compile into foo_bar/: the second would silently replace the first.
  const folders = new Map<string, { name: string; span: Span }>();
  const sameFolder = (name: string, span: Span): boolean => {
    const folder = folderName(name);
    const first = folders.get(folder);
    if (first) {
      diagnostics.push(diag('NN2018', span, { name: q(name), folder: q(`${folder}/`), other: q(first.name), line: first.span.line, column: first.span.column }));
      return false;
    }
    folders.set(folder, { name, span });
    return true;
  };

  for (const file of [main, ...imported]) {
    for (const item of file.items) {
      if (item.kind !== 'block') continue;
      if (layerModule(item.name.text)) diagnostics.push(diag('NN2026', item.name.span, { name: q(item.name.text) }));
      else if (declare('block', item.name.text, item.name.span)) blocks.set(item.name.text, item);
    }
  }
  for (const file of [main, ...imported]) {
    for (const item of file.items) {
      if (item.kind === 'model' && declare('model', item.name.text, item.name.span)) {
        const model = normalizeModel(item, raw.models.length, values, blocks);
        raw.models.push(model.json);
        layerNames.push(model.layerNames);
      } else if (item.kind === 'dataset' && declare('dataset', item.name.text, item.name.span)) {
        raw.datasets.push(datasetSpec(item, raw.datasets.length, values));
      }
    }
  }
  for (const item of main.items) {
    if (item.kind !== 'train') continue;
    const ok = checkReference('model', item.model.text, item.model.span, seen.model, diagnostics)
      & checkReference('dataset', item.dataset.text, item.dataset.span, seen.dataset, diagnostics);
    const name = item.alias?.text ?? item.model.text;
    const unique = declare('training', name, (item.alias ?? item.model).span, `name this training with \`as\`, e.g. \`train ${item.model.text} on ${item.dataset.text} as ${item.model.text}_2 { ... }\``);
    if (unique && !sameFolder(name, (item.alias ?? item.model).span)) continue;
    if (ok && unique) raw.trainings.push(trainSpec(item, name, raw.trainings.length, values));
  }
  return { raw, layerNames, spans, diagnostics };
}

function checkReference(kind: string, name: string, span: Span, known: Map<string, Span>, diagnostics: Diagnostic[]): number {
  if (known.has(name)) return 1;
  diagnostics.push(diag('NN2008', span, { kind, name: q(name) }, { suggestions: suggest(name, known.keys()) }));
  return 0;
}

/** What a dataset's declaration says (`dataset d = csv(...)`) and its arguments may not restate. */
function datasetReserved(name: string, source: string): Reserved {
  return {
    name: { what: 'name', where: 'after `dataset`', fix: (v) => `\`dataset ${v} = ${source}(...)\`` },
    source: { what: 'source', where: 'after `=`', fix: (v) => `\`dataset ${name} = ${v}(...)\`` },
  };
}

function datasetSpec(d: DatasetNode, index: number, values: ValueConverter): JsonObject {
  const ptr = pointer('datasets', index);
  values.spans.set(ptr, { value: d.span, key: d.name.span });
  values.spans.set(`${ptr}/source`, { value: d.source.span });
  const source = d.source.text;
  const reserved = datasetReserved(d.name.text, source);
  const out: JsonObject = {
    name: d.name.text,
    source,
    ...values.args(d.args, ptr, sourcePositional[source] ?? [], `dataset source ${q(source)}`, reserved),
  };
  const props = values.properties(d.props, ptr, `dataset ${q(d.name.text)}`, reserved);
  for (const [key, value] of Object.entries(props)) {
    if (Object.hasOwn(out, key)) {
      values.diagnostics.push(diag('NN2010', values.spans.keyAt(`${ptr}/${key}`), { name: q(key) }));
      continue;
    }
    out[key] = value;
  }
  // `test: "data/test.csv"` names a file; `test: 10%` a fraction. The spec keeps the two apart.
  for (const key of ['test', 'validation']) {
    if (typeof out[key] === 'string') {
      if (Object.hasOwn(out, `${key}_path`)) {
        // `test: "a.csv", test_path: "b.csv"`: one file would silently replace the other
        values.diagnostics.push(diag('NN2010', values.spans.keyAt(`${ptr}/${key}_path`), { name: q(`${key}_path`) }, {
          help: `\`${key}: "file"\` already names the ${key} file; remove one of the two`,
        }));
        delete out[key];
        continue;
      }
      out[`${key}_path`] = out[key];
      delete out[key];
      const entry = values.spans.keyAt(`${ptr}/${key}`);
      if (entry) values.spans.set(`${ptr}/${key}_path`, { value: values.spans.valueAt(`${ptr}/${key}`)!, key: entry });
    }
  }
  if (typeof out.image_size === 'number') out.image_size = [out.image_size, out.image_size];
  if (out.augment === true) out.augment = {};
  return out;
}

function trainSpec(t: TrainNode, name: string, index: number, values: ValueConverter): JsonObject {
  const ptr = pointer('trainings', index);
  values.spans.set(ptr, { value: t.span, key: (t.alias ?? t.model).span });
  values.spans.set(`${ptr}/model`, { value: t.model.span });
  values.spans.set(`${ptr}/dataset`, { value: t.dataset.span });
  const [model, dataset] = [t.model.text, t.dataset.text];
  const reserved: Reserved = {
    name: { what: 'name', where: 'after `as`', fix: (v) => `\`train ${model} on ${dataset} as ${v}\`` },
    model: { what: 'model', where: 'after `train`', fix: (v) => `\`train ${v} on ${dataset}\`` },
    dataset: { what: 'dataset', where: 'after `on`', fix: (v) => `\`train ${model} on ${v}\`` },
  };
  const props = values.properties(t.props, ptr, `train ${q(name)}`, reserved);
  const out: JsonObject = { name, model, dataset, ...props };
  const alias = (loss: Json) => (typeof loss === 'string' ? lossAliases[loss] ?? loss : loss);
  const asList = (metrics: Json) => (Array.isArray(metrics) ? metrics : [metrics]);
  // `loss` and `metrics` are one value for every output or a table by output name (`loss: { price: mse }`)
  const perOutput = (value: Json | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (perOutput(out.loss)) for (const key of Object.keys(out.loss)) out.loss[key] = alias(out.loss[key]);
  else if (out.loss !== undefined) out.loss = alias(out.loss);
  for (const key of ['early_stopping', 'checkpoint']) if (out[key] === true) out[key] = {};
  if (perOutput(out.metrics)) for (const key of Object.keys(out.metrics)) out.metrics[key] = asList(out.metrics[key]);
  else if (out.metrics !== undefined) out.metrics = asList(out.metrics);
  return out;
}
