// Per-step metric time series and evaluations of a run.
import type { SqlDatabase } from './db.ts';
import type { EvalRecord, FinalMetric, MetricPoint } from './types.ts';

interface MetricRow {
  name: string;
  step: number;
  forward_passes: number;
  wall_ms: number;
  value: number | null;
}

/**
 * Records a batch of points in one transaction: the trainer flushes every few hundred ms, and one
 * transaction per batch keeps that to one fsync instead of one per point. A point for a (metric, step)
 * that already exists replaces it (steps replayed after a resume).
 */
export function appendMetrics(db: SqlDatabase, runId: string, points: readonly MetricPoint[]): void {
  const insert = db.prepare(
    `INSERT OR REPLACE INTO metrics (run_id, name, step, forward_passes, wall_ms, value) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (const point of points) {
      insert.run(
        runId,
        point.name,
        point.step,
        point.forwardPasses,
        point.wallMs,
        Number.isNaN(point.value) ? null : point.value,
      );
    }
  }).immediate();
}

export function metricSeries(db: SqlDatabase, runId: string, name: string): MetricPoint[] {
  return db
    .prepare<[string, string], MetricRow>(
      'SELECT name, step, forward_passes, wall_ms, value FROM metrics WHERE run_id = ? AND name = ? ORDER BY step',
    )
    .all(runId, name)
    .map(toPoint);
}

export function metricNames(db: SqlDatabase, runId: string): string[] {
  return db
    .prepare<[string], { name: string }>('SELECT DISTINCT name FROM metrics WHERE run_id = ? ORDER BY name')
    .all(runId)
    .map((row) => row.name);
}

/** Each run's last recorded value of every metric (at its highest step). */
export function finalMetrics(
  db: SqlDatabase,
  runIds: readonly string[],
): Map<string, Map<string, FinalMetric>> {
  const rows = db.prepare<[{ runId: string }], MetricRow & { run_id: string }>(
    `SELECT m.run_id, m.name, m.step, m.forward_passes, m.wall_ms, m.value FROM metrics m
       JOIN (SELECT name, MAX(step) AS step FROM metrics WHERE run_id = @runId GROUP BY name) last
         ON last.name = m.name AND last.step = m.step
       WHERE m.run_id = @runId ORDER BY m.name`,
  );
  const result = new Map<string, Map<string, FinalMetric>>();
  for (const runId of runIds) {
    const metrics = new Map<string, FinalMetric>();
    for (const row of rows.all({ runId })) {
      metrics.set(row.name, {
        step: row.step,
        forwardPasses: row.forward_passes,
        value: row.value ?? Number.NaN,
      });
    }
    result.set(runId, metrics);
  }
  return result;
}

export function addEval(
  db: SqlDatabase,
  runId: string,
  evaluation: { step: number; forwardPasses: number; split: string; metrics: Record<string, number> },
  now = Date.now(),
): EvalRecord {
  const result = db
    .prepare(
      'INSERT INTO evals (run_id, step, forward_passes, split, metrics_json, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    )
    .run(
      runId,
      evaluation.step,
      evaluation.forwardPasses,
      evaluation.split,
      JSON.stringify(evaluation.metrics),
      now,
    );
  return { id: Number(result.lastInsertRowid), runId, ...evaluation, createdAt: now };
}

export function listEvals(db: SqlDatabase, runId: string, split?: string): EvalRecord[] {
  const rows = db
    .prepare<
      [{ runId: string; split: string | null }],
      {
        id: number;
        run_id: string;
        step: number;
        forward_passes: number;
        split: string;
        metrics_json: string;
        created_at: number;
      }
    >('SELECT * FROM evals WHERE run_id = @runId AND (@split IS NULL OR split = @split) ORDER BY step, id')
    .all({ runId, split: split ?? null });
  return rows.map((row) => ({
    id: row.id,
    runId: row.run_id,
    step: row.step,
    forwardPasses: row.forward_passes,
    split: row.split,
    metrics: JSON.parse(row.metrics_json) as Record<string, number>,
    createdAt: row.created_at,
  }));
}

function toPoint(row: MetricRow): MetricPoint {
  return {
    name: row.name,
    step: row.step,
    forwardPasses: row.forward_passes,
    wallMs: row.wall_ms,
    value: row.value ?? Number.NaN,
  };
}
