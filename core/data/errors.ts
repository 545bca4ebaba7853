// Errors about a user's data, and the policy that decides what happens to them. Every error names the
// file, the row (1-based line number for text formats, 1-based row number for Parquet) and, where one
// is at fault, the field, so a user can open the file and fix it.

export class DataError extends Error {
  constructor(
    readonly file: string,
    /** 1-based line (JSONL, CSV, text) or row (Parquet, JSON array); undefined for whole-file errors. */
    readonly row: number | undefined,
    readonly field: string | undefined,
    readonly detail: string,
  ) {
    super(
      `${file}${row === undefined ? '' : ` row ${row}`}${field === undefined ? '' : `: field "${field}"`}: ${detail}`,
    );
    this.name = 'DataError';
  }
}

/** What to do with a bad row: stop at the first one, or skip it and count it in the report. */
export type RowPolicy = 'fail' | 'skip';

/** How many rows were skipped and why; the first few errors are kept verbatim for display. */
export interface IssueReport {
  skipped: number;
  firstErrors: DataError[];
}

const keptExamples = 20;

export class IssueCollector {
  readonly report: IssueReport = { skipped: 0, firstErrors: [] };

  constructor(readonly policy: RowPolicy) {}

  /** Throws under 'fail'; under 'skip' records the error so it is counted, never silently dropped. */
  handle(error: unknown): void {
    if (!(error instanceof DataError) || this.policy === 'fail') throw error;
    this.report.skipped++;
    if (this.report.firstErrors.length < keptExamples) this.report.firstErrors.push(error);
  }
}
