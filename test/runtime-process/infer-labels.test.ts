// infer.ts refuses a labels.json that cannot name every output of the model, rather than print "undefined".
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { saveModelAtomic } from '../../src/codegen/runtime/model-io.js';
import { BLOBS_SPEC, blobsCsv, compileTrainer, removeTrainers } from './helpers.js';

afterAll(removeTrainers);

describe('infer.ts labels', () => {
  it('loads a model whose labels.json matches its 3 outputs and refuses 2 or 4 names', async () => {
    const c = compileTrainer('infer', BLOBS_SPEC(), { 'blobs.csv': blobsCsv(30) });
    const load = async <T>(file: string) => (await import(pathToFileURL(path.join(c.trainerDir, file)).href)) as T;
    const { buildModel } = await load<{ buildModel(): tf.LayersModel }>('model.ts');
    const { loadModel } = await load<{ loadModel(dir: string): Promise<{ labels: string[] }> }>('infer.ts');
    const preprocessing = { version: 1, source: 'csv', task: 'classification', classes: null, inputShape: [4], dtype: 'float32', normalize: { type: 'none' }, image: null, csv: null };
    const save = async (labels: string[]) => {
      const dir = path.join(c.dir, `model-${labels.length}`);
      await saveModelAtomic(buildModel(), dir, { 'labels.json': labels, 'preprocessing.json': preprocessing });
      return dir;
    };
    expect((await loadModel(await save(['a', 'b', 'c']))).labels).toEqual(['a', 'b', 'c']);
    await expect(loadModel(await save(['a', 'b']))).rejects.toThrow(/labels\.json: holds 2 class names but the model's output has 3 units \(3 classes\); refusing/);
    await expect(loadModel(await save(['a', 'b', 'c', 'd']))).rejects.toThrow(/holds 4 class names/);
  }, 120_000);
});
