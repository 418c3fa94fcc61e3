// CSV datasets via csv-parse. Every bad cell is reported as `file:line:column` (column = 1-based field number).
// Files are streamed, and no row may exceed MAX_CSV_ROW_BYTES, so a file that is one endless line (a binary file, a
// 2 GB line) fails at that line with bounded memory instead of being read whole. A training file is streamed
// straight into typed arrays (csv-stream.ts; a model with several inputs or outputs too, csv-multi.ts): no row
// outlives its parsing, so a 1.5 GB file takes the memory of its numbers, and a file whose numbers cannot fit in
// memory is refused, with the figure, before they are allocated.

import { resolve } from 'node:path';
import type { Options as CsvOptions } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import type { CsvDataset, Task } from '../spec-types.js';
import { DataError } from './errors.js';
import { arrayPool, type ReadContext, type SourceData } from './pool.js';
import { preprocessSample, type Preprocessing } from './preprocess.js';
import { streamCsvSamples, type LabelCoder } from './csv-stream.js';

interface CsvRow { cells: string[]; line: number }
export interface CsvTable { file: string; header: string[] | null; rows: CsvRow[]; columnCount: number }

interface ParsedRecord { record: string[]; info: { lines: number } }

/** The longest row read (csv-parse counts characters: bytes for ASCII files); a row of 100,000 numbers fits. */
export const MAX_CSV_ROW_BYTES = 4 * 1024 * 1024;

export const csvOptions = (delimiter: string): CsvOptions => ({
  delimiter, info: true, relax_column_count: true, skip_empty_lines: true, trim: true, bom: true,
  max_record_size: MAX_CSV_ROW_BYTES,
});

export function csvParseError(error: unknown, file: string): DataError {
  const { lines, code, message } = error as { lines?: number; code?: string; message: string };
  if (code === 'CSV_MAX_RECORD_SIZE') {
    return new DataError(`${file}:${lines ?? '?'}: row longer than ${MAX_CSV_ROW_BYTES / 1024 / 1024} MiB; is this a CSV file?`);
  }
  return new DataError(`${file}:${lines ?? '?'}: ${message}`);
}

/** Parses CSV text (one row at inference) into a table. */
export function parseCsvTable(text: string, file: string, header: boolean, delimiter: string): CsvTable {
  let records: ParsedRecord[];
  try {
    records = parse(text, csvOptions(delimiter)) as unknown as ParsedRecord[];
  } catch (error) {
    throw csvParseError(error, file);
  }
  return tableOf(records, file, header);
}

/** Rows with their line numbers; checks every row has as many fields as the first. */
function tableOf(records: ParsedRecord[], file: string, header: boolean): CsvTable {
  // info.lines is the record's last line; a quoted field spanning lines moves its first line up.
  const rows = records.map(({ record, info }) => ({
    cells: record,
    line: info.lines - record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0),
  }));
  if (rows.length === 0) throw new DataError(`${file}:1: the CSV file is empty`);
  const columnCount = rows[0].cells.length;
  for (const row of rows) {
    if (row.cells.length !== columnCount) {
      throw new DataError(
        `${file}:${row.line}: ragged row: expected ${columnCount} fields (as in line ${rows[0].line}), found ${row.cells.length}`,
      );
    }
  }
  const headerRow = header ? rows.shift()!.cells : null;
  if (rows.length === 0) throw new DataError(`${file}: the CSV file has a header but no data rows`);
  return { file, header: headerRow, rows, columnCount };
}

export function resolveColumn(table: CsvTable, column: string | number, role: string): number {
  if (typeof column === 'number') {
    if (!Number.isInteger(column) || column < 0 || column >= table.columnCount) {
      throw new DataError(`${table.file}: ${role} column index ${column} is out of range: rows have ${table.columnCount} fields (0-based indices 0..${table.columnCount - 1})`);
    }
    return column;
  }
  if (!table.header) {
    throw new DataError(`${table.file}: ${role} column '${column}' is given by name but the dataset has header: false; use a 0-based index`);
  }
  const index = table.header.indexOf(column);
  if (index < 0) throw new DataError(`${table.file}:1: no column named '${column}' for the ${role} (columns: ${table.header.join(', ')})`);
  return index;
}

/** Parses one numeric cell or throws a DataError at file:line:column. */
export function parseNumberCell(cell: string, where: string, columnName: string, integer: boolean): number {
  if (cell === '') throw new DataError(`${where}: missing value in column ${columnName}`);
  const value = Number(cell);
  if (!Number.isFinite(value)) {
    throw new DataError(`${where}: ${Number.isNaN(value) && !/^nan$/i.test(cell) ? 'not a number' : 'non-finite number'} '${cell}' in column ${columnName}`);
  }
  if (integer && !Number.isInteger(value)) throw new DataError(`${where}: '${cell}' in column ${columnName} is not an integer (the model input is int32)`);
  return value;
}

/** Sorted class names: numerically when every label is a number ("2" before "10"), else by code point. */
export function sortClassNames(names: Iterable<string>): string[] {
  const unique = [...new Set(names)];
  const numeric = unique.every((name) => name !== '' && Number.isFinite(Number(name)));
  return numeric ? unique.sort((a, b) => Number(a) - Number(b)) : unique.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export interface ColumnChoice { features: number[]; label: number; featureNames: string[] | null }

export function chooseColumns(table: CsvTable, ds: CsvDataset): ColumnChoice {
  if (ds.label === undefined) throw new DataError(`${table.file}: dataset '${ds.name}' names no label column`);
  const label = resolveColumn(table, ds.label, 'label');
  const features = ds.features === null
    ? Array.from({ length: table.columnCount }, (_, i) => i).filter((i) => i !== label)
    : ds.features.map((feature) => resolveColumn(table, feature, 'feature'));
  if (features.length === 0) throw new DataError(`${table.file}: no feature columns: the file has only the label column`);
  if (features.includes(label)) throw new DataError(`${table.file}: column ${ds.label} is both a feature and the label`);
  return { features, label, featureNames: table.header ? features.map((i) => table.header![i]) : null };
}

export const columnLabel = (table: CsvTable, index: number) => (table.header ? `'${table.header[index]}'` : `${index}`);

/** `declared`: the model's labels; then every label in the files must be one of them, and they keep their order. */
export async function loadCsvSource(
  ds: CsvDataset, dtype: 'float32' | 'int32', specDir: string, declared: string[] | null = null, env: NodeJS.ProcessEnv = process.env,
): Promise<SourceData> {
  const trainPath = resolve(specDir, ds.train);
  const isDeclared = declared !== null;
  const trainLabels: LabelCoder = ds.task !== 'classification' ? { kind: 'number' } : declared ? { kind: 'classes', classes: [...declared], declared: true } : { kind: 'collect' };
  const trainData = await streamCsvSamples(trainPath, ds, dtype, trainLabels, env);
  const { columns } = trainData;
  const classes = trainData.classes;
  let testPool = null;
  if (ds.test_path !== null) {
    const testPath = resolve(specDir, ds.test_path);
    const testLabels: LabelCoder = classes ? { kind: 'classes', classes, declared: isDeclared } : { kind: 'number' };
    const testData = await streamCsvSamples(testPath, ds, dtype, testLabels, env, { columnCount: trainData.columnCount, file: trainPath });
    testPool = arrayPool(testData.values, [columns.features.length], testData.labels);
  }
  const csv: Preprocessing['csv'] = {
    delimiter: ds.delimiter, columnCount: trainData.columnCount, featureIndices: columns.features, featureNames: columns.featureNames,
  };
  return {
    train: arrayPool(trainData.values, [columns.features.length], trainData.labels),
    test: testPool,
    validation: null,
    classes,
    task: ds.task as Task,
    groups: columns.features.length,
    image: null,
    csv,
    origin: trainPath,
  };
}

/** The `csv` format's reader. */
export function readSource(ds: CsvDataset, ctx: ReadContext): Promise<SourceData> {
  return loadCsvSource(ds, ctx.input.dtype, ctx.specDir, ctx.classes?.names ?? null, ctx.env);
}

/**
 * Parses one CSV line at inference and normalizes it as training did. The line is
 * either a full row as in the training file (features picked out, label ignored) or just the features in model order.
 */
export function parseCsvRowForInference(line: string, prep: Preprocessing): Float32Array {
  if (!prep.csv) throw new DataError('this model was not trained on CSV data');
  const table = parseCsvTable(line, 'input', false, prep.csv.delimiter);
  if (table.rows.length !== 1) throw new DataError(`input: expected one CSV row, found ${table.rows.length}`);
  const cells = table.rows[0].cells;
  const { featureIndices, columnCount, featureNames } = prep.csv;
  let picked: string[];
  if (cells.length === columnCount) picked = featureIndices.map((i) => cells[i]);
  else if (cells.length === featureIndices.length) picked = cells;
  else throw new DataError(`input:1: expected ${featureIndices.length} feature values or a full row of ${columnCount} fields, found ${cells.length}`);
  const raw = picked.map((cell, f) => {
    const column = cells.length === columnCount ? featureIndices[f] + 1 : f + 1;
    return parseNumberCell(cell, `input:1:${column}`, featureNames ? `'${featureNames[f]}'` : `${column - 1}`, prep.dtype === 'int32');
  });
  return preprocessSample(raw, prep);
}
