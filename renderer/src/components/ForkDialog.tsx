// Fork a run: continue from one of its checkpoints as a new run with a new budget and learning rate
// (model and PEFT settings stay: the trainable tensors come from the parent).
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useEffect, useState } from 'react';
import { useApi } from '../api/api-context.tsx';
import { navigate } from '../app/route.ts';
import { formatBytes } from '../format.ts';
import { ErrorAlert } from './ErrorAlert.tsx';

export interface ForkDialogProps {
  runId: string;
  open: boolean;
  checkpoints: { step: number; bytes: number }[];
  learningRate: number;
  onClose: () => void;
}

export function ForkDialog({ runId, open, checkpoints, learningRate, onClose }: ForkDialogProps) {
  const api = useApi();
  const newest = checkpoints.at(-1)?.step ?? 0;
  const [step, setStep] = useState(newest);
  const [extraSteps, setExtraSteps] = useState(100);
  const [lr, setLr] = useState(learningRate);
  const [error, setError] = useState<Error | null>(null);

  useEffect(() => {
    if (open) {
      setStep(newest);
      setLr(learningRate);
    }
  }, [open, newest, learningRate]);

  const fork = () => {
    setError(null);
    // The budget counts from step 0 of the parent's trajectory, so the fork trains extraSteps more.
    api
      .call('training.fork', {
        runId,
        checkpointStep: step,
        overrides: { budget: { steps: step + extraSteps }, lr },
      })
      .then((forked) => {
        onClose();
        navigate({ page: 'run', runId: forked.runId });
      }, setError);
  };

  return (
    <Dialog open={open} onClose={onClose} fullWidth maxWidth="xs">
      <DialogTitle>Fork from a checkpoint</DialogTitle>
      <DialogContent dividers>
        <Stack spacing={2.5}>
          <TextField select label="Checkpoint" value={step} onChange={(e) => setStep(Number(e.target.value))}>
            {checkpoints.map((c) => (
              <MenuItem key={c.step} value={c.step}>
                step {c.step} · {formatBytes(c.bytes)}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            label="Steps to train after it"
            type="number"
            value={extraSteps}
            onChange={(e) => setExtraSteps(Number(e.target.value))}
          />
          <TextField
            label="Learning rate"
            type="number"
            value={lr}
            onChange={(e) => setLr(Number(e.target.value))}
            slotProps={{ htmlInput: { step: 'any' } }}
          />
          <ErrorAlert error={error} title="Fork" />
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          variant="contained"
          disabled={!checkpoints.length || extraSteps < 1 || !(lr > 0)}
          onClick={fork}
        >
          Start fork
        </Button>
      </DialogActions>
    </Dialog>
  );
}
