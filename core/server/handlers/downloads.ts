// models.download and datasets.download over core/hub; progress flows as download.progress events.
import { ApiError } from '../../api/errors.ts';
import type { Handlers } from '../../api/methods.ts';
import { downloadDatasetParquet } from '../../hub/download-dataset.ts';
import { downloadModel } from '../../hub/download-model.ts';
import type { Downloads } from '../downloads.ts';

export function downloadHandlers(
  downloads: Downloads,
): Pick<Handlers, 'models.download' | 'datasets.download'> {
  return {
    'models.download': async ({ id, revision }) => ({
      downloadId: downloads.start('model', id, (onProgress) =>
        downloadModel(id, { cacheDir: downloads.cacheDir, onProgress, ...(revision ? { revision } : {}) }),
      ),
    }),
    'datasets.download': async ({ source, subset = 'default', split = 'train' }) => {
      if (!source.startsWith('hf:'))
        throw new ApiError(
          'invalid_request',
          `source: expected a Hub id like hf:owner/name, got "${source}"`,
        );
      const id = source.slice('hf:'.length);
      return {
        downloadId: downloads.start('dataset', id, async (onProgress) => {
          const files = await downloadDatasetParquet(id, {
            cacheDir: downloads.cacheDir,
            subset,
            split,
            onProgress,
          });
          // One shard is a file the importers read directly; several are left to the data layer's hf: source.
          return files.length === 1 ? files[0]! : `hf:${id}:${subset}@${split}`;
        }),
      };
    },
  };
}
