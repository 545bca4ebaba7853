// The queries behind the compare view: several runs' metric on one x axis, and how their configs differ.
import type { SqlDatabase } from './db.ts';
import { requireRun } from './runs.ts';
import type { AlignedSeries, ConfigDiffRow, SeriesAxis } from './types.ts';

const AXIS_COLUMNS: Record<SeriesAxis, string> = {
  step: 'step',
  forward_passes: 'forward_passes',
  wall_ms: 'wall_ms',
};

/**
 * `metric` of each run against `axis`, on the union of all runs' x values so a chart can draw every
 * series against one x array (null where a run has no point at that x). Comparing by forward passes is
 * the fair axis for ZO estimators whose steps cost different numbers of forward passes.
 */
export function seriesAligned(
  db: SqlDatabase,
  runIds: readonly string[],
  metric: string,
  axis: SeriesAxis,
): AlignedSeries {
  const column = AXIS_COLUMNS[axis];
  if (!column)
    throw new Error(
      `run history: axis "${String(axis)}" is not one of: ${Object.keys(AXIS_COLUMNS).join(', ')}`,
    );
  const query = db.prepare<[string, string], { x: number; value: number | null }>(
    `SELECT ${column} AS x, value FROM metrics WHERE run_id = ? AND name = ? ORDER BY ${column}, step`,
  );
  const perRun = runIds.map((runId) => {
    requireRun(db, runId);
    const byX = new Map<number, number | null>();
    // NaN (stored as NULL) stays null in the chart: a gap, not a fake zero.
    for (const row of query.all(runId, metric)) byX.set(row.x, row.value);
    return { runId, byX };
  });
  const x = [...new Set(perRun.flatMap(({ byX }) => [...byX.keys()]))].sort((a, b) => a - b);
  return {
    metric,
    axis,
    x,
    series: perRun.map(({ runId, byX }) => ({ runId, values: x.map((value) => byX.get(value) ?? null) })),
  };
}

/** Config values of several runs side by side, flattened to dotted keys; `onlyDifferences` drops equal rows. */
export function configDiff(
  db: SqlDatabase,
  runIds: readonly string[],
  onlyDifferences = true,
): ConfigDiffRow[] {
  const flattened = runIds.map((runId) => flatten(requireRun(db, runId).config));
  const keys = [...new Set(flattened.flatMap((entries) => [...entries.keys()]))].sort();
  const rows = keys.map((key) => {
    const values = flattened.map((entries) => entries.get(key));
    const first = JSON.stringify(values[0]);
    return { key, values, differs: values.some((value) => JSON.stringify(value) !== first) };
  });
  return onlyDifferences ? rows.filter((row) => row.differs) : rows;
}

/** Nested objects become dotted keys; arrays are leaves (a list of target modules is one setting). */
function flatten(value: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flatten(inner, prefix ? `${prefix}.${key}` : key, out);
  } else {
    out.set(prefix, value);
  }
  return out;
}
