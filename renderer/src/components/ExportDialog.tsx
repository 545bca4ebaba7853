// Export a run: PEFT adapter, merged HF folder or merged ONNX, into a chosen folder; shows the files
// written and their size.
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import FormControlLabel from '@mui/material/FormControlLabel';
import LinearProgress from '@mui/material/LinearProgress';
import Radio from '@mui/material/Radio';
import RadioGroup from '@mui/material/RadioGroup';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { ExportFormat } from '../../../core/api/domains/export.ts';
import type { Response } from '../../../core/api/methods.ts';
import { useApi } from '../api/api-context.tsx';
import { formatBytes } from '../format.ts';
import { ErrorAlert } from './ErrorAlert.tsx';
import { PathField } from './PathField.tsx';

const formats: { value: ExportFormat; label: string; help: string }[] = [
  {
    value: 'peft',
    label: 'PEFT adapter',
    help: 'adapter_config.json + adapter_model.safetensors; loads with peft / transformers',
  },
  {
    value: 'merged',
    label: 'Merged model (Hugging Face folder)',
    help: 'config, safetensors and tokenizer with the update folded in',
  },
  { value: 'onnx', label: 'Merged ONNX model', help: 'one .onnx file for inference with ONNX Runtime' },
];

export function ExportDialog({
  runId,
  open,
  onClose,
}: {
  runId: string;
  open: boolean;
  onClose: () => void;
}) {
  const api = useApi();
  const [format, setFormat] = useState<ExportFormat>('peft');
  const [outDir, setOutDir] = useState('');
  const [result, setResult] = useState<Response<'export.run'> | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [isRunning, setIsRunning] = useState(false);

  const run = () => {
    setIsRunning(true);
    setError(null);
    setResult(null);
    api
      .call('export.run', { runId, format, outDir })
      .then(setResult, setError)
      .finally(() => setIsRunning(false));
  };

  return (
    <Dialog open={open} onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>Export run</DialogTitle>
      <DialogContent dividers>
        <Stack spacing={2}>
          <RadioGroup value={format} onChange={(event) => setFormat(event.target.value as ExportFormat)}>
            {formats.map((f) => (
              <FormControlLabel
                key={f.value}
                value={f.value}
                control={<Radio />}
                label={
                  <span>
                    {f.label}
                    <Typography variant="caption" color="text.secondary" sx={{ display: 'block' }}>
                      {f.help}
                    </Typography>
                  </span>
                }
              />
            ))}
          </RadioGroup>
          <PathField
            label="Output folder"
            value={outDir}
            onChange={setOutDir}
            pick="dir"
            helperText="Created if it does not exist"
            isRemote={() => true}
          />
          {isRunning ? <LinearProgress aria-label="exporting" /> : null}
          <ErrorAlert error={error} title="Export" />
          {result ? (
            <div role="status">
              <Typography variant="subtitle2">
                Wrote {result.files.length} files, {formatBytes(result.totalBytes)} to {result.outDir}
              </Typography>
              {result.files.map((file) => (
                <Typography key={file.name} variant="body2" sx={{ fontFamily: 'monospace' }}>
                  {file.name} · {formatBytes(file.sizeBytes)}
                </Typography>
              ))}
            </div>
          ) : null}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
        <Button variant="contained" disabled={!outDir || isRunning} onClick={run}>
          Export
        </Button>
      </DialogActions>
    </Dialog>
  );
}
