// Hub downloads in the UI. useDownloadEvents subscribes when the page mounts, so a download that
// fails (or finishes) before its id reaches the page is still seen; DownloadProgress draws one.
import LinearProgress from '@mui/material/LinearProgress';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { ApiEventOf } from '../../../core/api/events.ts';
import { useApiEvents } from '../api/api-context.tsx';
import { formatBytes } from '../format.ts';

export type DownloadEvent = ApiEventOf<'download.progress'>;

/** The newest progress event of every download, by downloadId. */
export function useDownloadEvents(): Record<string, DownloadEvent> {
  const [latest, setLatest] = useState<Record<string, DownloadEvent>>({});
  useApiEvents((event) => {
    if (event.kind === 'download.progress') setLatest((all) => ({ ...all, [event.downloadId]: event }));
  });
  return latest;
}

export function DownloadProgress({ progress }: { progress: DownloadEvent | undefined }) {
  if (!progress) return <LinearProgress aria-label="download starting" />;
  // A finished or failed download shows a full bar (red when failed), never a frozen partial one.
  const percent =
    progress.state !== 'running'
      ? 100
      : progress.totalBytes
        ? (100 * progress.loadedBytes) / progress.totalBytes
        : null;
  return (
    <Stack spacing={0.5}>
      <LinearProgress
        variant={percent === null ? 'indeterminate' : 'determinate'}
        value={percent ?? 0}
        color={progress.state === 'failed' ? 'error' : 'primary'}
        aria-label={`download ${progress.id}`}
      />
      <Typography variant="caption" color="text.secondary">
        {progress.state === 'failed'
          ? `Failed: ${progress.result ?? 'unknown error'}`
          : progress.state === 'done'
            ? `Done: ${progress.result ?? ''}`
            : `${progress.file}: ${formatBytes(progress.loadedBytes)}${progress.totalBytes ? ` of ${formatBytes(progress.totalBytes)}` : ''}`}
      </Typography>
    </Stack>
  );
}
