// The live dashboard of one run: curves against step / forward passes / wall time, throughput, ETA,
// memory and device, pause/resume/cancel, the zero-shot baseline as a reference line. The run lives
// in the backend, so reopening this page reattaches: history comes from the store, the rest from events.
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import { useEffect, useState } from 'react';
import type { ApiEventOf } from '../../../core/api/events.ts';
import type { RunStatus, XAxis } from '../../../core/api/domains/runs.ts';
import { useApi, useApiEvents, useCall } from '../api/api-context.tsx';
import { navigate } from '../app/route.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { ExportDialog } from '../components/ExportDialog.tsx';
import { ForkDialog } from '../components/ForkDialog.tsx';
import { MetricChart } from '../components/MetricChart.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { StatTile } from '../components/StatTile.tsx';
import { StatusChip } from '../components/StatusChip.tsx';
import { XAxisToggle } from '../components/XAxisToggle.tsx';
import { formatBytes, formatCount, formatDuration, formatNumber } from '../format.ts';
import { addEvent, seriesLabel, xAxisLabels, xOf, type RunCurves } from './run-history.ts';

export function RunDashboardPage({ runId }: { runId: string }) {
  const api = useApi();
  const run = useCall('runs.get', { id: runId }, runId);
  const history = useCall('runs.metrics', { id: runId }, runId);
  const [curves, setCurves] = useState<RunCurves>({});
  const [latest, setLatest] = useState<ApiEventOf<'run.step'> | null>(null);
  const [status, setStatus] = useState<RunStatus | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [axis, setAxis] = useState<XAxis>('step');
  const [actionError, setActionError] = useState<Error | null>(null);
  const [isExporting, setIsExporting] = useState(false);
  const [isForking, setIsForking] = useState(false);
  const [liveBaseline, setLiveBaseline] = useState<Record<string, number> | null>(null);

  useEffect(() => {
    if (run.data) setStatus((current) => current ?? run.data!.run.status);
  }, [run.data]);

  // History from the store first, then live points; a live point wins over a stored one at the same step.
  useEffect(() => {
    if (!history.data) return;
    setCurves((live) => {
      const merged: RunCurves = {};
      for (const metric of history.data!.metrics) merged[metric.name] = metric.points;
      for (const [name, points] of Object.entries(live)) {
        const firstLive = points[0]?.step ?? Infinity;
        merged[name] = [...(merged[name] ?? []).filter((p) => p.step < firstLive), ...points];
      }
      return merged;
    });
  }, [history.data]);

  useApiEvents((event) => {
    if (!('runId' in event) || event.runId !== runId) return;
    if (event.kind === 'run.step') {
      setLatest(event);
      setCurves((c) => addEvent(c, event));
    } else if (event.kind === 'run.eval') {
      if (event.isBaseline) setLiveBaseline(event.metrics);
      setCurves((c) => addEvent(c, event));
    } else if (event.kind === 'run.status') {
      setStatus(event.status);
      // A pause or the end writes a checkpoint: refresh the list the Fork dialog offers.
      if (event.status !== 'running') run.reload();
      setMessage(event.message ?? null);
    }
  });

  const control = (method: 'training.pause' | 'training.resume' | 'training.cancel') => {
    setActionError(null);
    api.call(method, { runId }).then(
      (ack) => setStatus(ack.status),
      (error: Error) => setActionError(error),
    );
  };

  const summary = run.data?.run;
  const baseline = run.data?.baseline ?? liveBaseline;
  const totalSteps = summary
    ? Number((run.data?.config.budget as { steps?: number } | undefined)?.steps ?? 0)
    : 0;
  const step = latest?.step ?? summary?.steps ?? 0;
  const seriesOf = (names: string[]) =>
    names
      .filter((name) => curves[name]?.length)
      .map((name) => ({
        label: seriesLabel(name),
        isDashed: name.startsWith('val_'),
        points: curves[name]!.map((p) => ({ x: xOf(p, axis), y: p.value })),
      }));
  const metricNames = Object.keys(curves).filter((name) => name.startsWith('val_') && name !== 'val_loss');
  const isLive = status === 'running' || status === 'queued';
  const allX = Object.values(curves).flatMap((points) => points.map((p) => xOf(p, axis)));
  const xDomain: [number, number] | undefined = allX.length
    ? [Math.min(...allX), Math.max(...allX)]
    : undefined;

  return (
    <Stack spacing={2.5}>
      <PageHeader
        title={summary?.name ?? runId}
        subtitle={
          summary
            ? `${summary.model} · ${summary.dataset} · ${summary.estimator} + ${summary.updateRule} · ${summary.peft}`
            : undefined
        }
        actions={
          <>
            {status ? <StatusChip status={status} /> : null}
            <Button
              variant="outlined"
              disabled={status !== 'running'}
              onClick={() => control('training.pause')}
            >
              Pause
            </Button>
            <Button
              variant="outlined"
              disabled={status !== 'paused' && status !== 'interrupted'}
              onClick={() => control('training.resume')}
            >
              Resume
            </Button>
            <Button
              variant="outlined"
              color="error"
              disabled={!isLive && status !== 'paused'}
              onClick={() => control('training.cancel')}
            >
              Cancel
            </Button>
            <Button
              variant="outlined"
              disabled={!run.data?.checkpoints.length || isLive}
              onClick={() => setIsForking(true)}
            >
              Fork…
            </Button>
            <Button variant="outlined" onClick={() => navigate({ page: 'playground', runId })}>
              Playground
            </Button>
            <Button
              variant="contained"
              disabled={status !== 'completed' && status !== 'cancelled'}
              onClick={() => setIsExporting(true)}
            >
              Export…
            </Button>
          </>
        }
      />
      <ErrorAlert error={run.error} title="Run" />
      <ErrorAlert error={actionError} />
      {message ? <ErrorAlert error={status === 'failed' ? new Error(message) : null} /> : null}
      {totalSteps > 0 ? (
        <LinearProgress
          variant="determinate"
          value={Math.min(100, (100 * step) / totalSteps)}
          aria-label="run progress"
        />
      ) : null}
      <Stack direction="row" spacing={1.5} useFlexGap sx={{ flexWrap: 'wrap' }}>
        <StatTile label="Step" value={totalSteps ? `${step} / ${totalSteps}` : String(step)} />
        <StatTile
          label="Forward passes"
          value={formatCount(latest?.forwardPasses ?? summary?.forwardPasses ?? 0)}
        />
        <StatTile label="Train loss" value={formatNumber(latest?.trainLoss ?? summary?.finalLoss)} />
        <StatTile label="Steps / s" value={latest ? latest.stepsPerSecond.toFixed(2) : '—'} />
        <StatTile label="ETA" value={latest?.etaMs != null ? formatDuration(latest.etaMs) : '—'} />
        <StatTile label="Memory" value={latest ? formatBytes(latest.memoryBytes) : '—'} />
        <StatTile label="Device" value={latest?.device ?? String(run.data?.config.ep ?? '—')} />
      </Stack>
      <Paper sx={{ p: 2 }}>
        <Stack direction="row" sx={{ mb: 1, justifyContent: 'flex-end' }}>
          <XAxisToggle axis={axis} onChange={setAxis} />
        </Stack>
        <MetricChart
          title="Loss"
          xLabel={xAxisLabels[axis]}
          isIntegerX={axis !== 'wall_time'}
          xDomain={xDomain}
          series={seriesOf(['train_loss', 'val_loss'])}
          referenceLines={
            baseline?.loss !== undefined
              ? [{ y: baseline.loss, label: `zero-shot loss ${formatNumber(baseline.loss)}` }]
              : []
          }
        />
        {metricNames.length ? (
          <MetricChart
            title="Validation metrics"
            xLabel={xAxisLabels[axis]}
            isIntegerX={axis !== 'wall_time'}
            xDomain={xDomain}
            series={seriesOf(metricNames)}
            height={220}
            referenceLines={metricNames.flatMap((name) => {
              const value = baseline?.[name.slice('val_'.length)];
              return value === undefined
                ? []
                : [{ y: value, label: `zero-shot ${name.slice('val_'.length)} ${formatNumber(value)}` }];
            })}
          />
        ) : null}
      </Paper>
      <ExportDialog runId={runId} open={isExporting} onClose={() => setIsExporting(false)} />
      <ForkDialog
        runId={runId}
        open={isForking}
        checkpoints={run.data?.checkpoints ?? []}
        learningRate={Number(run.data?.config.lr ?? 1e-4)}
        onClose={() => setIsForking(false)}
      />
    </Stack>
  );
}
