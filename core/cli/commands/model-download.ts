// zo-studio model download ID: fetch a Hub model into the studio's cache (resumable), print its folder.
import { defaultHubCacheDir } from '../../hub/cache-dir.ts';
import { downloadModel } from '../../hub/download-model.ts';
import type { DownloadProgress } from '../../hub/download-file.ts';
import { HubError } from '../../hub/errors.ts';
import { ModelLoadError } from '../../models/errors.ts';
import { parseCommandArgs, usageError } from '../command-args.ts';

const usage = `usage: zo-studio model download ID [--cache-dir DIR] [--revision REV]

  ID               Hub model id, e.g. karpathy/stories260k
  --cache-dir DIR  download cache (default: $ZO_STUDIO_CACHE/hub, else ~/.cache/zo-studio/hub, shared
                   with Hub datasets fetched by \`zo-studio data\`)
  --revision REV   branch, tag or commit (default main)

Set HF_TOKEN for gated or private repos and HF_ENDPOINT for a mirror. An interrupted download resumes
where it stopped when run again. Prints the local model folder on success.
`;

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** One progress line per file every second at most (and at its end), to stderr so stdout stays the path. */
function progressPrinter(): (progress: DownloadProgress) => void {
  let lastFile = '';
  let lastPrintMs = 0;
  return ({ file, loadedBytes, totalBytes }) => {
    const now = Date.now();
    const isDone = totalBytes !== null && loadedBytes === totalBytes;
    if (file === lastFile && !isDone && now - lastPrintMs < 1000) return;
    lastFile = file;
    lastPrintMs = now;
    const of = totalBytes === null ? '' : ` / ${megabytes(totalBytes)}`;
    process.stderr.write(`${file}  ${megabytes(loadedBytes)}${of}${isDone ? '  done' : ''}\n`);
  };
}

export async function runDownload(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs('model download', usage, argv, {
    revision: { type: 'string' },
    'cache-dir': { type: 'string' },
  });
  if (typeof parsed === 'number') return parsed;
  const [id, ...extra] = parsed.positionals;
  if (!id || extra.length > 0) return usageError('model download', usage, 'expected exactly one model id');
  const cacheDir = parsed.values['cache-dir'] ?? defaultHubCacheDir();
  const controller = new AbortController();
  // Ctrl-C stops cleanly and keeps the partial file for the next run.
  const onInterrupt = (): void => controller.abort();
  process.once('SIGINT', onInterrupt);
  try {
    const dir = await downloadModel(id, {
      cacheDir,
      revision: parsed.values.revision,
      onProgress: progressPrinter(),
      signal: controller.signal,
    });
    process.stdout.write(`${dir}\n`);
    return 0;
  } catch (error) {
    if (controller.signal.aborted) {
      process.stderr.write('zo-studio model download: interrupted; run it again to resume\n');
      return 130;
    }
    if (error instanceof HubError || error instanceof ModelLoadError) {
      process.stderr.write(`zo-studio model download: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
