// Step 2: a local model folder or a Hub id (downloaded with progress), with its architecture and size.
import Button from '@mui/material/Button';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useEffect, useState } from 'react';
import { useApi, useCall } from '../../api/api-context.tsx';
import { DownloadProgress, useDownloadEvents } from '../../components/DownloadProgress.tsx';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { PathField } from '../../components/PathField.tsx';
import { formatBytes, formatCount } from '../../format.ts';
import { withConfig, type UpdateDraft, type WizardDraft } from './draft.ts';

export function ModelStep({ draft, update }: { draft: WizardDraft; update: UpdateDraft }) {
  const api = useApi();
  const [hubId, setHubId] = useState('');
  const [downloadId, setDownloadId] = useState<string | null>(null);
  const [downloadError, setDownloadError] = useState<Error | null>(null);
  const dir = draft.config.model ?? '';
  const info = useCall('models.inspect', dir ? { dir } : null, dir);
  const downloads = useDownloadEvents();
  const finished = downloadId ? downloads[downloadId] : undefined;

  // A finished download becomes the model folder.
  useEffect(() => {
    if (finished?.state === 'done' && finished.result)
      update((d) => withConfig(d, { model: finished.result }));
  }, [finished, update]);

  useEffect(() => {
    update((d) => ({ ...d, model: info.data }));
  }, [info.data, update]);

  const startDownload = () => {
    setDownloadError(null);
    api.call('models.download', { id: hubId.trim() }).then(
      (started) => setDownloadId(started.downloadId),
      (error: Error) => setDownloadError(error),
    );
  };

  return (
    <Stack spacing={2.5}>
      <PathField
        label="Model folder"
        value={dir}
        onChange={(model) => update((d) => withConfig(d, { model }))}
        pick="dir"
        helperText="A Hugging Face folder with config.json, *.safetensors and tokenizer.json"
      />
      <Stack sx={{ alignItems: 'flex-start' }} direction="row" spacing={1}>
        <TextField
          label="…or a Hub model id"
          placeholder="HuggingFaceTB/SmolLM2-135M"
          value={hubId}
          onChange={(event) => setHubId(event.target.value)}
          sx={{ flex: 1 }}
        />
        <Button
          variant="outlined"
          disabled={!hubId.includes('/')}
          onClick={startDownload}
          sx={{ height: 40 }}
        >
          Download
        </Button>
      </Stack>
      <ErrorAlert error={downloadError} title="Download" />
      {downloadId ? <DownloadProgress progress={downloads[downloadId]} /> : null}
      <ErrorAlert error={info.error} title="Model" />
      {info.data ? (
        <Paper sx={{ p: 2 }}>
          <Typography variant="subtitle1" sx={{ fontWeight: 600 }}>
            {info.data.modelType} · {formatCount(info.data.parameters)} parameters
          </Typography>
          <Stack direction="row" spacing={4} sx={{ mt: 1 }}>
            <Fact label="Family" value={info.data.family} />
            <Fact label="Layers" value={String(info.data.layers)} />
            <Fact label="Hidden" value={String(info.data.hidden)} />
            <Fact label="Heads" value={String(info.data.heads)} />
            <Fact label="Vocabulary" value={formatCount(info.data.vocab)} />
            <Fact label="Stored as" value={info.data.dtype} />
            <Fact label="On disk" value={formatBytes(info.data.sizeBytes)} />
            <Fact label="fp32 weights in memory" value={formatBytes(info.data.parameters * 4)} />
          </Stack>
        </Paper>
      ) : null}
    </Stack>
  );
}

export function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Typography variant="caption" color="text.secondary">
        {label}
      </Typography>
      <Typography variant="body2" sx={{ fontWeight: 500 }}>
        {value}
      </Typography>
    </div>
  );
}
