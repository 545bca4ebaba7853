// Reads every row of a file with one of the importers (test helper).
import { IssueCollector, type RowPolicy } from '../../../core/data/errors.ts';
import { type DataFormat, readers } from '../../../core/data/import/formats.ts';
import type { ImportProgress, SourceRow } from '../../../core/data/import/types.ts';

export async function readAll(
  format: DataFormat,
  file: string,
  policy: RowPolicy = 'fail',
): Promise<{ rows: SourceRow[]; issues: IssueCollector; progress: ImportProgress[] }> {
  const issues = new IssueCollector(policy);
  const progress: ImportProgress[] = [];
  const rows: SourceRow[] = [];
  for await (const row of readers[format](file, { issues, onProgress: (p) => progress.push(p) }))
    rows.push(row);
  return { rows, issues, progress };
}
