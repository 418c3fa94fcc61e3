// Where a dataset's files are. A trainer folder may be copied anywhere, so the folder the spec was compiled from is
// only the last resort: per-dataset flags (--train-file, --train-dir, ...) name a file or folder directly; --data-dir,
// else $NNC_DATA_DIR, is the folder the spec's relative paths resolve against; else the spec's own folder.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DatasetSpec } from '../spec-types.js';
import { DataError, DataFileError } from './errors.js';

/** The spec properties of each source that name files or folders, and the flag that replaces each. */
const PATH_PROPERTIES: Record<DatasetSpec['source'], [property: string, flag: string][]> = {
  fashion_mnist: [],
  idx: [['train_images', '--train-images'], ['train_labels', '--train-labels'], ['test_images', '--test-images'], ['test_labels', '--test-labels']],
  csv: [['train', '--train-file'], ['test_path', '--test-file']],
  image_folder: [['train', '--train-dir'], ['test_path', '--test-dir'], ['validation_path', '--validation-dir']],
};

export interface DataLocation {
  /** The dataset with every path absolute. */
  dataset: DatasetSpec;
  /** The folder relative paths resolved against, and what chose it. */
  root: string;
  rootFrom: '--data-dir' | 'NNC_DATA_DIR' | "the spec's folder";
}

/** A folder the user named (--data-dir, NNC_DATA_DIR) must exist and hold something: an empty one is a mistake. */
export function checkDataFolder(dir: string, what: string): void {
  let isFolder: boolean;
  try {
    isFolder = statSync(dir).isDirectory();
  } catch {
    throw new DataError(`${dir}: ${what} names a folder that does not exist`);
  }
  if (!isFolder) throw new DataError(`${dir}: ${what} must name a folder, not a file`);
  if (readdirSync(dir).length === 0) throw new DataError(`${dir}: ${what} names an empty folder`);
}

/** The explicitly named data folder (--data-dir, else a non-empty NNC_DATA_DIR), checked, or null. */
export function explicitDataDir(dataDir: string | undefined, env: NodeJS.ProcessEnv): { dir: string; from: '--data-dir' | 'NNC_DATA_DIR' } | null {
  if (dataDir !== undefined) {
    checkDataFolder(resolve(dataDir), '--data-dir');
    return { dir: resolve(dataDir), from: '--data-dir' };
  }
  if (env.NNC_DATA_DIR) {
    checkDataFolder(resolve(env.NNC_DATA_DIR), 'NNC_DATA_DIR');
    return { dir: resolve(env.NNC_DATA_DIR), from: 'NNC_DATA_DIR' };
  }
  return null;
}

export function locateDataset(
  ds: DatasetSpec, opts: { specDir: string; dataDir?: string; env: NodeJS.ProcessEnv; paths?: Record<string, string> },
): DataLocation {
  const explicit = explicitDataDir(opts.dataDir, opts.env);
  const root = explicit?.dir ?? opts.specDir;
  const rootFrom = explicit?.from ?? "the spec's folder";
  const dataset = { ...ds } as unknown as Record<string, unknown>;
  for (const [property, flag] of PATH_PROPERTIES[ds.source]) {
    const given = opts.paths?.[property];
    const value = given !== undefined ? resolve(given) : dataset[property];
    if (typeof value !== 'string') continue;
    const at = resolve(root, value);
    if (!existsSync(at)) {
      const how = given !== undefined ? `given by ${flag}` : `the spec's "${value}" resolved against ${rootFrom} ${root}`;
      throw new DataFileError(
        `dataset '${ds.name}': ${at} not found (${how}); give its location with ${flag}, ` +
        "or the folder the spec's relative paths resolve against with --data-dir or NNC_DATA_DIR",
        at,
      );
    }
    dataset[property] = at;
  }
  return { dataset: dataset as unknown as DatasetSpec, root, rootFrom };
}
