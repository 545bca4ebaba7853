// Hub datasets, written `hf:owner/name[:subset][@split]`: the Hub's parquet conversion of each split is
// downloaded (resumable, cached) by core/hub and read like any local parquet file. Without @split the
// train split is fetched, plus validation and test where the dataset has them.
import { defaultHubCacheDir } from '../hub/cache-dir.ts';
import { downloadDatasetParquet } from '../hub/download-dataset.ts';
import type { DownloadProgress } from '../hub/download-file.ts';
import { HubError } from '../hub/errors.ts';
import type { DatasetSource, SplitName } from './source.ts';
import { splitAliases } from './source.ts';

export interface HubDatasetSpec {
  id: string;
  /** Dataset configuration; the Hub names the only one of single-subset datasets "default". */
  subset: string;
  split?: string;
}

const specPattern = /^hf:([^:@\s]+)(?::([^@\s]+))?(?:@(\S+))?$/;

/** Parses `hf:owner/name[:subset][@split]`; undefined for anything that is not an hf: id. */
export function parseHubSpec(text: string): HubDatasetSpec | undefined {
  if (!text.startsWith('hf:')) return undefined;
  const match = specPattern.exec(text);
  if (!match?.[1])
    throw new Error(`"${text}" is not a Hub dataset id; expected hf:owner/name[:subset][@split]`);
  return { id: match[1], subset: match[2] ?? 'default', ...(match[3] ? { split: match[3] } : {}) };
}

export interface HubSourceOptions {
  /** The Hub download cache (default: defaultHubCacheDir()). */
  cacheDir?: string;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
}

function splitNameOf(hubSplit: string): SplitName {
  const entry = Object.entries(splitAliases).find(([, aliases]) => aliases.includes(hubSplit));
  return (entry?.[0] as SplitName | undefined) ?? 'train';
}

export async function resolveHubSource(text: string, options: HubSourceOptions = {}): Promise<DatasetSource> {
  const spec = parseHubSpec(text);
  if (!spec) throw new Error(`"${text}" is not a Hub dataset id`);
  const download = (split: string) =>
    downloadDatasetParquet(spec.id, {
      cacheDir: options.cacheDir ?? defaultHubCacheDir(),
      subset: spec.subset,
      split,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  const splits: Partial<Record<SplitName, string[]>> = {};
  if (spec.split !== undefined) {
    splits[splitNameOf(spec.split)] = await download(spec.split);
  } else {
    splits.train = await download('train');
    for (const split of ['validation', 'test'] as const) {
      try {
        splits[split] = await download(split);
      } catch (error) {
        // A dataset without this split answers 404; anything else (network, auth) is a real failure.
        if (!(error instanceof HubError && error.status === 404)) throw error;
      }
    }
  }
  return { label: text, splits, format: 'parquet' };
}
