// Playground: the base model and the tuned model side by side, generating from the same prompt.
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { Response } from '../../../core/api/methods.ts';
import { useApi, useCall } from '../api/api-context.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PageHeader } from '../components/PageHeader.tsx';

type Generation = Response<'playground.generate'>['base'];

function Output({ title, generation }: { title: string; generation: Generation | null }) {
  return (
    <Paper sx={{ p: 2, flex: 1, minHeight: 200 }}>
      <Typography variant="subtitle2">{title}</Typography>
      <Typography
        variant="body2"
        sx={{ whiteSpace: 'pre-wrap', fontFamily: 'monospace', mt: 1 }}
        data-output={title}
      >
        {generation?.text ?? ''}
      </Typography>
      {generation ? (
        <Typography variant="caption" color="text.secondary">
          {generation.tokens} tokens in {(generation.elapsedMs / 1000).toFixed(2)} s
        </Typography>
      ) : null}
    </Paper>
  );
}

export function PlaygroundPage({ runId }: { runId: string | null }) {
  const api = useApi();
  const runs = useCall('runs.list', {});
  const [selected, setSelected] = useState(runId ?? '');
  const [prompt, setPrompt] = useState('Once upon a time');
  const [maxNewTokens, setMaxNewTokens] = useState(48);
  const [result, setResult] = useState<Response<'playground.generate'> | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [isGenerating, setIsGenerating] = useState(false);

  const generate = () => {
    setIsGenerating(true);
    setError(null);
    api
      .call('playground.generate', { runId: selected, prompt, maxNewTokens })
      .then(setResult, setError)
      .finally(() => setIsGenerating(false));
  };

  return (
    <Stack spacing={2.5}>
      <PageHeader
        title="Playground"
        subtitle="The same prompt through the base model and the tuned one, greedy decoding."
      />
      <ErrorAlert error={runs.error} title="Runs" />
      <Stack direction="row" spacing={2}>
        <TextField
          select
          label="Run"
          value={selected}
          onChange={(e) => setSelected(e.target.value)}
          sx={{ width: 320 }}
        >
          {(runs.data?.runs ?? []).map((run) => (
            <MenuItem key={run.id} value={run.id}>
              {run.name}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          label="Max new tokens"
          type="number"
          value={maxNewTokens}
          onChange={(e) => setMaxNewTokens(Number(e.target.value))}
          sx={{ width: 160 }}
        />
      </Stack>
      <TextField
        label="Prompt"
        multiline
        minRows={3}
        value={prompt}
        onChange={(e) => setPrompt(e.target.value)}
      />
      <div>
        <Button variant="contained" disabled={!selected || !prompt || isGenerating} onClick={generate}>
          Generate
        </Button>
      </div>
      {isGenerating ? <LinearProgress aria-label="generating" /> : null}
      <ErrorAlert error={error} title="Generate" />
      <Stack direction="row" spacing={2}>
        <Output title="Base model" generation={result?.base ?? null} />
        <Output title="Tuned model" generation={result?.tuned ?? null} />
      </Stack>
    </Stack>
  );
}
