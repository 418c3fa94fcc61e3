// text_lstm (embedding + LSTM, int32 token input, one sigmoid unit) on a synthetic reviews CSV whose label really
// depends on the tokens: a positive review uses words from one small set, a negative one from another.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectClose, expectLossFalls, expectModelMatchesSummary, predictInMemory, prepareTrainer, TRAINING_TIMEOUT,
  probabilitiesOf, seededRandom, type TrainOutcome, type Workspace,
} from './helpers.js';

const SEQUENCE_LENGTH = 80;
const POSITIVE_WORDS = [1, 25]; // ids 1..25
const NEGATIVE_WORDS = [26, 50]; // ids 26..50
const NEUTRAL_WORDS = [100, 4999];

interface Review { tokens: number[]; sentiment: 'positive' | 'negative' }

/** Reviews of 20..80 tokens, pre-padded with 0 to 80; about a third of the words carry the sentiment. */
function syntheticReviews(count: number, seed: number): Review[] {
  const random = seededRandom(seed);
  const word = ([lo, hi]: number[]) => lo + Math.floor(random() * (hi - lo + 1));
  return Array.from({ length: count }, (_, i) => {
    const sentiment = i % 2 === 0 ? 'positive' : 'negative';
    const length = 20 + Math.floor(random() * (SEQUENCE_LENGTH - 20 + 1));
    const words = Array.from({ length }, () => (random() < 0.35 ? word(sentiment === 'positive' ? POSITIVE_WORDS : NEGATIVE_WORDS) : word(NEUTRAL_WORDS)));
    return { tokens: [...new Array<number>(SEQUENCE_LENGTH - length).fill(0), ...words], sentiment };
  });
}

const REVIEWS = syntheticReviews(250, 2024);

function writeReviews(dir: string): void {
  mkdirSync(path.join(dir, 'data'));
  const header = [...Array.from({ length: SEQUENCE_LENGTH }, (_, i) => `t${i + 1}`), 'sentiment'].join(',');
  const rows = REVIEWS.map((r) => [...r.tokens, r.sentiment].join(','));
  writeFileSync(path.join(dir, 'data', 'reviews.csv'), [header, ...rows].join('\n') + '\n');
}

describe('text_lstm end to end', () => {
  let ws: Workspace;
  let outcome: TrainOutcome;
  const epochs = 3;

  beforeAll(async () => {
    ws = await prepareTrainer('text_lstm', writeReviews);
    outcome = await ws.train.runTraining({ out: path.join(ws.dir, 'run'), backend: 'wasm', epochs, quiet: true });
  }, TRAINING_TIMEOUT);
  afterAll(() => ws?.cleanup());

  it('trains: the loss falls and held-out reviews are classified above chance', () => {
    expect(outcome.backend).toBe('wasm');
    expectLossFalls(outcome.result.history, epochs);
    expect(outcome.metrics.accuracy).toBeGreaterThan(0.75);
  });

  it('builds the layers the compiler summarized', () => {
    expectModelMatchesSummary(outcome.result.model, ws.summary);
  });

  it('reloads the saved model: predictions on raw token rows equal the in-memory model', async () => {
    const loaded = await ws.infer.loadModel(path.join(outcome.outDir, 'model'));
    expect(loaded.labels).toEqual(['negative', 'positive']);
    expect(loaded.preprocessing.dtype).toBe('int32');
    for (const review of REVIEWS.slice(0, 6)) {
      const [pPositive] = predictInMemory(outcome.result.model, review.tokens, [SEQUENCE_LENGTH], 'int32');
      const fromArray = await ws.infer.predict(loaded, review.tokens);
      expectClose(probabilitiesOf(fromArray, loaded.labels!), [1 - pPositive, pPositive]);
      const fromCsv = await ws.infer.predict(loaded, { csv: [...review.tokens, review.sentiment].join(',') });
      expectClose(probabilitiesOf(fromCsv, loaded.labels!), [1 - pPositive, pPositive]);
    }
  });
});
