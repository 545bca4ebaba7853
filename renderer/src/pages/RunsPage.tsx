// Run history: a sortable, filterable table; select runs to compare; delete with confirmation.
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TableSortLabel from '@mui/material/TableSortLabel';
import TextField from '@mui/material/TextField';
import { useMemo, useState } from 'react';
import { runStatusSchema, type RunSummary } from '../../../core/api/domains/runs.ts';
import { useApi, useApiEvents, useCall } from '../api/api-context.tsx';
import { hrefOf, navigate } from '../app/route.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { StatusChip } from '../components/StatusChip.tsx';
import { formatCount, formatNumber } from '../format.ts';

type SortKey =
  | 'name'
  | 'status'
  | 'model'
  | 'dataset'
  | 'estimator'
  | 'updateRule'
  | 'steps'
  | 'finalLoss'
  | 'bestMetric'
  | 'createdAtMs';

const columns: { key: SortKey; label: string; numeric?: boolean }[] = [
  { key: 'name', label: 'Run' },
  { key: 'status', label: 'Status' },
  { key: 'model', label: 'Model' },
  { key: 'dataset', label: 'Dataset' },
  { key: 'estimator', label: 'Estimator' },
  { key: 'updateRule', label: 'Update rule' },
  { key: 'steps', label: 'Steps', numeric: true },
  { key: 'finalLoss', label: 'Final loss', numeric: true },
  { key: 'bestMetric', label: 'Best metric', numeric: true },
  { key: 'createdAtMs', label: 'Started', numeric: true },
];

function sortValue(run: RunSummary, key: SortKey): string | number {
  if (key === 'bestMetric') return run.bestMetric?.value ?? -Infinity;
  if (key === 'finalLoss') return run.finalLoss ?? Infinity;
  return run[key];
}

export function RunsPage() {
  const api = useApi();
  const runs = useCall('runs.list', {});
  const [filter, setFilter] = useState('');
  const [status, setStatus] = useState<string>('all');
  const [sort, setSort] = useState<{ key: SortKey; isAscending: boolean }>({
    key: 'createdAtMs',
    isAscending: false,
  });
  const [selected, setSelected] = useState<string[]>([]);
  const [toDelete, setToDelete] = useState<RunSummary | null>(null);
  const [deleteError, setDeleteError] = useState<Error | null>(null);

  // Status changes of any run refresh the table so it never shows a stale "running".
  useApiEvents((event) => event.kind === 'run.status' && runs.reload());

  const rows = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const list = (runs.data?.runs ?? []).filter(
      (run) =>
        (status === 'all' || run.status === status) &&
        (!needle ||
          [run.name, run.model, run.dataset, run.estimator, run.updateRule, run.task, ...run.tags].some(
            (text) => text.toLowerCase().includes(needle),
          )),
    );
    const direction = sort.isAscending ? 1 : -1;
    return list.sort((a, b) => {
      const x = sortValue(a, sort.key);
      const y = sortValue(b, sort.key);
      return (x < y ? -1 : x > y ? 1 : 0) * direction;
    });
  }, [runs.data, filter, status, sort]);

  const toggle = (id: string) =>
    setSelected((current) => (current.includes(id) ? current.filter((x) => x !== id) : [...current, id]));

  const confirmDelete = () => {
    if (!toDelete) return;
    api.call('runs.delete', { id: toDelete.id }).then(
      () => {
        setSelected((current) => current.filter((id) => id !== toDelete.id));
        setToDelete(null);
        runs.reload();
      },
      (error: Error) => setDeleteError(error),
    );
  };

  return (
    <Stack spacing={2}>
      <PageHeader
        title="Runs"
        subtitle="Every run this studio has trained, newest first."
        actions={
          <Button
            variant="contained"
            disabled={selected.length < 2}
            onClick={() => navigate({ page: 'compare', runIds: selected })}
          >
            Compare {selected.length ? `(${selected.length})` : ''}
          </Button>
        }
      />
      <Stack direction="row" spacing={2}>
        <TextField
          label="Filter"
          placeholder="name, model, dataset, estimator, rule, tag"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          sx={{ width: 360 }}
        />
        <TextField
          select
          label="Status"
          value={status}
          onChange={(e) => setStatus(e.target.value)}
          sx={{ width: 180 }}
        >
          <MenuItem value="all">All</MenuItem>
          {runStatusSchema.options.map((option) => (
            <MenuItem key={option} value={option}>
              {option}
            </MenuItem>
          ))}
        </TextField>
      </Stack>
      <ErrorAlert error={runs.error} title="Runs" />
      <TableContainer component={Paper}>
        <Table size="small" aria-label="runs">
          <TableHead>
            <TableRow>
              <TableCell padding="checkbox" />
              {columns.map((column) => (
                <TableCell
                  key={column.key}
                  align={column.numeric ? 'right' : 'left'}
                  sortDirection={sort.key === column.key ? (sort.isAscending ? 'asc' : 'desc') : false}
                >
                  <TableSortLabel
                    active={sort.key === column.key}
                    direction={sort.key === column.key && sort.isAscending ? 'asc' : 'desc'}
                    onClick={() =>
                      setSort({
                        key: column.key,
                        isAscending: sort.key === column.key ? !sort.isAscending : true,
                      })
                    }
                  >
                    {column.label}
                  </TableSortLabel>
                </TableCell>
              ))}
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.map((run) => (
              <TableRow key={run.id} hover selected={selected.includes(run.id)}>
                <TableCell padding="checkbox">
                  <Checkbox
                    checked={selected.includes(run.id)}
                    onChange={() => toggle(run.id)}
                    slotProps={{ input: { 'aria-label': `select ${run.name}` } }}
                  />
                </TableCell>
                <TableCell sx={{ whiteSpace: 'nowrap' }}>
                  <a href={hrefOf({ page: 'run', runId: run.id })}>{run.name}</a>
                </TableCell>
                <TableCell>
                  <StatusChip status={run.status} />
                </TableCell>
                <TableCell>{run.model}</TableCell>
                <TableCell>{run.dataset}</TableCell>
                <TableCell>{run.estimator}</TableCell>
                <TableCell>{run.updateRule}</TableCell>
                <TableCell align="right">{formatCount(run.steps)}</TableCell>
                <TableCell align="right">{formatNumber(run.finalLoss)}</TableCell>
                <TableCell align="right">
                  {run.bestMetric ? `${run.bestMetric.name} ${formatNumber(run.bestMetric.value)}` : '—'}
                </TableCell>
                <TableCell align="right">{new Date(run.createdAtMs).toLocaleString()}</TableCell>
                <TableCell>
                  <Button size="small" color="error" onClick={() => setToDelete(run)}>
                    Delete
                  </Button>
                </TableCell>
              </TableRow>
            ))}
            {!rows.length && !runs.isLoading ? (
              <TableRow>
                <TableCell
                  colSpan={columns.length + 2}
                  sx={{ color: 'text.secondary', textAlign: 'center', py: 4 }}
                >
                  {runs.data?.runs.length
                    ? 'No run matches the filter.'
                    : 'No runs yet: start one from “New run”.'}
                </TableCell>
              </TableRow>
            ) : null}
          </TableBody>
        </Table>
      </TableContainer>
      <Dialog open={toDelete !== null} onClose={() => setToDelete(null)}>
        <DialogTitle>Delete run “{toDelete?.name}”?</DialogTitle>
        <DialogContent>
          Its metrics, checkpoints and files are removed. Exports already written elsewhere stay.
          <ErrorAlert error={deleteError} />
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setToDelete(null)}>Keep</Button>
          <Button color="error" variant="contained" onClick={confirmDelete}>
            Delete
          </Button>
        </DialogActions>
      </Dialog>
    </Stack>
  );
}
