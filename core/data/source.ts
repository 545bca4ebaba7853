// Where a dataset's rows live: a single file, a folder in the fixture layout (train/validation/test files
// plus dataset.json), or a Hub dataset (hf:owner/name[:subset][@split]), fetched by core/hub.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { type DatasetInfo, readDatasetInfo } from './dataset-info.ts';
import { DataError } from './errors.ts';
import { type DataFormat, detectFormat } from './import/formats.ts';

export type SplitName = 'train' | 'validation' | 'test';

export interface DatasetSource {
  /** What the user wrote (path or hf: id), for messages. */
  label: string;
  /** Files by split, read in order (a Hub split may be several parquet shards); a bare file is train. */
  splits: Partial<Record<SplitName, string[]>>;
  format: DataFormat;
  info?: DatasetInfo;
}

export const splitAliases: Readonly<Record<SplitName, readonly string[]>> = {
  train: ['train'],
  validation: ['validation', 'valid', 'dev', 'val'],
  test: ['test'],
};

export async function resolveLocalSource(location: string): Promise<DatasetSource> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(location)).isDirectory();
  } catch {
    throw new DataError(location, undefined, undefined, 'no such file or folder');
  }
  if (!isDirectory) {
    const format = detectFormat(location);
    const info = await readDatasetInfo(path.join(path.dirname(location), 'dataset.json'));
    return { label: location, splits: { train: [location] }, format, ...(info ? { info } : {}) };
  }
  const files = (await readdir(location)).sort();
  const splits: Partial<Record<SplitName, string[]>> = {};
  let format: DataFormat | undefined;
  for (const [split, aliases] of Object.entries(splitAliases) as [SplitName, readonly string[]][]) {
    const file = files.find((name) => aliases.includes(name.split('.')[0] ?? '') && hasFormat(name));
    if (file === undefined) continue;
    splits[split] = [path.join(location, file)];
    format ??= detectFormat(file);
  }
  if (format === undefined) {
    throw new DataError(
      location,
      undefined,
      undefined,
      'folder has no train/validation/test data file (e.g. train.jsonl)',
    );
  }
  const info = await readDatasetInfo(path.join(location, 'dataset.json'));
  return { label: location, splits, format, ...(info ? { info } : {}) };
}

function hasFormat(name: string): boolean {
  try {
    detectFormat(name);
    return true;
  } catch {
    return false;
  }
}
