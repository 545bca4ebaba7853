// Step 1: a file or Hub id, the detected schema, the column mapping and a preview of rendered prompts.
import FormControl from '@mui/material/FormControl';
import InputLabel from '@mui/material/InputLabel';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Select from '@mui/material/Select';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { useEffect } from 'react';
import { useCall } from '../../api/api-context.tsx';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { PathField } from '../../components/PathField.tsx';
import { withConfig, type UpdateDraft, type WizardDraft } from './draft.ts';

const isHubId = (value: string) => value.startsWith('hf:');

export function DatasetStep({ draft, update }: { draft: WizardDraft; update: UpdateDraft }) {
  const { data } = draft.config;
  const tasks = useCall('datasets.tasks', {});
  const preview = useCall(
    'datasets.preview',
    data.train
      ? {
          source: data.train,
          task: data.task,
          mapping: data.columns,
          rows: 5,
          modelDir: draft.config.model || undefined,
        }
      : null,
    JSON.stringify([data.train, data.task, data.columns, draft.config.model]),
  );
  const setData = (patch: Partial<typeof data>) =>
    update((d) => withConfig(d, { data: { ...d.config.data, ...patch } }));
  // Token counts need the model's tokenizer, chosen in the next step; until then the column is hidden.
  const hasModel = Boolean(draft.config.model);
  const taskOptions = tasks.data?.tasks ?? (data.task ? [{ id: data.task, label: data.task, kind: '' }] : []);

  // Adopt the detected task once, so Review and Start see what the preview shows.
  useEffect(() => {
    if (!data.task && preview.data)
      update((d) => withConfig(d, { data: { ...d.config.data, task: preview.data!.task } }));
  }, [data.task, preview.data, update]);

  return (
    <Stack spacing={2.5}>
      <PathField
        label="Training data"
        value={data.train}
        onChange={(train) => setData({ train })}
        pick="any"
        placeholder="/path/to/train.jsonl or hf:stanfordnlp/sst2"
        helperText="A JSONL, JSON, CSV, TSV, Parquet or text file, or a Hub dataset written as hf:owner/name"
        isRemote={isHubId}
      />
      <PathField
        label="Validation data (optional)"
        value={data.validation ?? ''}
        onChange={(validation) => setData({ validation: validation || undefined })}
        pick="file"
        helperText="Without it, the last rows of the training data are held out"
        isRemote={isHubId}
      />
      <FormControl sx={{ maxWidth: 320 }}>
        <InputLabel id="task-label">Task</InputLabel>
        <Select
          labelId="task-label"
          label="Task"
          value={data.task ?? ''}
          onChange={(event) => setData({ task: event.target.value || undefined })}
        >
          <MenuItem value="">Detect from the data</MenuItem>
          {taskOptions.map((task) => (
            <MenuItem key={task.id} value={task.id}>
              {task.label}
            </MenuItem>
          ))}
        </Select>
      </FormControl>
      <ErrorAlert error={tasks.error} title="Task list" />
      <ErrorAlert error={preview.error} title="Preview" />
      {preview.data ? (
        <Paper sx={{ p: 2 }}>
          <Typography variant="subtitle2" gutterBottom>
            {preview.data.rows} rows · columns {preview.data.columns.join(', ')} · detected task{' '}
            {preview.data.task}
          </Typography>
          <Stack direction="row" spacing={2} sx={{ my: 1.5, flexWrap: 'wrap' }} useFlexGap>
            {Object.entries(preview.data.mapping).map(([role, column]) => (
              <FormControl key={role} sx={{ minWidth: 160 }}>
                <InputLabel id={`map-${role}`}>{role}</InputLabel>
                <Select
                  labelId={`map-${role}`}
                  label={role}
                  value={column}
                  onChange={(event) =>
                    setData({ columns: { ...preview.data?.mapping, [role]: event.target.value } })
                  }
                >
                  {preview.data?.columns.map((name) => (
                    <MenuItem key={name} value={name}>
                      {name}
                    </MenuItem>
                  ))}
                </Select>
              </FormControl>
            ))}
          </Stack>
          {preview.data.warnings
            .filter((warning) => hasModel || !warning.startsWith('no model given'))
            .map((warning) => (
              <Typography key={warning} variant="body2" color="warning.main">
                {warning}
              </Typography>
            ))}
          <Table size="small" aria-label="rendered examples">
            <TableHead>
              <TableRow>
                <TableCell>Prompt</TableCell>
                <TableCell>Target</TableCell>
                {hasModel ? <TableCell align="right">Tokens</TableCell> : null}
              </TableRow>
            </TableHead>
            <TableBody>
              {preview.data.examples.map((example, index) => (
                <TableRow key={index}>
                  <TableCell sx={{ fontFamily: 'monospace', whiteSpace: 'pre-wrap', fontSize: 12 }}>
                    {example.prompt}
                  </TableCell>
                  <TableCell sx={{ fontFamily: 'monospace', fontSize: 12 }}>{example.target}</TableCell>
                  {hasModel ? <TableCell align="right">{example.tokens}</TableCell> : null}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Paper>
      ) : null}
    </Stack>
  );
}
