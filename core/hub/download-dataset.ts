// Hub datasets as parquet: the Hub converts every public dataset to parquet per subset and split, and
// lists the files at /api/datasets/{id}/parquet/{subset}/{split}. The data importers read parquet.
import path from 'node:path';
import { listParquetUrls } from './api.ts';
import { downloadToFile, type DownloadOptions } from './download-file.ts';
import { HubError } from './errors.ts';
import { localPath, repoCacheDir, type RepoRef } from './repo.ts';

export interface DownloadParquetOptions extends DownloadOptions {
  cacheDir: string;
  /** Dataset configuration name (`default` for single-subset datasets). */
  subset: string;
  split: string;
}

/** Downloads the parquet files of one subset/split; returns their local paths in order. */
export async function downloadDatasetParquet(id: string, options: DownloadParquetOptions): Promise<string[]> {
  const { cacheDir, subset, split, ...fileOptions } = options;
  const urls = await listParquetUrls(id, subset, split, options.signal);
  if (urls.length === 0) {
    throw new HubError(id, `has no parquet files for subset "${subset}", split "${split}"`);
  }
  const repo: RepoRef = { kind: 'dataset', id, revision: 'refs/convert/parquet' };
  const local: string[] = [];
  for (const url of urls) {
    // Each URL ends in `<n>.parquet`; keep subset/split in the path so splits never collide.
    const file = `${subset}/${split}/${path.posix.basename(new URL(url).pathname)}`;
    local.push(
      await downloadToFile(
        url,
        localPath(repoCacheDir(cacheDir, repo), repo, file),
        { repo: id, file },
        fileOptions,
      ),
    );
  }
  return local;
}
