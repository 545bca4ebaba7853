// Parquet via hyparquet, one row group at a time: only the current group's rows are in memory, and the
// file is read through ranged reads (asyncBufferFromFile), never loaded whole. Progress is the
// compressed bytes of the row groups read so far.
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { DataError } from '../errors.ts';
import { fileSize } from './lines.ts';
import type { ReaderOptions, SourceRow } from './types.ts';

export async function* readParquet(file: string, options: ReaderOptions): AsyncGenerator<SourceRow> {
  const totalBytes = await fileSize(file);
  const buffer = await asyncBufferFromFile(file);
  let metadata;
  try {
    metadata = await parquetMetadataAsync(buffer);
  } catch (error) {
    throw new DataError(
      file,
      undefined,
      undefined,
      `not a readable Parquet file: ${(error as Error).message}`,
    );
  }
  let rowStart = 0;
  let bytesRead = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    const rows = await parquetReadObjects({ file: buffer, metadata, rowStart, rowEnd, rowFormat: 'object' });
    for (const [offset, row] of rows.entries()) yield { row, line: rowStart + offset + 1 };
    bytesRead += Number(group.total_compressed_size ?? group.total_byte_size);
    options.onProgress?.({ bytesRead: Math.min(bytesRead, totalBytes), totalBytes });
    rowStart = rowEnd;
  }
}
