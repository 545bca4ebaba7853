// runs.* over the run history (core/store). A run the store says is running but that no worker of
// this backend is running was cut off (crash, kill -9, a closed server): it shows as "interrupted"
// and can be resumed from its last checkpoint.
import { basename } from 'node:path';
import { ApiError } from '../../api/errors.ts';
import type { Handlers } from '../../api/methods.ts';
import type { RunStatus, RunSummary, XAxis } from '../../api/domains/runs.ts';
import type { RunStore } from '../../store/run-store.ts';
import type { RunRecord, SeriesAxis } from '../../store/types.ts';
import { isTerminalStatus } from '../../train/events.ts';
import type { TrainingManager } from '../../train/manager.ts';

const axisOf: Record<XAxis, SeriesAxis> = {
  step: 'step',
  forward_passes: 'forward_passes',
  wall_time: 'wall_ms',
};

/** Metrics where larger is better; every other validation metric (loss, perplexity) is minimized. */
const higherIsBetter = new Set(['accuracy', 'macro_f1', 'f1', 'exact_match']);

export function apiStatus(record: RunRecord, isLive: boolean): RunStatus {
  if (record.status === 'created') return 'queued';
  if ((record.status === 'running' || record.status === 'paused') && !isLive) return 'interrupted';
  return record.status;
}

function bestMetric(store: RunStore, runId: string): RunSummary['bestMetric'] {
  const evals = store.listEvals(runId, 'validation');
  const names = [...new Set(evals.flatMap((e) => Object.keys(e.metrics)))];
  const name = names.find((n) => higherIsBetter.has(n)) ?? (names.includes('loss') ? 'loss' : names[0]);
  if (!name) return null;
  const values = evals
    .map((e) => e.metrics[name])
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (!values.length) return null;
  return { name, value: higherIsBetter.has(name) ? Math.max(...values) : Math.min(...values) };
}

function toPlainValue(value: unknown): string | number | boolean | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

export function runsHandlers(
  store: RunStore,
  manager: TrainingManager,
): Pick<Handlers, `runs.${string}` & keyof Handlers> {
  const liveIds = () => new Set(manager.active().map((run) => run.runId));
  const summarize = (record: RunRecord, live: Set<string>): RunSummary => {
    const final = store.finalMetrics([record.id]).get(record.id);
    const loss = final?.get('train_loss');
    const { seed, optimizer } = record.config as { seed?: unknown; optimizer?: { id?: unknown } };
    return {
      id: record.id,
      name: record.name,
      status: apiStatus(record, live.has(record.id)),
      model: basename(record.modelDir),
      dataset: basename(record.dataset),
      task: record.task,
      estimator: record.estimator,
      // A config stored without `optimizer` trained with the schema's default rule.
      updateRule: typeof optimizer?.id === 'string' ? optimizer.id : 'zo-sgd',
      peft: record.peft,
      seed: typeof seed === 'number' ? seed : 0,
      createdAtMs: record.createdAt,
      steps: loss?.step ?? 0,
      forwardPasses: loss?.forwardPasses ?? 0,
      finalLoss: loss && Number.isFinite(loss.value) ? loss.value : null,
      bestMetric: bestMetric(store, record.id),
      tags: record.tags,
    };
  };
  const requireRun = (id: string) => {
    const record = store.getRun(id);
    if (!record) throw new ApiError('not_found', `no run with id ${id}`);
    return record;
  };

  return {
    'runs.list': async ({ status, search }) => {
      const live = liveIds();
      const runs = store
        .listRuns({ sort: 'created', order: 'desc', ...(search ? { search } : {}) })
        .map((r) => summarize(r, live));
      return { runs: status ? runs.filter((run) => run.status === status) : runs };
    },
    'runs.get': async ({ id }) => {
      const record = requireRun(id);
      const baseline = store.listEvals(id, 'baseline')[0]?.metrics ?? null;
      return {
        run: summarize(record, liveIds()),
        config: record.config,
        checkpoints: store
          .listCheckpoints(id)
          .map((c) => ({ step: c.step, bytes: c.bytes, createdAtMs: c.createdAt })),
        baseline,
      };
    },
    'runs.series': async ({ ids, x, metrics }) => {
      for (const id of ids) requireRun(id);
      const names = metrics ?? [...new Set(ids.flatMap((id) => store.metricNames(id)))];
      const series = names.flatMap((metric) => {
        const aligned = store.seriesAligned(ids, metric, axisOf[x]);
        const scale = x === 'wall_time' ? 1 / 1000 : 1;
        return aligned.series.map((run) => ({
          runId: run.runId,
          metric,
          points: run.values.flatMap((y, i) =>
            y === null || !Number.isFinite(y) ? [] : [{ x: aligned.x[i]! * scale, y }],
          ),
        }));
      });
      return { series: series.filter((s) => s.points.length > 0) };
    },
    'runs.metrics': async ({ id }) => {
      requireRun(id);
      return {
        metrics: store.metricNames(id).map((name) => ({
          name,
          points: store
            .metricSeries(id, name)
            .filter((p) => Number.isFinite(p.value))
            .map((p) => ({
              step: p.step,
              forwardPasses: p.forwardPasses,
              elapsedMs: p.wallMs,
              value: p.value,
            })),
        })),
      };
    },
    'runs.configDiff': async ({ ids }) => {
      for (const id of ids) requireRun(id);
      return {
        rows: store
          .configDiff(ids, false)
          .map((row) => ({ key: row.key, values: row.values.map(toPlainValue), differs: row.differs })),
      };
    },
    'runs.delete': async ({ id }) => {
      requireRun(id);
      const live = manager.active().find((run) => run.runId === id);
      if (live && !isTerminalStatus(live.status)) {
        throw new ApiError('conflict', `run ${id} is ${live.status}; cancel it before deleting`);
      }
      // A run that just ended may still be writing its last rows: let its worker finish first.
      if (live) await manager.waitForEnd(id);
      store.deleteRun(id);
      return { deleted: true };
    },
    'runs.tag': async ({ id, tags }) => {
      const record = requireRun(id);
      for (const tag of record.tags) if (!tags.includes(tag)) store.removeTag(id, tag);
      for (const tag of tags) if (!record.tags.includes(tag)) store.addTag(id, tag);
      return { tags: requireRun(id).tags };
    },
  };
}
