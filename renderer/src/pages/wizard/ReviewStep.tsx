// Step 6: the whole config at a glance, a memory estimate against this machine, an estimated time.
import Alert from '@mui/material/Alert';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import { useCall } from '../../api/api-context.tsx';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { formatBytes, formatCount, formatDuration } from '../../format.ts';
import { Fact } from './ModelStep.tsx';
import { withConfig, type UpdateDraft, type WizardDraft } from './draft.ts';

function summaryRows(config: WizardDraft['config']): [string, string][] {
  const budget =
    'steps' in config.budget
      ? `${config.budget.steps} steps`
      : `${config.budget.forwardPasses} forward passes`;
  const peft = config.peft ?? { mode: 'lora' };
  return [
    ['Model', config.model],
    ['Training data', config.data.train],
    ['Validation data', config.data.validation ?? 'held out from training data'],
    ['Task', config.data.task ?? 'lm'],
    [
      'PEFT',
      Object.entries(peft)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(', '),
    ],
    ['Estimator', `${config.estimator?.id ?? 'mezo'} ${JSON.stringify(config.estimator?.settings ?? {})}`],
    [
      'Update rule',
      `${config.optimizer?.id ?? 'zo-sgd'} ${JSON.stringify(config.optimizer?.settings ?? {})}`,
    ],
    ['Budget', budget],
    ['Learning rate / batch', `${config.lr} / ${config.batchSize ?? 16}`],
    ['Evaluation', `every ${config.eval?.everySteps ?? 50} steps on ${config.eval?.rows ?? 100} rows`],
    ['Seed / device', `${config.seed ?? 0} / ${config.ep ?? 'cpu'}`],
  ];
}

export function ReviewStep({ draft, update }: { draft: WizardDraft; update: UpdateDraft }) {
  const estimate = useCall('training.estimate', draft.config, JSON.stringify(draft.config));
  const data = estimate.data;
  return (
    <Stack spacing={2.5}>
      <TextField
        label="Run name"
        value={draft.config.name ?? ''}
        placeholder="e.g. sst2-mezo-lora"
        onChange={(event) => update((d) => withConfig(d, { name: event.target.value || undefined }))}
        sx={{ maxWidth: 420 }}
      />
      <ErrorAlert error={estimate.error} title="Estimate" />
      {data ? (
        <Paper sx={{ p: 2 }}>
          <Alert severity={data.fits ? 'success' : 'warning'} sx={{ mb: 2 }}>
            {data.fits
              ? `Fits: needs about ${formatBytes(data.memoryBytes)} of ${formatBytes(data.availableMemoryBytes)} available.`
              : `Needs about ${formatBytes(data.memoryBytes)} but only ${formatBytes(data.availableMemoryBytes)} is available.`}
          </Alert>
          <Stack direction="row" spacing={4}>
            <Fact label="Trainable parameters" value={formatCount(data.trainableParameters)} />
            <Fact label="Forward passes" value={formatCount(data.forwardPasses)} />
            {data.updateRuleStateBytes > 0 ? (
              <Fact label="Update rule state" value={formatBytes(data.updateRuleStateBytes)} />
            ) : null}
            <Fact
              label="Estimated time"
              value={
                data.estimatedSeconds === null ? 'unknown' : formatDuration(data.estimatedSeconds * 1000)
              }
            />
          </Stack>
        </Paper>
      ) : null}
      <Table size="small" aria-label="run summary">
        <TableBody>
          {summaryRows(draft.config).map(([key, value]) => (
            <TableRow key={key}>
              <TableCell sx={{ width: 220, color: 'text.secondary' }}>{key}</TableCell>
              <TableCell sx={{ wordBreak: 'break-all' }}>{value}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Stack>
  );
}
