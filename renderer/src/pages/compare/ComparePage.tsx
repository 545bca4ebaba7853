// Compare runs: overlaid curves with the x-axis choice, mean ± spread for runs that differ only by seed,
// the config table with "differences only", and parallel coordinates of settings vs final metric.
import FormControlLabel from '@mui/material/FormControlLabel';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Switch from '@mui/material/Switch';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { XAxis } from '../../../../core/api/domains/runs.ts';
import { useCall } from '../../api/api-context.tsx';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { MetricChart, type ChartSeries } from '../../components/MetricChart.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { XAxisToggle } from '../../components/XAxisToggle.tsx';
import { formatNumber } from '../../format.ts';
import { seriesLabel, xAxisLabels } from '../run-history.ts';
import { ParallelCoordinates } from './ParallelCoordinates.tsx';
import { meanAndSpread, seedGroups } from './seed-groups.ts';

export function ComparePage({ runIds }: { runIds: string[] }) {
  const [axis, setAxis] = useState<XAxis>('step');
  const [metric, setMetric] = useState('train_loss');
  const [isDiffOnly, setIsDiffOnly] = useState(true);
  const key = runIds.join(',');
  const list = useCall('runs.list', {});
  const series = useCall('runs.series', runIds.length ? { ids: runIds, x: axis } : null, `${key}:${axis}`);
  const diff = useCall('runs.configDiff', runIds.length ? { ids: runIds } : null, key);

  const nameOf = (id: string) => list.data?.runs.find((run) => run.id === id)?.name ?? id;
  const metrics = [...new Set(series.data?.series.map((s) => s.metric) ?? [])].sort();
  const chosen = series.data?.series.filter((s) => s.metric === metric) ?? [];
  const overlaid: ChartSeries[] = chosen.map((s) => ({ label: nameOf(s.runId), points: s.points }));

  const rows = diff.data?.rows ?? [];
  const groups = seedGroups(rows, runIds.length).filter((group) => group.length > 1);
  const spreads: ChartSeries[] = groups.flatMap((group, index) => {
    const stats = meanAndSpread(chosen.filter((s) => group.includes(runIds.indexOf(s.runId))));
    const name = `group ${index + 1} (${group.length} seeds)`;
    return [
      { label: `${name} mean`, points: stats.map((p) => ({ x: p.x, y: p.mean })) },
      { label: `${name} +1σ`, isDashed: true, points: stats.map((p) => ({ x: p.x, y: p.mean + p.std })) },
      { label: `${name} −1σ`, isDashed: true, points: stats.map((p) => ({ x: p.x, y: p.mean - p.std })) },
    ];
  });

  const finalMetric = list.data
    ? runIds.map((id) => list.data!.runs.find((run) => run.id === id)?.bestMetric?.value ?? null)
    : [];
  const finalLoss = list.data
    ? runIds.map((id) => list.data!.runs.find((run) => run.id === id)?.finalLoss ?? null)
    : [];
  const numericDiffering = rows.filter(
    (row) => row.differs && row.values.every((v) => typeof v === 'number' || v === null),
  );
  const axes = [
    ...numericDiffering.map((row) => ({ name: row.key, values: row.values as (number | null)[] })),
    finalMetric.some((v) => v !== null)
      ? { name: 'best metric', values: finalMetric }
      : { name: 'final loss', values: finalLoss },
  ];

  return (
    <Stack spacing={2.5}>
      <PageHeader title="Compare runs" subtitle={runIds.map(nameOf).join(' · ')} />
      <ErrorAlert error={series.error ?? diff.error ?? list.error} />
      <Paper sx={{ p: 2 }}>
        <Stack direction="row" spacing={2} sx={{ mb: 1, justifyContent: 'space-between' }}>
          <TextField
            select
            label="Metric"
            value={metric}
            onChange={(e) => setMetric(e.target.value)}
            sx={{ width: 220 }}
          >
            {(metrics.length ? metrics : [metric]).map((name) => (
              <MenuItem key={name} value={name}>
                {seriesLabel(name)}
              </MenuItem>
            ))}
          </TextField>
          <XAxisToggle axis={axis} onChange={setAxis} />
        </Stack>
        <MetricChart
          title={seriesLabel(metric)}
          xLabel={xAxisLabels[axis]}
          isIntegerX={axis !== 'wall_time'}
          series={[...overlaid, ...spreads]}
        />
        {groups.length === 0 ? (
          <Typography variant="caption" color="text.secondary">
            Mean ± spread appears when two or more of these runs differ only by seed.
          </Typography>
        ) : null}
      </Paper>
      <Paper sx={{ p: 2 }}>
        <Typography variant="subtitle2" gutterBottom>
          Settings vs result
        </Typography>
        <ParallelCoordinates axes={axes} runLabels={runIds.map(nameOf)} />
      </Paper>
      <Paper sx={{ p: 2 }}>
        <Stack sx={{ alignItems: 'center', justifyContent: 'space-between' }} direction="row">
          <Typography variant="subtitle2">Configuration</Typography>
          <FormControlLabel
            control={<Switch checked={isDiffOnly} onChange={(e) => setIsDiffOnly(e.target.checked)} />}
            label="Differences only"
          />
        </Stack>
        <Table size="small" aria-label="config differences">
          <TableHead>
            <TableRow>
              <TableCell>Setting</TableCell>
              {runIds.map((id) => (
                <TableCell key={id}>{nameOf(id)}</TableCell>
              ))}
            </TableRow>
          </TableHead>
          <TableBody>
            {rows
              .filter((row) => !isDiffOnly || row.differs)
              .map((row) => (
                <TableRow key={row.key} sx={row.differs ? { bgcolor: 'action.hover' } : undefined}>
                  <TableCell sx={{ fontFamily: 'monospace' }}>{row.key}</TableCell>
                  {row.values.map((value, i) => (
                    <TableCell key={i}>
                      {typeof value === 'number' ? formatNumber(value, 6) : String(value)}
                    </TableCell>
                  ))}
                </TableRow>
              ))}
          </TableBody>
        </Table>
      </Paper>
    </Stack>
  );
}
