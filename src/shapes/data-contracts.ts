// Contracts checked against the data files themselves, where they exist when `nnc check` runs (NN405x): a missing
// or unusable file is a warning at the path that names it; a CSV file's header and first rows (at most READ_BYTES)
// are read to check the label and feature columns and the class count against the model. Paths resolve as the
// trainer resolves them: against $NNC_DATA_DIR when it is set, else the spec's folder. One function per dataset
// source, and one pass per training, so checks for more sources or more outputs go beside these.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { diag, q } from '../diagnostics/catalog.js';
import { suggest } from '../diagnostics/suggest.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { modelGraph, pathToOutput } from '../graph/graph.js';
import type { DatasetSpec, ModelSpec, Spec } from '../spec/types.js';
import { pointer, type SpanIndex } from '../spec/spans.js';
import { unitsLayer } from './contracts.js';
import type { ModelShapeInfo } from './infer.js';
import { product, showShape } from './layers.js';

/** How much of a CSV file `nnc check` reads: its header and first rows, never the whole of a large file. */
export const READ_BYTES = 1 << 20;

export interface DataEnv {
  specDir: string;
  /** For $NNC_DATA_DIR; default process.env. */
  env?: NodeJS.ProcessEnv;
}

type Want = 'file' | 'folder';

/** The properties of each source that name a file or folder, as the trainer reads them (runtime data/locate.ts). */
const PATHS: Record<DatasetSpec['source'], [property: string, what: string, want: Want][]> = {
  fashion_mnist: [],
  idx: [['train_images', 'training images file', 'file'], ['train_labels', 'training labels file', 'file'], ['test_images', 'test images file', 'file'], ['test_labels', 'test labels file', 'file']],
  csv: [['train', 'training file', 'file'], ['test_path', 'test file', 'file']],
  image_folder: [['train', 'training folder', 'folder'], ['test_path', 'test folder', 'folder'], ['validation_path', 'validation folder', 'folder']],
};

/** A path as messages show it: relative to the working folder when it is under it (goldens do not name the machine). */
function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** Why `path` cannot be what the dataset wants, or null when it can. */
function unusable(path: string, want: Want): string | null {
  let s;
  try {
    s = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'does not exist' : `cannot be read (${code ?? 'unknown error'})`;
  }
  if (want === 'folder') return s.isDirectory() ? null : 'is not a folder';
  if (s.isDirectory()) return 'is a folder, expected a file';
  if (s.isFIFO()) return 'is a FIFO (named pipe), expected a regular file';
  if (s.isCharacterDevice()) return 'is a character device, expected a regular file';
  if (!s.isFile()) return 'is not a regular file';
  return null;
}

/** The first READ_BYTES of a file, cut after its last whole line unless the file ended; null when it cannot be read. */
function head(path: string): { text: string; raw: Uint8Array; whole: boolean } | null {
  try {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(READ_BYTES);
      const n = readSync(fd, buf, 0, READ_BYTES, 0);
      const whole = n < READ_BYTES;
      const end = whole ? n : buf.lastIndexOf(0x0a, n - 1) + 1;
      return { text: buf.subarray(0, end).toString('utf8'), raw: buf.subarray(0, n), whole };
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}

export function checkDataContracts(spec: Spec, spans: SpanIndex, shapes: ModelShapeInfo[], env: DataEnv): Diagnostic[] {
  const out: Diagnostic[] = [];
  const vars = env.env ?? process.env;
  const root = vars.NNC_DATA_DIR ? resolve(vars.NNC_DATA_DIR) : env.specDir;
  const checkedFiles = new Set<number>();
  spec.trainings.forEach((training, t) => {
    const d = spec.datasets.findIndex((x) => x.name === training.dataset);
    const m = spec.models.findIndex((x) => x.name === training.model);
    if (d < 0 || m < 0) return;
    const dataset = spec.datasets[d];
    const ok = new Set<string>();
    for (const [property, what, want] of PATHS[dataset.source]) {
      const value = (dataset as unknown as Record<string, unknown>)[property];
      if (typeof value !== 'string') continue;
      const path = resolve(root, value);
      const reason = unusable(path, want);
      if (!reason) ok.add(property);
      else if (!checkedFiles.has(d)) out.push(diag('NN4050', spans.valueAt(pointer('datasets', d, property)), { what, dataset: q(dataset.name), reason, path: shownPath(path) }));
    }
    checkedFiles.add(d);
    if (dataset.source === 'idx' && ok.has('train_labels') && shapes[m]?.complete) {
      out.push(...idxLabels(spec.models[m], m, shapes[m], spans, resolve(root, dataset.train_labels), dataset.train_labels));
    }
    if (dataset.source === 'csv' && ok.has('train') && shapes[m]?.complete) {
      out.push(...csvContract({ spec, spans, model: spec.models[m], m, dataset, d, info: shapes[m], file: resolve(root, dataset.train), shown: dataset.train, t }));
    }
  });
  return out;
}

interface CsvContext {
  spec: Spec; spans: SpanIndex; model: ModelSpec; m: number; dataset: Extract<DatasetSpec, { source: 'csv' }>; d: number;
  info: ModelShapeInfo; file: string; shown: string;
  /** The training's index: its class_weights name classes of the file. */
  t: number;
}

function csvContract(c: CsvContext): Diagnostic[] {
  const text = head(c.file);
  if (!text) return [];
  let records: string[][];
  try {
    records = parse(text.text, { delimiter: c.dataset.delimiter, relax_column_count: true, skip_empty_lines: true, trim: true, bom: true }) as string[][];
  } catch {
    return []; // the trainer reports a malformed file at its line
  }
  if (records.length === 0) return [];
  const out: Diagnostic[] = [];
  const columnCount = records[0].length;
  const header = c.dataset.header ? records[0] : null;
  const rows = records.slice(header ? 1 : 0).filter((r) => r.length === columnCount);
  const file = q(c.shown);
  const at = (...parts: (string | number)[]) => c.spans.valueAt(pointer('datasets', c.d, ...parts));

  /** A column by name or 0-based index, or null (reported) when the file has no such column. */
  const column = (written: string | number, role: string, where: (string | number)[]): number | null => {
    if (typeof written === 'number' && Number.isInteger(written) && written >= 0 && written < columnCount) return written;
    const index = typeof written === 'string' && header ? header.indexOf(written) : -1;
    if (index >= 0) return index;
    const notes = header ? [`columns: ${header.slice(0, 20).map(q).join(', ')}${header.length > 20 ? ', ...' : ''}`] : [`rows have ${columnCount} fields (0-based indices 0..${columnCount - 1})`];
    const help = typeof written === 'string' && !header ? 'the dataset has `header: false`: name columns by 0-based index' : undefined;
    out.push(diag('NN4051', at(...where), { column: typeof written === 'number' ? `index ${written}` : q(written), role, dataset: q(c.dataset.name), file },
      { notes, ...(help ? { help } : { suggestions: typeof written === 'string' && header ? suggest(written, header) : [] }) }));
    return null;
  };

  // columns per input and output (several inputs or outputs): each must be in the file; counts are contracts-multi's
  const graph = modelGraph(c.model);
  if (c.dataset.label === undefined || c.dataset.inputs || c.dataset.labels || graph.inputs.length > 1 || graph.outputs.length > 1) {
    for (const [input, columns] of Object.entries(c.dataset.inputs ?? {})) columns.forEach((f, k) => column(f, 'feature', ['inputs', input, k]));
    for (const [output, written] of Object.entries(c.dataset.labels ?? {})) column(written, 'label', ['labels', output]);
    if (c.dataset.label !== undefined) column(c.dataset.label, 'label', ['label']);
    if (Array.isArray(c.dataset.features)) c.dataset.features.forEach((f, k) => column(f, 'feature', ['features', k]));
    return out;
  }
  const label = column(c.dataset.label, 'label', ['label']);
  if (Array.isArray(c.dataset.features)) {
    c.dataset.features.forEach((f, k) => column(f, 'feature', ['features', k]));
  } else if (label !== null) {
    const features = columnCount - 1;
    const size = product(c.model.input.shape);
    if (features !== size) {
      out.push(diag('NN4052', c.spans.valueAt(pointer('models', c.m, 'input', 'shape')), {
        expected: features, file, found: `${showShape(c.model.input.shape)} (${size} elements)`, input: c.model.input.name,
      }, { notes: [`${c.shown} has ${columnCount} columns: the label ${header ? q(header[label]) : `(index ${label})`} and ${features} features`] }));
    }
  }
  if (label !== null && c.dataset.task === 'classification') out.push(...csvClasses(c, rows, label, text.whole, header ? 2 : 1));
  return out;
}

/** The output layer of a one-output model, its units and the span of what sets them; null for other models. */
function output(model: ModelSpec, m: number, info: ModelShapeInfo, spans: SpanIndex) {
  const graph = modelGraph(model);
  if (graph.inputs.length !== 1 || graph.outputs.length !== 1) return null;
  const path = pathToOutput(graph, graph.outputs[0]);
  const units = info.layers.find((l) => l.name === graph.outputs[0])?.outputShape.at(-1);
  if (typeof units !== 'number' || path.length === 0) return null;
  const at = unitsLayer(path);
  const span = at ? spans.valueAt(pointer('models', m, 'layers', at.index, at.arg)) : spans.valueAt(pointer('models', m, 'layers', path[0].index));
  return { units, span, layer: (at?.layer ?? path[0].layer).name };
}

/** An IDX labels file's first READ_BYTES (gunzipped as far as they go): every label must be a class of the output. */
function idxLabels(model: ModelSpec, m: number, info: ModelShapeInfo, spans: SpanIndex, file: string, shown: string): Diagnostic[] {
  const out = output(model, m, info, spans);
  const text = out && head(file);
  if (!out || !text) return [];
  let bytes: Uint8Array = Buffer.from(text.raw);
  try {
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
      const { gunzipSync, constants } = process.getBuiltinModule('node:zlib');
      bytes = gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH });
    }
  } catch {
    return [];
  }
  // magic 00 00 08 01: unsigned bytes, one dimension; then the count, then one byte per record
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== 0x08 || bytes[3] !== 1) return [];
  const classes = model.labels?.length ?? (out.units === 1 ? 2 : out.units);
  for (let i = 8; i < bytes.length; i++) {
    if (bytes[i] < classes) continue;
    return [diag('NN4056', out.span, { record: i - 8, file: q(shown), label: bytes[i], classes, layer: q(out.layer) })];
  }
  return [];
}

/** The label values in the rows read against the model's labels, or their count against its output units. */
function csvClasses(c: CsvContext, rows: string[][], label: number, whole: boolean, firstLine: number): Diagnostic[] {
  const values = new Set(rows.map((r) => r[label]).filter((v) => v !== ''));
  const out = output(c.model, c.m, c.info, c.spans);
  if (!out) return [];
  const found: Diagnostic[] = [];
  if (c.model.labels) {
    const known = new Set(c.model.labels);
    const row = rows.findIndex((r) => r[label] !== '' && !known.has(r[label]));
    if (row < 0) return [];
    return [diag('NN4055', c.spans.valueAt(pointer('models', c.m, 'labels')), { value: q(rows[row][label]), file: q(c.shown), model: q(c.model.name) }, {
      // a row's line, counting the header; exact unless a quoted field above it spans lines
      notes: [`first found in row ${row + 1} (line ${row + firstLine}) of ${c.shown}`],
      suggestions: suggest(rows[row][label], c.model.labels),
    })];
  }
  const { units, span, layer } = out;
  const expected = units === 1 ? 2 : units;
  const count = values.size;
  if (whole) found.push(...csvClassWeights(c, values));
  if (count === expected || (!whole && count < expected)) return found;
  const shown = [...values].slice(0, 12).map(q).join(', ') + (count > 12 ? ', ...' : '');
  return [...found, diag('NN4001', span, { expected: count, classes: count, dataset: q(c.dataset.name), found: units, layer: q(layer) }, {
    notes: [`${whole ? '' : 'the first '}${rows.length} rows of ${c.shown} hold ${whole ? '' : 'at least '}${count} classes: ${shown}`],
  })];
}

/** class_weights against the classes of a file read whole, by exact name or index, as the trainer takes them. */
function csvClassWeights(c: CsvContext, values: Set<string>): Diagnostic[] {
  const weights = c.spec.trainings[c.t].class_weights;
  if (!weights) return [];
  const names = [...values];
  return Object.keys(weights).filter((key) => !values.has(key) && !(/^\d+$/.test(key) && Number(key) < values.size)).map((key) =>
    diag('NN4011', c.spans.keyAt(pointer('trainings', c.t, 'class_weights', key)), { name: q(key) }, {
      suggestions: suggest(key, names),
      notes: [`the classes of ${c.shown}: ${names.slice(0, 12).map(q).join(', ')}${names.length > 12 ? ', ...' : ''}`],
    }));
}
