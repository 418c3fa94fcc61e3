// Writes a run's report folder: training-history charts, confusion matrix heatmap, a grid of test samples
// (SVG + PNG each), evaluation.json, confusion.json, and report.md that ties them together.

import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  formatMetric,
  type AveragedMetrics,
  type ClassificationReport,
  type RegressionReport,
} from './metrics.js';
import { confusionHeatmap, historyCharts, sampleGrid, type RenderedChart } from './plots.js';
import { embeddedWarning, runRows, type RunFacts } from './run-facts.js';

export interface RunReportInput {
  title: string;
  specSource: string;
  backend: string;
  history: Record<string, number[]>;
  evaluation: ClassificationReport | RegressionReport;
  classes: string[] | null;
  samples?: Parameters<typeof sampleGrid>[0];
  extra?: Record<string, string | number>;
  /** What the run measured and on what: the first lines of report.md, and recorded in evaluation.json. */
  run?: RunFacts;
  /** Rasterizes a chart (svg-png.ts); without it the report has SVG charts only. */
  toPng?: (svg: string) => Promise<Buffer>;
}

/** Thrown when the report folder or one of its files cannot be written. */
export class ReportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportError';
  }
}

let tempCounter = 0;

/** Write to a temporary sibling, then rename, so readers never see a half-written file. */
async function writeAtomically(path: string, content: string | Buffer): Promise<void> {
  const temp = `${path}.${process.pid}.${tempCounter++}.tmp`;
  try {
    await writeFile(temp, content);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw new ReportError(`${path}: cannot write report file (${(error as Error).message})`);
  }
}

/** Escape text for a Markdown table cell. */
function cell(text: string | number): string {
  return String(text).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function markdownTable(header: string[], rows: (string | number)[][], align: ('l' | 'r')[]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `|${align.map((a) => (a === 'r' ? '---:' : ':---')).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

function fence(source: string): string {
  // a fence longer than any backtick run in the source, so the spec cannot close it early
  const longestRun = Math.max(2, ...(source.match(/`+/g) ?? []).map((run) => run.length));
  const marks = '`'.repeat(longestRun + 1);
  return `${marks}\n${source.replace(/\s+$/, '')}\n${marks}`;
}

function classificationSection(evaluation: ClassificationReport, classes: string[]): string[] {
  const metricCells = (m: AveragedMetrics) => [formatMetric(m.precision, 4), formatMetric(m.recall, 4), formatMetric(m.f1, 4)];
  const total = evaluation.perClass.reduce((a, c) => a + c.support, 0);
  const rows: (string | number)[][] = [
    ...evaluation.perClass.map((c) => [c.label, ...metricCells(c), c.support]),
    ['**macro avg**', ...metricCells(evaluation.macro), total],
    ['**weighted avg**', ...metricCells(evaluation.weighted), total],
  ];
  if (evaluation.binary) {
    rows.push([`**binary (positive = ${evaluation.binary.positive})**`, ...metricCells(evaluation.binary), evaluation.perClass[1].support]);
  }
  return [
    `Accuracy: **${formatMetric(evaluation.accuracy, 4)}** (${total} samples)`,
    '',
    markdownTable(['class', 'precision', 'recall', 'f1', 'support'], rows, ['l', 'r', 'r', 'r', 'r']),
    '',
    'n/a: undefined (precision of a class never predicted, recall of a class absent from the test set);',
    'averages leave undefined values out (like scikit-learn with zero_division=nan).',
    '',
    '### Confusion matrix',
    '',
    'Rows are the expected class, columns the predicted class.',
    '',
    markdownTable(['expected \\ predicted', ...classes], evaluation.confusion.map((row, k) => [classes[k], ...row]),
      ['l', ...classes.map(() => 'r' as const)]),
  ];
}

function regressionSection(evaluation: RegressionReport): string[] {
  return [
    markdownTable(['metric', 'value'], [
      ['samples', evaluation.count],
      ['mse', formatMetric(evaluation.mse, 6)],
      ['rmse', formatMetric(Math.sqrt(evaluation.mse), 6)],
      ['mae', formatMetric(evaluation.mae, 6)],
      ['r²', formatMetric(evaluation.r2, 6)],
    ], ['l', 'r']),
    ...(evaluation.r2 === null ? ['', 'r² is n/a because the expected values are all equal.'] : []),
  ];
}

function historySection(history: Record<string, number[]>): string[] {
  const keys = Object.keys(history).filter((k) => history[k].length > 0);
  if (keys.length === 0) return ['No training history was recorded.'];
  const epochs = Math.max(...keys.map((k) => history[k].length));
  return [
    `Final values after ${epochs} epoch${epochs === 1 ? '' : 's'}:`,
    '',
    markdownTable(['metric', 'final', 'best'], keys.map((k) => {
      const values = history[k].filter(Number.isFinite);
      const lowerIsBetter = !/acc|auc|precision|recall|f1|r2/i.test(k);
      const best = values.length === 0 ? null : lowerIsBetter ? Math.min(...values) : Math.max(...values);
      return [k, formatMetric(history[k][history[k].length - 1] ?? null, 4), formatMetric(best, 4)];
    }), ['l', 'r', 'r']),
  ];
}

function chartImage(chart: RenderedChart, png: boolean): string {
  const alt = chart.title.replace(/[[\]\\]/g, '\\$&');
  return png ? `![${alt}](${chart.name}.png)\n\n[SVG](${chart.name}.svg)` : `![${alt}](${chart.name}.svg)`;
}

export async function writeRunReport(dir: string, input: RunReportInput): Promise<{ files: string[] }> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new ReportError(`${dir}: cannot create report folder (${(error as Error).message})`);
  }
  const files: string[] = [];
  const write = async (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    await writeAtomically(path, content);
    files.push(path);
  };
  const writeChart = async (chart: RenderedChart) => {
    await write(`${chart.name}.svg`, chart.svg);
    if (input.toPng) await write(`${chart.name}.png`, await input.toPng(chart.svg));
  };
  const image = (chart: RenderedChart) => chartImage(chart, input.toPng !== undefined);

  const { evaluation } = input;
  const classes = evaluation.task === 'classification' ? (input.classes ?? evaluation.perClass.map((c) => c.label)) : null;

  const historyPlots = await historyCharts(input.history);
  for (const chart of historyPlots) await writeChart(chart);
  let confusionPlot: RenderedChart | null = null;
  if (evaluation.task === 'classification' && classes) {
    confusionPlot = await confusionHeatmap(evaluation.confusion, classes);
    await writeChart(confusionPlot);
    await write('confusion.json', `${JSON.stringify({ rows: 'expected', columns: 'predicted', classes, matrix: evaluation.confusion }, null, 2)}\n`);
  }
  let samplesPlot: RenderedChart | null = null;
  if (input.samples && input.samples.length > 0) {
    samplesPlot = await sampleGrid(input.samples);
    await writeChart(samplesPlot);
  }
  await write('evaluation.json', `${JSON.stringify({ ...evaluation, classes, ...(input.run ? { run: input.run } : {}) }, null, 2)}\n`);

  const extraRows = Object.entries(input.extra ?? {}).map(([k, v]) => [k, v]);
  const runTable = input.run ? runRows(input.run) : [['backend', input.backend], ['written', new Date().toISOString()]];
  const markdown = [
    `# ${input.title}`,
    '',
    ...(input.run ? embeddedWarning(input.run) : []),
    markdownTable(['run', ''], [...runTable, ...extraRows], ['l', 'l']),
    '',
    '## Evaluation',
    '',
    ...(evaluation.task === 'classification' ? classificationSection(evaluation, classes ?? []) : regressionSection(evaluation)),
    ...(confusionPlot ? ['', image(confusionPlot)] : []),
    '',
    '## Training history',
    '',
    ...historySection(input.history),
    ...historyPlots.flatMap((chart) => ['', image(chart)]),
    ...(samplesPlot ? ['', '## Test samples', '', 'Titles read "predicted (confidence) / expected"; wrong predictions are red.', '', image(samplesPlot)] : []),
    '',
    '## Spec',
    '',
    ...(input.run?.spec.text ? [`\`${input.specSource}\`:`, '', fence(input.run.spec.text)] : [fence(input.specSource)]),
    '',
  ].join('\n');
  await write('report.md', markdown);
  return { files };
}
