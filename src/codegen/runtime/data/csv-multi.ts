// A CSV dataset for a model with several inputs or outputs: the feature columns of each input (`inputs: { a:
// [...], b: [...] }`) and a label column per output (`labels: { kind: "species", price: "cost" }`), each output
// classification or regression (`task`). Splits, normalization (per feature column, fitted on the training split of
// each input) and the preprocessing record follow the one-input loader (load.ts), with one tensor per input and
// per output. Files stream through csv-stream.ts as the one-input loader's do: memory holds the numbers, not the text.

import * as tf from '@tensorflow/tfjs';
import { resolve } from 'node:path';
import type { CsvDataset, ModelInput, Task } from '../spec-types.js';
import { labelColumns, outputTask } from '../outputs.js';
import { columnLabel, parseCsvTable, parseNumberCell, resolveColumn, type CsvTable } from './csv.js';
import { ClassCoder, streamCsvRows } from './csv-stream.js';
import { DataError } from './errors.js';
import { locateDataset } from './locate.js';
import { applyNormalizationInPlace, fitNormalization, type NormalizationParams } from './normalize.js';
import { planSplits } from './split.js';

export interface MultiSplit { x: tf.Tensor[]; y: tf.Tensor[]; size: number }

export interface InputColumns {
  name: string; shape: number[]; dtype: 'float32' | 'int32';
  /** 0-based positions of the input's features in a full row, in model order. */
  columns: number[];
  columnNames: string[] | null;
  /** Fitted on the training split, per feature column. */
  normalize: NormalizationParams;
}

export interface OutputLabels { name: string; task: Task; column: number; columnName: string | null; classes: string[] | null }

/** The preprocessing record of a model with several inputs or outputs, saved next to it as preprocessing.json. */
export interface MultiPreprocessing {
  version: 1; source: 'csv'; layout: 'multi';
  delimiter: string;
  /** Fields in a full training row. */
  columnCount: number;
  inputs: InputColumns[];
  outputs: OutputLabels[];
}

export interface MultiLoadedData {
  train: MultiSplit; validation: MultiSplit | null; test: MultiSplit | null;
  /** Always null: class lists are per output (`labels`); typed as the one-output loader's for train.ts. */
  classes: string[] | null;
  /** Class names per classification output (null for a regression output), by output name: labels.json. */
  labels: Record<string, string[] | null>;
  outputs: OutputLabels[];
  preprocessing: MultiPreprocessing;
  description: string;
  origin: string;
  embedded: false;
}

export interface MultiLoadOptions {
  specDir: string; dataDir?: string; datasetPaths?: Record<string, string>; env?: NodeJS.ProcessEnv;
  seed: number; splitLimit?: number; log?: (line: string) => void;
}

const product = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const classCount = (units: number) => (units === 1 ? 2 : units);

/** Resolves the columns of every input and output against the training file's header. */
function chooseColumns(table: CsvTable, ds: CsvDataset, inputs: ModelInput[], outputs: { name: string; units: number }[]) {
  const labels = labelColumns(ds, outputs.map((o) => o.name));
  if (labels.length !== outputs.length) throw new DataError(`${table.file}: dataset '${ds.name}' gives ${labels.length} label columns for ${outputs.length} model outputs`);
  const labelAt = labels.map(({ output, column }) => {
    if (column === undefined) throw new DataError(`${table.file}: dataset '${ds.name}' gives no label column for output '${output}'`);
    return resolveColumn(table, column, `label of output '${output}'`);
  });
  const byInput = inputs.map((input) => {
    const written = ds.inputs ? ds.inputs[input.name] : ds.features;
    if (ds.inputs && !written) throw new DataError(`${table.file}: dataset '${ds.name}' gives no feature columns for input '${input.name}'`);
    const columns = written
      ? written.map((c) => resolveColumn(table, c, `feature of input '${input.name}'`))
      : Array.from({ length: table.columnCount }, (_, i) => i).filter((i) => !labelAt.includes(i));
    if (columns.length !== product(input.shape)) {
      throw new DataError(`${table.file}: input '${input.name}' [${input.shape.join(', ')}] needs ${product(input.shape)} feature columns, dataset '${ds.name}' gives ${columns.length}`);
    }
    const label = columns.find((c) => labelAt.includes(c));
    if (label !== undefined) throw new DataError(`${table.file}: column ${columnLabel(table, label)} is both a feature of input '${input.name}' and a label`);
    return columns;
  });
  return { labelAt, byInput };
}

/** The columns a file's rows are read from: per input its features, per output its label (and its classes). */
interface FileColumns { byInput: number[][]; outputs: { name: string; column: number; classes: ClassCoder | null }[] }

/** A file's feature values per input and labels per output, row after row. */
interface FileData { x: { values: Float32Array; width: number }[]; y: (Int32Array | Float32Array)[]; rows: number; layout: CsvTable; columns: FileColumns }

/**
 * Streams a file's feature values per input and labels per output (csv-stream.ts: no row outlives its parsing).
 * `columnsOf` picks the columns from the file's layout; `train`: for a test file, the training file's field count.
 */
async function streamFile(
  path: string, ds: CsvDataset, inputs: ModelInput[], env: NodeJS.ProcessEnv, columnsOf: (layout: CsvTable) => FileColumns,
  train?: { columnCount: number; file: string },
): Promise<FileData> {
  const chosen: { columns?: FileColumns } = {};
  const streamed = await streamCsvRows(path, ds, env, (layout) => {
    const { byInput, outputs } = chosen.columns = columnsOf(layout);
    return {
      arrays: [
        ...byInput.map((columns) => ({ width: columns.length, dtype: 'float32' as const })),
        ...outputs.map((o) => ({ width: 1, dtype: o.classes ? 'int32' as const : 'float32' as const })),
      ],
      features: byInput.reduce((n, columns) => n + columns.length, 0),
      read(cells, line, row, arrays) {
        if (row === 0 && train && layout.columnCount !== train.columnCount) {
          throw new DataError(`${path}:${line}: test file has ${layout.columnCount} fields per row but ${train.file} has ${train.columnCount}`);
        }
        byInput.forEach((columns, k) => columns.forEach((column, f) => {
          arrays[k][row * columns.length + f] = parseNumberCell(cells[column], `${path}:${line}:${column + 1}`, columnLabel(layout, column), inputs[k].dtype === 'int32');
        }));
        outputs.forEach((o, k) => {
          const labels = arrays[byInput.length + k];
          const cell = cells[o.column];
          const where = `${path}:${line}:${o.column + 1}`;
          if (!o.classes) return void (labels[row] = parseNumberCell(cell, where, `${columnLabel(layout, o.column)} (label of output '${o.name}')`, false));
          if (cell === '') throw new DataError(`${where}: missing label of output '${o.name}'`);
          const index = o.classes.code(cell);
          if (index === null) throw new DataError(`${where}: label '${cell}' of output '${o.name}' is not one of the training classes (${o.classes.known!.join(', ')})`);
          labels[row] = index;
        });
      },
    };
  });
  const columns = chosen.columns!;
  return {
    x: columns.byInput.map((features, k) => ({ values: streamed.arrays[k] as Float32Array, width: features.length })),
    y: streamed.arrays.slice(inputs.length),
    rows: streamed.rows, layout: streamed.layout, columns,
  };
}

/** Loads, splits and normalizes a CSV dataset for a model with these inputs and outputs (in model order). */
export async function loadMultiCsv(ds: CsvDataset, inputs: ModelInput[], outputUnits: { name: string; units: number }[], opts: MultiLoadOptions): Promise<MultiLoadedData> {
  opts.log?.(`loading dataset '${ds.name}' (csv, ${inputs.length} input${inputs.length === 1 ? '' : 's'}, ${outputUnits.length} output${outputUnits.length === 1 ? '' : 's'})`);
  const env = opts.env ?? process.env;
  const location = locateDataset(ds, { specDir: opts.specDir, dataDir: opts.dataDir, env, paths: opts.datasetPaths });
  const located = location.dataset as CsvDataset;
  const trainPath = resolve(location.root, located.train);
  const tasks = outputUnits.map(({ name }) => outputTask(ds, name));
  const trainData = await streamFile(trainPath, ds, inputs, env, (layout) => {
    const { labelAt, byInput } = chooseColumns(layout, ds, inputs, outputUnits);
    return { byInput, outputs: outputUnits.map(({ name }, k) => ({ name, column: labelAt[k], classes: tasks[k] === 'classification' ? new ClassCoder(null) : null })) };
  });
  const { layout: train, columns: trainColumns } = trainData;
  const { byInput } = trainColumns;
  const outputs: OutputLabels[] = outputUnits.map(({ name, units }, k) => {
    const { column, classes: coder } = trainColumns.outputs[k];
    // Classes were numbered as they came; sorted, each label is renumbered to its place in the sorted list.
    const classes = coder ? coder.sorted(trainData.y[k]) : null;
    if (classes && classes.length !== classCount(units)) {
      throw new DataError(`${trainPath}: column ${columnLabel(train, column)} has ${classes.length} classes (${classes.slice(0, 12).join(', ')}) but output '${name}' has ${units} unit${units === 1 ? '' : 's'} (${classCount(units)} classes)`);
    }
    return { name, task: tasks[k], column, columnName: train.header ? train.header[column] : null, classes };
  });
  let testData: FileData | null = null;
  if (located.test_path !== null) {
    const testPath = resolve(location.root, located.test_path);
    const testColumns: FileColumns = { byInput, outputs: outputs.map((o) => ({ name: o.name, column: o.column, classes: o.classes ? new ClassCoder(o.classes) : null })) };
    testData = await streamFile(testPath, ds, inputs, env, () => testColumns, { columnCount: train.columnCount, file: trainPath });
  }

  const plan = planSplits(trainData.rows, { validation: ds.validation, test: testData ? 0 : ds.test, shuffle: ds.shuffle, seed: opts.seed, limit: ds.limit });
  const cap = (indices: number[]) => (opts.splitLimit === undefined ? indices : indices.slice(0, opts.splitLimit));
  const testRows = testData ? Array.from({ length: testData.rows }, (_, i) => i) : plan.test;
  const parts: [FileData, number[]][] = [[trainData, cap(plan.train)], [trainData, cap(plan.validation)], [testData ?? trainData, cap(testRows)]];
  if (parts[0][1].length === 0) throw new DataError(`${trainPath}: dataset '${ds.name}' has no training samples after splitting`);

  // Per input: gather each split's rows, fit the normalization on the training rows, apply it everywhere.
  const values: Float32Array[][] = inputs.map(() => []); // [input][split]
  const inputColumns: InputColumns[] = inputs.map((input, k) => {
    const width = byInput[k].length;
    values[k] = parts.map(([data, rows]) => {
      const out = new Float32Array(rows.length * width);
      rows.forEach((row, r) => out.set(data.x[k].values.subarray(row * width, (row + 1) * width), r * width));
      return out;
    });
    const normalize = input.dtype === 'int32' ? { type: 'none' as const } : fitNormalization(ds.normalize, values[k][0], width, width);
    if (input.dtype === 'float32') for (const split of values[k]) applyNormalizationInPlace(split, normalize);
    return { name: input.name, shape: [...input.shape], dtype: input.dtype, columns: byInput[k], columnNames: train.header ? byInput[k].map((c) => train.header![c]) : null, normalize };
  });
  const splits = parts.map(([data, rows], p): MultiSplit | null => {
    if (p > 0 && rows.length === 0) return null;
    return {
      x: inputs.map((input, k) => tf.tensor(input.dtype === 'int32' ? Int32Array.from(values[k][p]) : values[k][p], [rows.length, ...input.shape], input.dtype)),
      y: outputs.map((o, k) => {
        const labels = rows.map((row) => data.y[k][row]);
        return o.task === 'classification' ? tf.tensor1d(labels, 'int32') : tf.tensor2d(labels, [rows.length, 1], 'float32');
      }),
      size: rows.length,
    };
  });
  const [trainSplit, validation, test] = splits;
  const description = `csv from ${trainPath} (${trainSplit!.size} train, ${validation?.size ?? 0} validation, ${test?.size ?? 0} test)`;
  opts.log?.(description);
  return {
    train: trainSplit!, validation, test,
    classes: null,
    labels: Object.fromEntries(outputs.map((o) => [o.name, o.classes])),
    outputs,
    preprocessing: { version: 1, source: 'csv', layout: 'multi', delimiter: ds.delimiter, columnCount: train.columnCount, inputs: inputColumns, outputs },
    description, origin: trainPath, embedded: false,
  };
}

/**
 * One CSV row at inference, as model inputs normalized as in training: a full row as in the training file (labels
 * ignored) or just the features, input after input in model order.
 */
export function parseMultiCsvRow(line: string, prep: MultiPreprocessing): Float32Array[] {
  const table = parseCsvTable(line, 'input', false, prep.delimiter);
  if (table.rows.length !== 1) throw new DataError(`input: expected one CSV row, found ${table.rows.length}`);
  const cells = table.rows[0].cells;
  const featureCount = prep.inputs.reduce((n, i) => n + i.columns.length, 0);
  const full = cells.length === prep.columnCount;
  if (!full && cells.length !== featureCount) {
    throw new DataError(`input:1: expected ${featureCount} feature values (${prep.inputs.map((i) => `${i.columns.length} for ${i.name}`).join(', ')}) or a full row of ${prep.columnCount} fields, found ${cells.length}`);
  }
  let next = 0;
  return prep.inputs.map((input) => {
    const values = Float32Array.from(input.columns, (column, f) => {
      const at = full ? column : next++;
      const name = input.columnNames ? `'${input.columnNames[f]}'` : `${column}`;
      return parseNumberCell(cells[at], `input:1:${at + 1}`, name, input.dtype === 'int32');
    });
    if (input.dtype === 'float32') applyNormalizationInPlace(values, input.normalize);
    return values;
  });
}
