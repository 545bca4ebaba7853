// The shape every importer produces: an async stream of plain rows, each with the 1-based line (or row)
// it came from, so later stages (column mapping, templates) can still name the place of a bad value.
import type { IssueCollector } from '../errors.ts';

export type DataRow = Record<string, unknown>;

export interface SourceRow {
  row: DataRow;
  /** 1-based line number in text formats, 1-based row number in Parquet and JSON arrays. */
  line: number;
}

export interface ImportProgress {
  bytesRead: number;
  totalBytes: number;
}

export interface ReaderOptions {
  /** Receives bad rows: throws (policy 'fail') or counts them (policy 'skip'). */
  issues: IssueCollector;
  onProgress?: (progress: ImportProgress) => void;
}

export type RowReader = (file: string, options: ReaderOptions) => AsyncGenerator<SourceRow>;
