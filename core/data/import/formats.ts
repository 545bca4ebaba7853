// File format by extension: the one table of importers. Adding a format is one row here.
import { DataError } from '../errors.ts';
import { delimitedReader } from './delimited.ts';
import { readJson } from './json.ts';
import { readJsonl } from './jsonl.ts';
import { readParquet } from './parquet.ts';
import { readText } from './text.ts';
import type { RowReader } from './types.ts';

export type DataFormat = 'jsonl' | 'json' | 'csv' | 'tsv' | 'parquet' | 'text';

export const readers: Readonly<Record<DataFormat, RowReader>> = {
  jsonl: readJsonl,
  json: readJson,
  csv: delimitedReader(','),
  tsv: delimitedReader('\t'),
  parquet: readParquet,
  text: readText,
};

const extensions: Readonly<Record<string, DataFormat>> = {
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.json': 'json',
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.parquet': 'parquet',
  '.txt': 'text',
  '.text': 'text',
  '.md': 'text',
};

export function detectFormat(file: string): DataFormat {
  const lower = file.toLowerCase();
  const extension = Object.keys(extensions).find((ext) => lower.endsWith(ext));
  if (extension === undefined) {
    throw new DataError(
      file,
      undefined,
      undefined,
      `unknown file type; expected one of ${Object.keys(extensions).join(', ')} (or pass the format explicitly)`,
    );
  }
  return extensions[extension] as DataFormat;
}
