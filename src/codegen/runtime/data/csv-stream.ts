// A CSV file streamed straight into typed arrays: each row is parsed, checked (field count, numbers, label) and
// written into the sample arrays, then dropped, so memory holds the numbers and not the text. The arrays are sized
// from the file's size and the bytes per row of its first rows (grown by half when the guess is short), and the
// figure is checked before they are allocated: a file whose numbers, with the copies splitting and training make,
// would not fit in memory is one error naming its size, not a V8 abort minutes later.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { parse as parseStream } from 'csv-parse';
import type { CsvDataset } from '../spec-types.js';
import { chooseColumns, columnLabel, csvOptions, csvParseError, parseNumberCell, sortClassNames, type ColumnChoice, type CsvTable } from './csv.js';
import { DataError } from './errors.js';
import { checkDataFile } from './files.js';

/** How a file's label cells become labels: numbers, indices into known classes, or classes collected as they come. */
export type LabelCoder =
  | { kind: 'number' }
  | { kind: 'classes'; classes: string[]; /** the model's labels (else the training file's classes) */ declared: boolean }
  | { kind: 'collect' };

export interface StreamedSamples {
  values: Float32Array | Int32Array;
  labels: Int32Array | Float32Array;
  rows: number;
  columnCount: number;
  columns: ColumnChoice;
  /** The classes (sorted when collected), null for numeric labels. */
  classes: string[] | null;
}

/**
 * Bytes of memory a sample value costs while training: the loaded array, its split's copy and the tensor made from
 * it (4 bytes each as float32 or int32).
 */
export const TRAINING_BYTES_PER_VALUE = 12;
/** Rows read before the file's size is turned into a row count (and the arrays are sized). */
const SAMPLE_ROWS = 2_000;

const gib = (bytes: number) => (bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`);
const shownClasses = (classes: string[]) => (classes.length > 12 ? `${classes.slice(0, 12).join(', ')}, ... (${classes.length} in all)` : classes.join(', '));

/** The memory the data may take: NNC_DATA_MEMORY_BYTES, else the machine's physical memory. */
export function dataMemoryLimit(env: NodeJS.ProcessEnv): number {
  const set = Number(env.NNC_DATA_MEMORY_BYTES);
  return Number.isFinite(set) && set > 0 ? set : totalmem();
}

interface ParsedRecord { record: string[]; info: { lines: number; bytes: number } }

/** The typed arrays a file streams into: one per group of values (features, an input's columns, a label column). */
interface ArraySpec { width: number; dtype: 'float32' | 'int32' }
type SampleArray = Float32Array | Int32Array;

/** Growable sample arrays, one per ArraySpec; `check` tests the memory bound before every allocation. */
class SampleStore {
  arrays: SampleArray[];
  rows = 0;
  private capacity = 0;
  constructor(private readonly specs: readonly ArraySpec[], private readonly check: (rows: number, estimated: boolean) => void) {
    this.arrays = specs.map((spec) => this.make(spec, 0));
  }

  private make(spec: ArraySpec, rows: number): SampleArray {
    return spec.dtype === 'int32' ? new Int32Array(rows * spec.width) : new Float32Array(rows * spec.width);
  }

  /** Room for `rows` rows in all (`estimated`: from the file's size, for the message). */
  reserve(rows: number, estimated: boolean): void {
    if (rows <= this.capacity) return;
    this.check(rows, estimated);
    this.arrays = this.arrays.map((old, i) => {
      const grown = this.make(this.specs[i], rows);
      grown.set(old.subarray(0, this.rows * this.specs[i].width));
      return grown;
    });
    this.capacity = rows;
  }

  /** The next row's index, growing the arrays by half when they are full. */
  nextRow(): number {
    if (this.rows >= this.capacity) this.reserve(Math.max(SAMPLE_ROWS, Math.ceil(this.capacity * 1.5)), false);
    return this.rows++;
  }

  finish(): SampleArray[] {
    return this.arrays.map((a, i) => a.subarray(0, this.rows * this.specs[i].width));
  }
}

/** What a loader makes of a file's first record (its header, or first row): the arrays its rows fill, and how. */
interface RowReader {
  arrays: ArraySpec[];
  /** Values counted against the memory bound per row (and named in its message as features). */
  features: number;
  /** Writes data row `row` (0-based), first line `line`, into `arrays` (which grow: use the ones given). */
  read(cells: string[], line: number, row: number, arrays: SampleArray[]): void;
}

interface StreamedRows { layout: CsvTable; rows: number; arrays: SampleArray[] }

/**
 * Streams the CSV file at `path` row by row into the arrays `begin` asks for, given the file's layout (its header
 * and field count) at its first record: every row is checked for its field count and dropped once `read` has it.
 */
export async function streamCsvRows(
  path: string, ds: Pick<CsvDataset, 'header' | 'delimiter'>, env: NodeJS.ProcessEnv, begin: (layout: CsvTable, line: number) => RowReader,
): Promise<StreamedRows> {
  await checkDataFile(path, 'the CSV file');
  const fileBytes = (await stat(path)).size;
  const limit = dataMemoryLimit(env);
  const input = createReadStream(path);
  const parser = parseStream(csvOptions(ds.delimiter));
  // pipe() does not forward the read stream's errors: without this an I/O error escapes as an uncaught one.
  input.on('error', (error) => parser.destroy(error));

  let layout: CsvTable | null = null;
  let firstLine = 0;
  let reader: RowReader | null = null;
  let store: SampleStore | null = null;
  let sized = false;

  const memoryCheck = (width: number) => (rows: number, estimated: boolean) => {
    const need = rows * width * TRAINING_BYTES_PER_VALUE;
    if (need <= limit) return;
    const count = estimated ? `about ${rows.toLocaleString('en-US')} rows (from its ${gib(fileBytes)} size)` : `over ${rows.toLocaleString('en-US')} rows`;
    throw new DataError(
      `${path}: ${count} x ${width} features need about ${gib(need)} to train (${TRAINING_BYTES_PER_VALUE} bytes a value: the values, ` +
      `their split and their tensor), more than the ${gib(limit)} of memory${env.NNC_DATA_MEMORY_BYTES ? ' NNC_DATA_MEMORY_BYTES allows' : ' this machine has'}; ` +
      'train on a sample of the file, or on a machine with more memory',
    );
  };

  try {
    for await (const parsed of input.pipe(parser)) {
      const { record: cells, info } = parsed as ParsedRecord;
      // info.lines is the record's last line; a quoted field spanning lines moves its first line up.
      const line = info.lines - cells.reduce((n, cell) => n + (cell.includes('\n') ? cell.split('\n').length - 1 : 0), 0);
      if (!layout) {
        layout = { file: path, header: ds.header ? cells : null, rows: [], columnCount: cells.length };
        firstLine = line;
        reader = begin(layout, line);
        store = new SampleStore(reader.arrays, memoryCheck(reader.features));
        if (ds.header) continue;
      }
      if (cells.length !== layout.columnCount) {
        throw new DataError(`${path}:${line}: ragged row: expected ${layout.columnCount} fields (as in line ${firstLine}), found ${cells.length}`);
      }
      const s = store!;
      if (!sized && s.rows === SAMPLE_ROWS) {
        // The arrays are sized once from the file's size: rows so far over the bytes they took.
        sized = true;
        s.reserve(Math.ceil((fileBytes / Math.max(1, info.bytes)) * s.rows * 1.02) + 16, true);
      }
      const row = s.nextRow();
      reader!.read(cells, line, row, s.arrays);
    }
  } catch (error) {
    if (error instanceof DataError) throw error;
    const { code } = error as NodeJS.ErrnoException;
    if (code && !code.startsWith('CSV_')) throw new DataError(`${path}: cannot read CSV file (${code})`);
    throw csvParseError(error, path);
  } finally {
    input.destroy();
  }
  if (!layout || !store) throw new DataError(`${path}:1: the CSV file is empty`);
  if (store.rows === 0) throw new DataError(`${path}: the CSV file has a header but no data rows`);
  return { layout, rows: store.rows, arrays: store.finish() };
}

/** Numbers labels as they come, by a known class list or by first appearance; `sorted` renumbers the latter in sorted order. */
export class ClassCoder {
  private readonly index: Map<string, number>;
  readonly collected: string[] = [];
  constructor(readonly known: string[] | null) {
    this.index = new Map(known ? known.map((name, i) => [name, i]) : []);
  }

  /** The label's index, or null when the class list is known and lacks it. */
  code(cell: string): number | null {
    const found = this.index.get(cell);
    if (found !== undefined) return found;
    if (this.known) return null;
    const index = this.collected.length;
    this.index.set(cell, index);
    this.collected.push(cell);
    return index;
  }

  /** The collected classes sorted (sortClassNames), each label renumbered to its place among them. */
  sorted(labels: Int32Array | Float32Array): string[] {
    const classes = sortClassNames(this.collected);
    const place = new Map(classes.map((name, i) => [name, i]));
    const remap = Int32Array.from(this.collected, (name) => place.get(name)!);
    for (let r = 0; r < labels.length; r++) labels[r] = remap[labels[r]];
    return classes;
  }
}

/**
 * Streams the CSV file at `path` into sample values (the dataset's feature columns, as `dtype`) and labels.
 * `train`: for a test file, the training file's field count, which it must match.
 */
export async function streamCsvSamples(
  path: string, ds: CsvDataset, dtype: 'float32' | 'int32', coder: LabelCoder, env: NodeJS.ProcessEnv,
  train?: { columnCount: number; file: string },
): Promise<StreamedSamples> {
  const chosen: { columns?: ColumnChoice } = {};
  const classes = new ClassCoder(coder.kind === 'classes' ? coder.classes : null);
  const streamed = await streamCsvRows(path, ds, env, (layout, line) => {
    if (train && layout.columnCount !== train.columnCount) {
      throw new DataError(`${path}:${line}: test file has ${layout.columnCount} fields per row but ${train.file} has ${train.columnCount}`);
    }
    const cols = chooseColumns(layout, ds);
    chosen.columns = cols;
    const width = cols.features.length;
    return {
      arrays: [{ width, dtype }, { width: 1, dtype: coder.kind === 'number' ? 'float32' : 'int32' }],
      features: width,
      read(cells, line, row, [values, labels]) {
        const at = row * width;
        for (let f = 0; f < width; f++) {
          const column = cols.features[f];
          values[at + f] = parseNumberCell(cells[column], `${path}:${line}:${column + 1}`, columnLabel(layout, column), dtype === 'int32');
        }
        const cell = cells[cols.label];
        const where = `${path}:${line}:${cols.label + 1}`;
        if (coder.kind === 'number') {
          labels[row] = parseNumberCell(cell, where, `${columnLabel(layout, cols.label)} (label)`, false);
          return;
        }
        if (cell === '') throw new DataError(`${where}: missing label`);
        const index = classes.code(cell);
        if (index === null) {
          throw new DataError(`${where}: label '${cell}' is not one of ${coder.kind === 'classes' && coder.declared ? "the model's labels" : 'the training classes'} (${shownClasses(classes.known!)})`);
        }
        labels[row] = index;
      },
    };
  });
  const [values, labels] = streamed.arrays;
  // Classes were numbered as they came; sorted, each first-seen number maps to its place in the sorted list.
  const names = coder.kind === 'classes' ? coder.classes : coder.kind === 'collect' ? classes.sorted(labels) : null;
  return { values, labels, rows: streamed.rows, columnCount: streamed.layout.columnCount, columns: chosen.columns!, classes: names };
}
