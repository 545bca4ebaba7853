// JSON Lines: one JSON object per line; blank lines are allowed and ignored (editors leave a trailing one).
import { DataError } from '../errors.ts';
import { invalidUtf8, readLines } from './lines.ts';
import type { ReaderOptions, SourceRow } from './types.ts';

export async function* readJsonl(file: string, options: ReaderOptions): AsyncGenerator<SourceRow> {
  for await (const { line, text, isValidUtf8 } of readLines(file, options)) {
    if (!isValidUtf8) {
      options.issues.handle(invalidUtf8(file, line));
      continue;
    }
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      options.issues.handle(
        new DataError(file, line, undefined, `malformed JSON: ${(error as Error).message}`),
      );
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      options.issues.handle(
        new DataError(file, line, undefined, 'expected a JSON object ({"field": value, ...})'),
      );
      continue;
    }
    yield { row: value as Record<string, unknown>, line };
  }
}
