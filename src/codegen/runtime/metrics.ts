// Evaluation metrics for generated trainers: classification (precision/recall/F1 per class, averages,
// confusion matrix) and regression (MSE, MAE, R²). Pure TypeScript, no tfjs, so it is cheap to test.
//
// Conventions (compare with scikit-learn's classification_report):
// - precision_k = TP/(TP+FP) is null when class k was never predicted (sklearn: zero_division).
// - recall_k = TP/(TP+FN) is null when class k never occurs in the expected labels (support 0).
// - F1_k = 2TP/(2TP+FP+FN), the harmonic mean of precision and recall written so it stays defined when only
//   one of them is; null only when class k appears in neither expected nor predicted labels. This is the
//   formula sklearn >= 1.3 uses, so a class with support but no predictions gets F1 = 0.
// - macro averages are the plain mean over the classes where the metric is defined; weighted averages weight
//   each defined class by its support. Both are null when no class defines the metric. This equals sklearn
//   with zero_division=np.nan (undefined values are left out of the average); sklearn's default
//   zero_division="warn" instead counts them as 0, which drags macro precision down.
// - R² = 1 - SS_res/SS_tot is null for a constant target (SS_tot = 0), where sklearn's force_finite returns
//   1.0 or 0.0 instead.

/** Thrown for malformed metric input (mismatched lengths, labels out of range, non-finite values). */
export class MetricsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricsError';
  }
}

export interface ClassMetrics { label: string; precision: number | null; recall: number | null; f1: number | null; support: number }

export interface AveragedMetrics { precision: number | null; recall: number | null; f1: number | null }

export interface ClassificationReport {
  task: 'classification';
  accuracy: number;
  perClass: ClassMetrics[];
  macro: AveragedMetrics;
  weighted: AveragedMetrics;
  /** Present for two-class tasks: the metrics of the positive class (index 1). */
  binary?: { positive: string } & AveragedMetrics;
  /** rows = expected class, columns = predicted class */
  confusion: number[][];
}

export interface RegressionReport { task: 'regression'; mse: number; mae: number; r2: number | null; count: number }

function checkSameLength(what: string, expected: ArrayLike<number>, predicted: ArrayLike<number>): void {
  if (expected.length !== predicted.length) {
    throw new MetricsError(`${what}: ${expected.length} expected values but ${predicted.length} predictions`);
  }
  if (expected.length === 0) throw new MetricsError(`${what}: no samples to evaluate`);
}

function checkLabel(what: string, role: string, index: number, value: number, numClasses: number): void {
  if (!Number.isInteger(value) || value < 0 || value >= numClasses) {
    throw new MetricsError(`${what}: ${role} label at sample ${index} is ${value}, not a class index in 0..${numClasses - 1}`);
  }
}

/** Counts per (expected, predicted) pair; rows = expected, columns = predicted. */
export function confusionMatrix(expected: ArrayLike<number>, predicted: ArrayLike<number>, numClasses: number): number[][] {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new MetricsError(`confusionMatrix: number of classes must be a positive integer, got ${numClasses}`);
  }
  checkSameLength('confusionMatrix', expected, predicted);
  const matrix = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < expected.length; i++) {
    checkLabel('confusionMatrix', 'expected', i, expected[i], numClasses);
    checkLabel('confusionMatrix', 'predicted', i, predicted[i], numClasses);
    matrix[expected[i]][predicted[i]] += 1;
  }
  return matrix;
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/** Mean of the defined values, each weighted; null when nothing is defined or all weights are 0. */
function definedAverage(values: (number | null)[], weights: number[]): number | null {
  let sum = 0;
  let weightSum = 0;
  values.forEach((value, i) => {
    if (value === null) return;
    sum += value * weights[i];
    weightSum += weights[i];
  });
  return weightSum === 0 ? null : sum / weightSum;
}

export function classificationReport(expected: ArrayLike<number>, predicted: ArrayLike<number>, classes: string[]): ClassificationReport {
  if (classes.length < 1) throw new MetricsError('classificationReport: the class list is empty');
  const confusion = confusionMatrix(expected, predicted, classes.length);
  const count = expected.length;
  let correct = 0;
  const perClass: ClassMetrics[] = classes.map((label, k) => {
    const truePositives = confusion[k][k];
    correct += truePositives;
    const support = confusion[k].reduce((a, b) => a + b, 0);
    const predictedAsK = confusion.reduce((a, row) => a + row[k], 0);
    const falsePositives = predictedAsK - truePositives;
    const falseNegatives = support - truePositives;
    return {
      label,
      precision: ratio(truePositives, predictedAsK),
      recall: ratio(truePositives, support),
      f1: ratio(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives),
      support,
    };
  });
  const average = (weights: number[]): AveragedMetrics => ({
    precision: definedAverage(perClass.map((c) => c.precision), weights),
    recall: definedAverage(perClass.map((c) => c.recall), weights),
    f1: definedAverage(perClass.map((c) => c.f1), weights),
  });
  const report: ClassificationReport = {
    task: 'classification',
    accuracy: correct / count,
    perClass,
    macro: average(perClass.map(() => 1)),
    weighted: average(perClass.map((c) => c.support)),
    confusion,
  };
  if (classes.length === 2) {
    const positive = perClass[1];
    report.binary = { positive: positive.label, precision: positive.precision, recall: positive.recall, f1: positive.f1 };
  }
  return report;
}

export function regressionReport(expected: ArrayLike<number>, predicted: ArrayLike<number>): RegressionReport {
  checkSameLength('regressionReport', expected, predicted);
  const count = expected.length;
  let mean = 0;
  for (let i = 0; i < count; i++) {
    if (!Number.isFinite(expected[i])) throw new MetricsError(`regressionReport: expected value at sample ${i} is ${expected[i]}`);
    if (!Number.isFinite(predicted[i])) throw new MetricsError(`regressionReport: prediction at sample ${i} is ${predicted[i]} (did training diverge?)`);
    mean += expected[i];
  }
  mean /= count;
  let squaredError = 0;
  let absoluteError = 0;
  let totalSquares = 0;
  for (let i = 0; i < count; i++) {
    const error = predicted[i] - expected[i];
    squaredError += error * error;
    absoluteError += Math.abs(error);
    totalSquares += (expected[i] - mean) ** 2;
  }
  return {
    task: 'regression',
    mse: squaredError / count,
    mae: absoluteError / count,
    r2: totalSquares === 0 ? null : 1 - squaredError / totalSquares,
    count,
  };
}

/** Fixed-point with `digits` decimals; null shows as "n/a". */
export function formatMetric(value: number | null, digits = 2): string {
  return value === null ? 'n/a' : value.toFixed(digits);
}

function padLeft(text: string, width: number): string {
  return text.length >= width ? text : ' '.repeat(width - text.length) + text;
}

/** A right-aligned text table: first column holds row names, the rest values. */
function textTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(...all.map((row) => (row[col] ?? '').length)));
  const line = (row: string[]) => row.map((cell, col) => padLeft(cell, widths[col] + (col === 0 ? 0 : 2))).join('').trimEnd();
  return all.map((row) => (row.length === 0 ? '' : line(row))).join('\n');
}

/** The confusion matrix as a text table, rows = expected, columns = predicted. */
export function formatConfusionMatrix(confusion: number[][], classes: string[]): string {
  const header = ['expected \\ predicted', ...classes];
  const rows = confusion.map((row, k) => [classes[k], ...row.map(String)]);
  return textTable(header, rows);
}

/** Like sklearn's classification_report, followed by the confusion matrix. */
export function formatClassificationReport(r: ClassificationReport): string {
  const metricRow = (name: string, m: AveragedMetrics, support: number) =>
    [name, formatMetric(m.precision), formatMetric(m.recall), formatMetric(m.f1), String(support)];
  const total = r.perClass.reduce((a, c) => a + c.support, 0);
  const rows: string[][] = [
    [],
    ...r.perClass.map((c) => metricRow(c.label, c, c.support)),
    [],
    ['accuracy', '', '', formatMetric(r.accuracy), String(total)],
    metricRow('macro avg', r.macro, total),
    metricRow('weighted avg', r.weighted, total),
  ];
  if (r.binary) {
    const positiveSupport = r.perClass[1].support;
    rows.push([], metricRow(`binary (positive = ${r.binary.positive})`, r.binary, positiveSupport));
  }
  const classes = r.perClass.map((c) => c.label);
  return [
    textTable(['', 'precision', 'recall', 'f1-score', 'support'], rows),
    '',
    'Confusion matrix (rows = expected, columns = predicted)',
    formatConfusionMatrix(r.confusion, classes),
  ].join('\n');
}

export function formatRegressionReport(r: RegressionReport): string {
  return textTable(['', 'value'], [
    ['samples', String(r.count)],
    ['mse', formatMetric(r.mse, 4)],
    ['rmse', formatMetric(Math.sqrt(r.mse), 4)],
    ['mae', formatMetric(r.mae, 4)],
    ['r2', formatMetric(r.r2, 4)],
  ]);
}
