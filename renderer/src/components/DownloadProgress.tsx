// Live progress of one Hub download (download.progress events for its downloadId).
import LinearProgress from '@mui/material/LinearProgress';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { ApiEventOf } from '../../../core/api/events.ts';
import { useApiEvents } from '../api/api-context.tsx';
import { formatBytes } from '../format.ts';

type Progress = ApiEventOf<'download.progress'>;

export function DownloadProgress({
  downloadId,
  onDone,
}: {
  downloadId: string;
  onDone?: (event: Progress) => void;
}) {
  const [progress, setProgress] = useState<Progress | null>(null);
  useApiEvents((event) => {
    if (event.kind !== 'download.progress' || event.downloadId !== downloadId) return;
    setProgress(event);
    if (event.state !== 'running') onDone?.(event);
  });
  if (!progress) return <LinearProgress aria-label="download starting" />;
  const percent = progress.totalBytes ? (100 * progress.loadedBytes) / progress.totalBytes : null;
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
          : `${progress.file}: ${formatBytes(progress.loadedBytes)}${progress.totalBytes ? ` of ${formatBytes(progress.totalBytes)}` : ''}`}
      </Typography>
    </Stack>
  );
}
