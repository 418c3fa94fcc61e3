// The data runtime with every format, for code that handles any dataset (tests, tools). A generated trainer imports
// load.ts and its own format's module instead, so it carries only the code its dataset needs.

import type { DatasetSpec, ModelInput } from '../spec-types.js';
import { readSource as readCsv } from './csv.js';
import { readSource as readFashionMnist } from './fashion-mnist.js';
import { readSource as readIdx } from './idx.js';
import { readSource as readImageFolder } from './image-folder.js';
import { loadDataset as loadWith, type LoadedData, type LoadOptions } from './load.js';
import type { ReadContext, SourceData, SourceReader } from './pool.js';

export { DataError } from './errors.js';
export { augmentBatch, augmentationIsActive } from './augment.js';
export { preprocessSample, type Preprocessing } from './preprocess.js';
export { loadImageForInference } from './image-folder.js';
export { parseCsvRowForInference } from './csv.js';
export { FASHION_MNIST_CLASSES } from './fashion-mnist.js';
export type { NormalizationParams } from './normalize.js';
export type { ClassContract, LoadedData, LoadOptions, Split } from './load.js';

const READERS = { fashion_mnist: readFashionMnist, idx: readIdx, csv: readCsv, image_folder: readImageFolder } as const;

/** Any format's reader. */
export const readAnySource: SourceReader = (ds: DatasetSpec, ctx: ReadContext): Promise<SourceData> =>
  (READERS[ds.source] as SourceReader)(ds, ctx);

export function loadDataset(ds: DatasetSpec, input: ModelInput, opts: LoadOptions): Promise<LoadedData> {
  return loadWith(ds, input, opts, readAnySource);
}
