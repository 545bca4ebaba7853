// A live run's curves: loaded from runs.metrics, then extended by run.step / run.eval events.
// Series names match core/store: `train_loss` and `val_<metric>` (val_loss, val_accuracy, ...).
import type { ApiEventOf } from '../../../core/api/events.ts';
import type { RunPoint, XAxis } from '../../../core/api/domains/runs.ts';

export type RunCurves = Record<string, RunPoint[]>;

export function xOf(point: RunPoint, axis: XAxis): number {
  return axis === 'step'
    ? point.step
    : axis === 'forward_passes'
      ? point.forwardPasses
      : point.elapsedMs / 1000;
}

export const xAxisLabels: Record<XAxis, string> = {
  step: 'Step',
  forward_passes: 'Forward passes',
  wall_time: 'Wall time (s)',
};

/** Adds one event's values; a point at an already-seen step replaces the old one (after a resume). */
export function addEvent(
  curves: RunCurves,
  event: ApiEventOf<'run.step'> | ApiEventOf<'run.eval'>,
): RunCurves {
  const next = { ...curves };
  const put = (name: string, value: number) => {
    const points = (next[name] ?? []).filter((p) => p.step < event.step);
    points.push({ step: event.step, forwardPasses: event.forwardPasses, elapsedMs: event.elapsedMs, value });
    next[name] = points;
  };
  if (event.kind === 'run.step') put('train_loss', event.trainLoss);
  else if (!event.isBaseline)
    for (const [metric, value] of Object.entries(event.metrics)) put(`val_${metric}`, value);
  return next;
}

/** train_loss → "train loss", val_accuracy → "validation accuracy". */
export function seriesLabel(metric: string): string {
  return metric
    .replace(/^val_/, 'validation ')
    .replace(/^train_/, 'train ')
    .replaceAll('_', ' ');
}
