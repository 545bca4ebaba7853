// CSV and TSV via csv-parse (quoted fields may span lines). The bytes go through readLines first, so the
// file is streamed with byte progress and a line with invalid UTF-8 is reported (by line and field)
// rather than parsed into U+FFFD characters.
import { Readable } from 'node:stream';
import { type CsvError, parse } from 'csv-parse';
import { DataError } from '../errors.ts';
import { invalidUtf8, readLines } from './lines.ts';
import type { ReaderOptions, RowReader, SourceRow } from './types.ts';

interface ParsedRecord {
  record: Record<string, string>;
  info: { lines: number };
}

/** Longest record (a row, quoted newlines included); csv-parse slows down badly on larger buffers. */
const maxRecordBytes = 8 * 1024 * 1024;

export function delimitedReader(delimiter: ',' | '\t'): RowReader {
  return async function* readDelimited(file: string, options: ReaderOptions): AsyncGenerator<SourceRow> {
    const badLines: number[] = [];
    // Lines are handed to the parser in ~64 KiB chunks: one stream chunk per line costs more than parsing.
    async function* text(): AsyncGenerator<string> {
      let chunk = '';
      for await (const line of readLines(file, options)) {
        if (!line.isValidUtf8) badLines.push(line.line);
        chunk += `${line.text}\n`;
        if (chunk.length >= 65_536) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk.length > 0) yield chunk;
    }
    const skippedByParser: CsvError[] = [];
    const parser = Readable.from(text()).pipe(
      parse({
        columns: true,
        delimiter,
        info: true,
        skip_empty_lines: true,
        // A quote inside an unquoted field is a literal character (GLUE-style TSVs never quote).
        relax_quotes: true,
        // An unclosed quote would otherwise swallow the rest of a multi-GB file into one record.
        max_record_size: maxRecordBytes,
        // Under 'skip' a record with the wrong number of fields is counted and dropped; under 'fail' the
        // parser throws and the error below names its line.
        skip_records_with_error: options.issues.policy === 'skip',
        on_skip: (error) => {
          if (error) skippedByParser.push(error);
          return undefined;
        },
      }),
    );
    const parsed = parser as AsyncIterable<ParsedRecord>;
    let previousEnd = 1; // line 1 is the header
    try {
      for await (const { record, info } of parsed) {
        for (const error of skippedByParser.splice(0)) options.issues.handle(fromCsvError(file, error));
        const badLine = badLines.find((line) => line > previousEnd && line <= info.lines);
        previousEnd = info.lines;
        if (badLine !== undefined) {
          const field = Object.keys(record).find((key) => record[key]?.includes('\uFFFD'));
          const error = invalidUtf8(file, badLine);
          options.issues.handle(
            field === undefined ? error : new DataError(file, badLine, field, error.detail),
          );
          continue;
        }
        yield { row: record, line: info.lines };
      }
    } catch (error) {
      if (isCsvError(error) && error.code === 'CSV_MAX_RECORD_SIZE') {
        throw new DataError(
          file,
          previousEnd + 1,
          undefined,
          `malformed row: it runs on past ${maxRecordBytes} bytes (an unclosed quote?)`,
        );
      }
      if (isCsvError(error)) throw fromCsvError(file, error);
      throw error;
    }
    for (const error of skippedByParser) options.issues.handle(fromCsvError(file, error));
  };
}

function isCsvError(error: unknown): error is CsvError {
  return error instanceof Error && 'code' in error && String((error as CsvError).code).startsWith('CSV_');
}

function fromCsvError(file: string, error: CsvError): DataError {
  // csv-parse ends its messages with "on line N"; the row number is carried separately.
  const detail = error.message.replace(/ on line \d+$/, '').replace(/^Invalid Record Length: /, '');
  return new DataError(
    file,
    typeof error.lines === 'number' ? error.lines : undefined,
    undefined,
    `malformed row: ${detail}`,
  );
}
