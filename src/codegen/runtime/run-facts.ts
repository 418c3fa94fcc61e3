// What a run measured and on what: data source (loudly when it was the embedded subset), samples per split,
// backend, seed, epochs and why training stopped, times, speed, versions and the spec's text. train.ts records it
// in manifest.json, evaluation.json and report.md; evaluate.ts reads it back from the model's manifest.json.

export interface RunFacts {
  data: {
    source: string;
    /** Where the samples came from (a folder or file). */
    origin: string;
    /** A subset of a built-in dataset (the one nnc ships, or another smaller copy), not the full dataset. */
    embedded: boolean;
    samples: { train: number; validation: number; test: number };
  };
  backend: string;
  seed: number;
  /** Null when the run only evaluated a model trained elsewhere. */
  training: {
    epochsPlanned: number;
    epochsRun: number;
    /** Why training stopped: `completed`, `early_stopping`, `interrupted` or `nan`. */
    stopReason: string;
    /** Wall-clock seconds of each epoch, those trained before a --resume included (from the checkpoint). */
    epochSeconds: number[];
    samplesPerSecond: number | null;
  } | null;
  /** Seconds from the process start to the report. */
  totalSeconds: number;
  versions: { nnc: string; tfjs: string };
  spec: { file: string; text: string | null };
  date: string;
}

const count = (n: number) => n.toLocaleString('en-US');

/** The loud first lines of report.md when the run used a subset of a built-in dataset (the embedded one); none otherwise. */
export function embeddedWarning(facts: RunFacts): string[] {
  if (!facts.data.embedded) return [];
  const { train, test } = facts.data.samples;
  return [
    `> **WARNING: this run used a SUBSET of ${facts.data.source}, not the full dataset** (the embedded subset, or a folder` +
      ` like it: ${count(train)} training and ${count(test)} test samples from ${facts.data.origin}).` +
      ' Its accuracy is far below what the model reaches on the full data; install the full dataset or give its folder with --data-dir.',
    '',
  ];
}

function seconds(value: number): string {
  return value < 60 ? `${value.toFixed(1)} s` : `${Math.floor(value / 60)} min ${Math.round(value % 60)} s`;
}

/** Rows of report.md's run table. */
export function runRows(facts: RunFacts): [string, string][] {
  const { samples } = facts.data;
  const rows: [string, string][] = [
    ['data', `${facts.data.source} from ${facts.data.origin}${facts.data.embedded ? ' (**a subset, not the full dataset**)' : ''}`],
    ['samples', `${count(samples.train)} train, ${count(samples.validation)} validation, ${count(samples.test)} test`],
    ['backend', facts.backend],
    ['seed', String(facts.seed)],
  ];
  const t = facts.training;
  if (t) {
    rows.push(['epochs', `${t.epochsRun} of ${t.epochsPlanned} (${t.stopReason.replace('_', ' ')})`]);
    if (t.epochSeconds.length > 0) {
      const mean = t.epochSeconds.reduce((a, b) => a + b, 0) / t.epochSeconds.length;
      rows.push(['time per epoch', `${seconds(mean)} on average (${t.epochSeconds.map((s) => s.toFixed(1)).join(', ')} s)`]);
    }
    if (t.samplesPerSecond !== null) rows.push(['training speed', `${count(Math.round(t.samplesPerSecond))} samples/s`]);
  } else {
    rows.push(['epochs', 'none in this run (evaluation of a saved model)']);
  }
  rows.push(
    ['total time', seconds(facts.totalSeconds)],
    ['versions', `nnc ${facts.versions.nnc}, TensorFlow.js ${facts.versions.tfjs}`],
    ['spec', facts.spec.file],
    ['written', facts.date],
  );
  return rows;
}
