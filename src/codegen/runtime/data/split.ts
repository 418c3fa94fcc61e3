// Seeded shuffling and split planning. Splits are planned on sample indices before any sample is materialized,
// so sources that decode lazily (image folders) only decode what a split keeps.

/** mulberry32: a small, fast, seedable PRNG returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = (seed >>> 0) ^ 0x9e3779b9;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle of [0, n) with a seeded PRNG. */
export function shuffledIndices(n: number, seed: number): number[] {
  const indices = Array.from({ length: n }, (_, i) => i);
  const random = seededRandom(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = indices[i]; indices[i] = indices[j]; indices[j] = tmp;
  }
  return indices;
}

export interface SplitPlan { train: number[]; validation: number[]; test: number[] }

export interface SplitOptions {
  /** Fraction held out for validation (0 = none). */
  validation: number;
  /** Fraction held out for test (0 = none); pass 0 when the source has its own test split. */
  test: number;
  shuffle: boolean;
  seed: number;
  /** Cap on the train split after carving; null = all. */
  limit: number | null;
}

/**
 * Plans train/validation/test index lists over a pool of `count` samples: (seeded shuffle), then test carved from
 * the end, then validation carved from the end of the rest (like Keras' validation_split), then `limit` caps train.
 */
export function planSplits(count: number, options: SplitOptions): SplitPlan {
  for (const [name, fraction] of [['validation', options.validation], ['test', options.test]] as const) {
    if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`${name} fraction must be in [0, 1), got ${fraction}`);
  }
  if (options.validation + options.test >= 1) {
    throw new RangeError(`validation (${options.validation}) + test (${options.test}) fractions leave no training data`);
  }
  const order = options.shuffle ? shuffledIndices(count, options.seed) : Array.from({ length: count }, (_, i) => i);
  const testCount = Math.round(count * options.test);
  const validationCount = Math.round(count * options.validation);
  const trainEnd = count - testCount - validationCount;
  let train = order.slice(0, trainEnd);
  const validation = order.slice(trainEnd, trainEnd + validationCount);
  const test = order.slice(trainEnd + validationCount);
  if (options.limit !== null && options.limit < train.length) train = train.slice(0, Math.max(0, options.limit));
  return { train, validation, test };
}
