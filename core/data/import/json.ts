// A JSON document holding an array of row objects (or {"data": [...]}, {"rows": [...]} as some exports
// write). JSON cannot be streamed row by row without a streaming parser, so files above a size limit
// are refused with a pointer to JSONL instead of being loaded whole.
import { readFile } from 'node:fs/promises';
import { DataError } from '../errors.ts';
import { fileSize } from './lines.ts';
import type { ReaderOptions, SourceRow } from './types.ts';

const maxJsonBytes = 256 * 1024 * 1024;

export async function* readJson(file: string, options: ReaderOptions): AsyncGenerator<SourceRow> {
  const totalBytes = await fileSize(file);
  if (totalBytes > maxJsonBytes) {
    throw new DataError(
      file,
      undefined,
      undefined,
      `${totalBytes} bytes is above the ${maxJsonBytes}-byte limit for a single JSON document; convert it to JSONL (one object per line), which is streamed`,
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await readFile(file)));
  } catch (error) {
    const detail =
      error instanceof TypeError
        ? 'invalid UTF-8 bytes; re-save the file as UTF-8'
        : `malformed JSON: ${(error as Error).message}`;
    throw new DataError(file, undefined, undefined, detail);
  }
  options.onProgress?.({ bytesRead: totalBytes, totalBytes });
  const rows = rowsOf(document);
  if (rows === undefined) {
    throw new DataError(
      file,
      undefined,
      undefined,
      'expected an array of objects, or an object with a "data" or "rows" array',
    );
  }
  for (const [index, row] of rows.entries()) {
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      options.issues.handle(
        new DataError(file, index + 1, undefined, 'expected a JSON object ({"field": value, ...})'),
      );
      continue;
    }
    yield { row: row as Record<string, unknown>, line: index + 1 };
  }
}

function rowsOf(document: unknown): unknown[] | undefined {
  if (Array.isArray(document)) return document;
  if (typeof document !== 'object' || document === null) return undefined;
  const record = document as Record<string, unknown>;
  for (const key of ['data', 'rows']) if (Array.isArray(record[key])) return record[key] as unknown[];
  return undefined;
}
