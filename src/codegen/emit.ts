// Code generation: a checked training unit -> the files of a standalone trainer folder. Pure: no file system
// access beyond the templates it loads once; the CLI writes the files.
import { folderName } from '../spec/folder-name.js';
import { createHash } from 'node:crypto';
import Handlebars from 'handlebars';
import type { ModelShapeInfo } from '../shapes/infer.js';
import type { Spec, TrainingUnit } from '../spec/types.js';
import { pointer, type SpanIndex } from '../spec/spans.js';
import type { Span } from '../diagnostics/types.js';
import { embeddedFashionSubset, loadAssets } from './assets.js';
import { DATASET_TYPE, READER_MODULE, needsWasmKernels, runtimeFor } from './runtime-closure.js';
import { modelGraph, type ModelGraph } from '../graph/graph.js';
import { isMultiIo } from './runtime/outputs.js';
import { configKey, layerConfig, renderConfigValue, type ConfigValue, type LayerConfig } from './layer-config.js';

export const NNC_VERSION = '0.1.0';

export interface EmitOptions {
  /** The spec file as given to nnc (shown in headers). */
  source: string;
  /** The spec's folder relative to the output folder (POSIX, trailing slash), e.g. `../specs/`. */
  specDirFromOutput: string;
  /** The spec file's text: copied into each trainer folder as spec.nn, for its run reports. */
  specText?: string;
  /** Where each part of the spec is written: a trainer's data errors name the line that declared the file. */
  spans?: SpanIndex;
}

/** The dataset properties that name files or folders (as runtime data/locate.ts reads them), and the declaration. */
const DATA_PATHS = ['path', 'train', 'test_path', 'validation_path', 'train_images', 'train_labels', 'test_images', 'test_labels'];

/** `file:line:column` of the dataset's declaration and of each path it names, by property (`dataset`: the name). */
function declaredAt(spec: Spec, dataset: string, spans: SpanIndex | undefined): Record<string, string> {
  const d = spec.datasets.findIndex((x) => x.name === dataset);
  if (!spans || d < 0) return {};
  const where = (s: Span | null) => (s ? `${s.file}:${s.line}:${s.column}` : null);
  const out: Record<string, string> = {};
  const declaration = where(spans.keyAt(pointer('datasets', d)));
  if (declaration) out.dataset = declaration;
  for (const property of DATA_PATHS) {
    const at = spans.has(pointer('datasets', d, property)) ? where(spans.valueAt(pointer('datasets', d, property))) : null;
    if (at) out[property] = at;
  }
  return out;
}

/** A training's folder name: `FashionMLP` -> `fashion_mlp`. Names are identifiers, so this never leaves the folder. */
export { folderName } from '../spec/folder-name.js';

/** Indented JSON with U+2028/2029 escaped. */
function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A TypeScript literal for any JSON value. U+2028/2029 are escaped so no editor or old parser sees a line break. */
export function tsLiteral(value: unknown): string {
  return jsonText(value)
    // In an object literal `"__proto__": v` sets the prototype; a computed key makes it a property, as in the JSON.
    // Keys start their line in indented JSON, and a string value cannot hold a raw line break, so this finds keys only.
    .replace(/^(\s*)"__proto__":/gm, '$1["__proto__"]:');
}

/** Text safe inside a `//` or `/** *\/` comment: one line, no comment terminator. */
export function commentText(value: unknown): string {
  return String(value).replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/\*\//g, '* /');
}

let hb: typeof Handlebars | null = null;

function handlebars(): typeof Handlebars {
  if (hb) return hb;
  hb = Handlebars.create();
  hb.registerHelper('ts', (v: unknown) => tsLiteral(v));
  hb.registerHelper('comment', (v: unknown) => commentText(v));
  hb.registerHelper('shape', (v: number[]) => `[${v.join(', ')}]`);
  // A layer's arguments (partials/layer.hbs): keys as identifiers where they can be, values as TS expressions.
  hb.registerHelper('key', (k: string) => configKey(k));
  hb.registerHelper('config', (v: ConfigValue) => renderConfigValue(v));
  for (const [name, source] of loadAssets().partials) hb.registerPartial(name.replace(/^.*\//, ''), source);
  return hb;
}

const compiled = new Map<string, Handlebars.TemplateDelegate>();

function render(template: string, context: object): string {
  let fn = compiled.get(template);
  if (!fn) {
    const source = loadAssets().templates.get(template);
    if (source === undefined) throw new Error(`no template ${template}`);
    // noEscape: values reach the output through the `ts` helper, never through HTML escaping.
    fn = handlebars().compile(source, { noEscape: true, strict: true });
    compiled.set(template, fn);
  }
  return fn(context);
}

/** One layer as model.ts adds it (partials/layer.hbs): `model.add(tf.layers.dense({ ... }));`. */
export function renderLayerSource(layer: LayerConfig): string {
  return handlebars().compile('{{> layer}}', { noEscape: true, strict: true })(layer);
}

export function trainingUnits(spec: Spec): TrainingUnit[] {
  return spec.trainings.map((training) => ({
    source: spec.source,
    model: spec.models.find((m) => m.name === training.model)!,
    dataset: spec.datasets.find((d) => d.name === training.dataset)!,
    training,
  }));
}

/** Where a Fashion-MNIST trainer keeps its copy of nnc's embedded subset, relative to its folder. */
const SUBSET_FOLDER = 'data/fashion-mnist-mini';

function subsetReadme(source: string): string {
  return `<!-- Generated by nnc ${NNC_VERSION} from ${commentText(source)}: a copy of nnc's embedded Fashion-MNIST subset. Do not edit. -->\n` +
    '# fashion-mnist-mini\n\n' +
    'A SUBSET of Fashion-MNIST (Zalando SE, MIT licence, https://github.com/zalandoresearch/fashion-mnist): the first 2000\n' +
    'training and the first 500 test samples, as gzipped IDX files with the standard names. The trainer falls back to it\n' +
    'only when the full dataset is neither given (--data-dir, NNC_DATA_DIR), installed (Debian\'s dataset-fashion-mnist,\n' +
    "the Keras cache) nor downloadable, and says so loudly in its output and in the first lines of report.md.\n";
}

/**
 * The binary files of each training's folder, by path as in emit(): a Fashion-MNIST trainer carries nnc's embedded
 * subset, so a copy of the folder trains anywhere (loudly on the subset) when the full dataset cannot be found.
 */
export function emitData(spec: Spec): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const unit of trainingUnits(spec)) {
    if (unit.dataset.source !== 'fashion_mnist') continue;
    for (const [name, bytes] of embeddedFashionSubset()) files.set(`${folderName(unit.training.name)}/${SUBSET_FOLDER}/${name}`, bytes);
  }
  return files;
}

/** Emits one folder per training: Map of path (relative to the output folder, POSIX) -> content. */
export function emit(spec: Spec, shapes: ModelShapeInfo[], opts: EmitOptions): Map<string, string> {
  const files = new Map<string, string>();
  for (const unit of trainingUnits(spec)) {
    const info = shapes.find((s) => s.model === unit.model.name);
    if (!info?.complete) throw new Error(`model ${unit.model.name} has no complete shape information; check it first`);
    for (const [file, content] of emitUnit(unit, info, opts, declaredAt(spec, unit.dataset.name, opts.spans))) files.set(file, content);
  }
  return files;
}

function emitUnit(unit: TrainingUnit, info: ModelShapeInfo, opts: EmitOptions, declared: Record<string, string>): Map<string, string> {
  const folder = folderName(unit.training.name);
  const unitJson = { ...unit, source: opts.source };
  const specHash = createHash('sha256').update(JSON.stringify(unitJson)).digest('hex');
  const graph = modelGraph(unit.model);
  const shapeOf = new Map(info.layers.map((l) => [l.index, l.outputShape]));
  // A chain is a tf.sequential whose first layer carries the input shape; a graph uses the functional API.
  const layers = graph.chain
    ? graph.nodes.map((n, i) => layerConfig(n.layer, n.index, i === 0 ? unit.model.input : null, unit.training.seed, shapeOf.get(n.index)))
    : [];
  const functional = graph.chain ? null : functionalGraph(graph, unit.training.seed, shapeOf);
  const outputLayer = info.layers.find((l) => l.name === graph.outputs[0]) ?? info.layers[info.layers.length - 1];
  // several inputs or outputs: data, evaluate and infer come from the *-multi templates (one tensor per input and output)
  const multi = isMultiIo(graph.inputs.length, graph.outputs.length, unit.dataset, unit.training)
    ? {
      inputs: graph.inputs,
      outputs: graph.outputs.map((name) => ({ name, units: info.layers.find((l) => l.name === name)?.outputShape.at(-1) ?? 1 })),
    }
    : null;
  const context = {
    version: NNC_VERSION,
    source: opts.source,
    training: unit.training,
    model: unit.model,
    dataset: unit.dataset,
    // not in the spec hash: moving a line must not invalidate a checkpoint
    declaredAt: declared,
    layers: graph.chain ? layers : unit.model.layers,
    graph: functional,
    // nnc's own tfjs layers (lib/layers.ts) are imported only by models that use them
    // (and models with initial states: lib/layers.ts mends tfjs' RNN.apply for them)
    customLayers: graph.nodes.some((n) => n.initialState.length)
      || (functional ? functional.nodes.map((n) => n.config) : layers).some((l) => l.custom || JSON.stringify(l.args).includes('"$call":"layers.')),
    specHash,
    // lib/wasm-kernels.ts only where the model trains with kernels wasm lacks or runs slowly (runtime.ts passes it in)
    wasmKernels: needsWasmKernels(unit.model.layers, info.flops),
    // Units of the last layer: the class count a classification dataset must have (1 unit: two classes).
    outputUnits: outputLayer?.outputShape.at(-1) ?? null,
    // One level deeper than the output folder: the trainer lives in <out>/<folder>/. data.ts resolves it as a URL,
    // so each name is percent-encoded: a folder named `specs #1` must not become `specs ` and a fragment.
    specDir: '../' + opts.specDirFromOutput.split('/').map(encodeURIComponent).join('/'),
    packageName: `nnc-${folder.replace(/_/g, '-')}`,
    description: `Trainer for ${unit.training.name}, generated by nnc ${NNC_VERSION} from ${opts.source}: do not edit`,
    readerModule: READER_MODULE[unit.dataset.source],
    datasetType: DATASET_TYPE[unit.dataset.source],
    readsImages: unit.dataset.source !== 'csv',
    readsCsv: unit.dataset.source === 'csv',
    embedsFashionSubset: unit.dataset.source === 'fashion_mnist',
    defaultOut: `runs/${folder}`,
    defaultModelDir: `runs/${folder}/model`,
    multi,
    lossText: typeof unit.training.loss === 'string' ? unit.training.loss
      : Object.entries(unit.training.loss).map(([name, loss]) => `${name}: ${loss}${unit.training.loss_weights?.[name] !== undefined ? ` (weight ${unit.training.loss_weights[name]})` : ''}`).join(', '),
  };
  const out = new Map<string, string>();
  const sources = new Map<string, string>();
  for (const name of ['model.ts', 'data.ts', 'train.ts', 'evaluate.ts', 'infer.ts', 'runtime.ts', 'serve.ts', 'web/app.ts', 'web/index.html']) {
    sources.set(name, render(multi && MULTI_TEMPLATES.has(name) ? name.replace('.ts', '-multi.ts') : name, context));
  }
  const runtime = runtimeFor(sources, NNC_VERSION);
  for (const [name, content] of sources) out.set(`${folder}/${name}`, content);
  out.set(`${folder}/package.json`, render('package.json', {
    ...context,
    dependencies: jsonText(runtime.dependencies.dependencies).replace(/\n/g, '\n  '),
    optionalDependencies: jsonText(runtime.dependencies.optionalDependencies).replace(/\n/g, '\n  '),
    allowScripts: jsonText(ALLOW_SCRIPTS).replace(/\n/g, '\n  '),
  }));
  out.set(`${folder}/README.md`, render('README.md', context));
  if (context.embedsFashionSubset) out.set(`${folder}/${SUBSET_FOLDER}/README.md`, subsetReadme(opts.source));
  if (opts.specText !== undefined) {
    out.set(`${folder}/spec.nn`, `# Generated by nnc ${NNC_VERSION}: a copy of ${commentText(opts.source)} for run reports. Do not edit.\n${opts.specText}`);
  }
  out.set(`${folder}/spec.json`, jsonText({ $comment: `generated by nnc ${NNC_VERSION} from ${opts.source}: do not edit`, ...unitJson }) + '\n');
  out.set(`${folder}/tsconfig.json`, `// Generated by nnc ${NNC_VERSION} from ${commentText(opts.source)}. Do not edit.\n` + tsLiteral(generatedTsconfig) + '\n');
  for (const [file, content] of runtime.files) out.set(`${folder}/lib/${file}`, content);
  return out;
}

/**
 * npm 11 runs no dependency's install script unless package.json allows it. tfjs-node's fetches its native
 * TensorFlow (the fast backend); esbuild's checks its binary (tsx uses esbuild); core-js's only prints an appeal.
 */
/** Files a trainer for several inputs or outputs takes from `<name>-multi.ts.hbs`. */
const MULTI_TEMPLATES = new Set(['data.ts', 'evaluate.ts', 'infer.ts', 'web/app.ts']);

const ALLOW_SCRIPTS = { '@tensorflow/tfjs-node': true, esbuild: true, 'core-js': false };
/** Names model.ts declares itself, and words TypeScript reserves: a tensor with such a name gets a `_` after it. */
const TAKEN = new Set([
  'tf', 'seed', 'deriveSeed', 'buildModel', 'MODEL_NAME', 'SPEC_SEED', 'break', 'case', 'catch', 'class', 'const', 'continue',
  'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if',
  'import', 'in', 'instanceof', 'new', 'null', 'return', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var',
  'void', 'while', 'with', 'let', 'static', 'yield', 'await', 'implements', 'interface', 'package', 'private', 'protected',
  'public', 'arguments', 'eval', 'undefined', 'NaN', 'Infinity',
]);

/** model.ts for a graph: one `const` per input and per layer, named after the tensor, in topological order. */
function functionalGraph(graph: ModelGraph, seed: number, shapeOf: Map<number, (number | null)[] | undefined>) {
  const variable = (name: string) => (TAKEN.has(name) ? `${name}_` : name);
  const list = (names: string[]) => (names.length === 1 ? variable(names[0]) : `[${names.map(variable).join(', ')}]`);
  return {
    inputs: graph.inputs.map((i) => ({ name: i.name, shape: i.shape, variable: variable(i.name) })),
    nodes: graph.nodes.map((n) => ({
      // a layer that gives its states too (`return_state`) gives a list: `const [out, h, c] = ...`
      variable: n.outputs.length > 1 ? `[${n.outputs.map(variable).join(', ')}]` : variable(n.layer.name),
      several: n.outputs.length > 1,
      config: layerConfig(n.layer, n.index, null, seed, shapeOf.get(n.index)),
      takes: list(n.inputs),
      initialState: n.initialState.length ? `[${n.initialState.map(variable).join(', ')}]` : null,
    })),
    inputsExpr: list(graph.inputs.map((i) => i.name)),
    outputsExpr: list(graph.outputs),
  };
}

const generatedTsconfig = {
  compilerOptions: {
    target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, esModuleInterop: true,
    // tfjs's own .d.ts files do not pass --strict.
    skipLibCheck: true, noEmit: true, types: ['node'],
  },
  include: ['*.ts', 'lib/**/*.ts'],
};
