// Settings: execution provider (with what this machine offers), threads, theme; the data directory.
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useEffect, useState } from 'react';
import type { Settings } from '../../../core/api/domains/settings.ts';
import { useApi, useCall } from '../api/api-context.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { formatBytes } from '../format.ts';

export function SettingsPage({ onSaved }: { onSaved: (settings: Settings) => void }) {
  const api = useApi();
  const current = useCall('settings.get', {});
  const system = useCall('system.info', {});
  const probe = useCall('system.providers', {});
  const [draft, setDraft] = useState<Settings | null>(null);
  const [saveError, setSaveError] = useState<Error | null>(null);
  const [isSaved, setIsSaved] = useState(false);

  useEffect(() => {
    if (current.data) setDraft(current.data.settings);
  }, [current.data]);

  const save = () => {
    if (!draft) return;
    api.call('settings.update', draft).then((result) => {
      setIsSaved(true);
      onSaved(result.settings);
    }, setSaveError);
  };
  const providers = probe.data?.providers;

  return (
    <Stack spacing={2.5}>
      <PageHeader title="Settings" />
      <ErrorAlert error={current.error ?? system.error} />
      {draft ? (
        <Paper sx={{ p: 3 }}>
          <Stack spacing={2.5} sx={{ maxWidth: 520 }}>
            <TextField
              select
              label="Execution provider"
              value={draft.executionProvider}
              onChange={(e) =>
                setDraft({ ...draft, executionProvider: e.target.value as Settings['executionProvider'] })
              }
              helperText="Auto picks CUDA, then WebGPU when it beats the CPU, else the CPU"
            >
              <MenuItem value="auto">Auto</MenuItem>
              <MenuItem value="cpu">CPU</MenuItem>
              <MenuItem value="webgpu">WebGPU</MenuItem>
              <MenuItem value="cuda">CUDA</MenuItem>
            </TextField>
            <TextField
              label="Threads"
              type="number"
              value={draft.threads}
              onChange={(e) => setDraft({ ...draft, threads: Number(e.target.value) })}
              helperText={`0 = automatic${system.data ? ` (this machine has ${system.data.cpuCount} logical CPUs)` : ''}`}
            />
            <TextField
              select
              label="Theme"
              value={draft.theme}
              onChange={(e) => setDraft({ ...draft, theme: e.target.value as Settings['theme'] })}
            >
              <MenuItem value="system">Follow the system</MenuItem>
              <MenuItem value="light">Light</MenuItem>
              <MenuItem value="dark">Dark</MenuItem>
            </TextField>
            <TextField
              label="Data directory"
              value={current.data?.dataDir ?? ''}
              slotProps={{ input: { readOnly: true } }}
              helperText="Set at launch with --data-dir"
            />
            <ErrorAlert error={saveError} />
            <Stack sx={{ alignItems: 'center' }} direction="row" spacing={2}>
              <Button variant="contained" onClick={save}>
                Save
              </Button>
              {isSaved ? (
                <Typography variant="body2" color="success.main">
                  Saved
                </Typography>
              ) : null}
            </Stack>
          </Stack>
        </Paper>
      ) : null}
      <Paper sx={{ p: 2 }}>
        <Typography variant="subtitle2" gutterBottom>
          Execution providers on this machine
        </Typography>
        <ErrorAlert error={probe.error} />
        {providers ? (
          <Stack spacing={1}>
            {providers.map((provider) => (
              <Stack key={provider.name} direction="row" spacing={1.5} sx={{ alignItems: 'baseline' }}>
                <Chip
                  size="small"
                  label={`${provider.name}: ${provider.available ? 'available' : 'not available'}`}
                  color={provider.available ? 'success' : 'default'}
                  data-provider={provider.name}
                />
                <Typography variant="caption" color="text.secondary">
                  {provider.detail}
                </Typography>
              </Stack>
            ))}
          </Stack>
        ) : (
          <Typography variant="body2" color="text.secondary">
            Checking which providers start here…
          </Typography>
        )}
      </Paper>
      {system.data ? (
        <Paper sx={{ p: 2 }}>
          <Typography variant="subtitle2">This machine</Typography>
          <Typography variant="body2" color="text.secondary">
            {system.data.cpuModel} · {system.data.cpuCount} CPUs · {formatBytes(system.data.totalMemoryBytes)}{' '}
            memory ({formatBytes(system.data.freeMemoryBytes)} free) · {system.data.platform}/
            {system.data.arch} · ZO Studio {system.data.appVersion}
          </Typography>
        </Paper>
      ) : null}
    </Stack>
  );
}
