// Reads an ORT profile (Chrome trace JSON written by a session with profilePrefix, see
// core/runtime/backend.ts) and sums kernel time per op type and per node, averaged over the measured
// runs, so two graph variants can be compared node by node instead of by wall time alone.
import { readFileSync } from 'node:fs';

interface TraceEvent {
  cat: string;
  name: string;
  ts: number;
  dur: number;
  args?: { op_name?: string };
}

export interface ProfileSummary {
  /** Measured runs (warm-up runs dropped). */
  runs: number;
  /** Mean wall time of a measured run as ORT saw it (model_run), ms. */
  runMs: number;
  /** Op type → kernel ms per run. */
  byOp: Map<string, number>;
  /** Node name with the layer index replaced by `*` → kernel ms per run (all layers together). */
  byNode: Map<string, number>;
}

function addTo(map: Map<string, number>, key: string, ms: number): void {
  map.set(key, (map.get(key) ?? 0) + ms);
}

/** Summarizes the runs after the first `warmupRuns` model_run events of the profile at `file`. */
export function summarizeProfile(file: string, warmupRuns: number): ProfileSummary {
  const events = JSON.parse(readFileSync(file, 'utf8')) as TraceEvent[];
  if (!Array.isArray(events))
    throw new Error(`${file}: not an ORT profile (expected a JSON array of events)`);
  const modelRuns = events.filter((e) => e.cat === 'Session' && e.name === 'model_run');
  const measured = modelRuns.slice(warmupRuns);
  if (measured.length === 0)
    throw new Error(`${file}: ${modelRuns.length} model_run events, none after ${warmupRuns} warm-up run(s)`);
  const inMeasured = (e: TraceEvent) => measured.some((r) => e.ts >= r.ts && e.ts <= r.ts + r.dur);
  const byOp = new Map<string, number>();
  const byNode = new Map<string, number>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time') || !inMeasured(e)) continue;
    const ms = e.dur / 1000 / measured.length;
    addTo(byOp, e.args?.op_name ?? '?', ms);
    addTo(byNode, e.name.slice(0, -'_kernel_time'.length).replace(/layers\.\d+/g, 'layers.*'), ms);
  }
  const runMs = measured.reduce((sum, r) => sum + r.dur, 0) / 1000 / measured.length;
  return { runs: measured.length, runMs, byOp, byNode };
}

/**
 * A markdown table of `key → ms per run` for several variants side by side, rows sorted by the largest
 * difference between variants (what explains a wall-time gap), then by time.
 */
export function compareTable(title: string, columns: Map<string, Map<string, number>>, rows: number): string {
  const names = [...columns.keys()];
  const keys = new Set<string>();
  for (const column of columns.values()) for (const k of column.keys()) keys.add(k);
  const value = (name: string, k: string) => columns.get(name)?.get(k) ?? 0;
  const spread = (k: string) => {
    const values = names.map((n) => value(n, k));
    return Math.max(...values) - Math.min(...values);
  };
  const sorted = [...keys].sort(
    (a, b) => spread(b) - spread(a) || value(names[0] ?? '', b) - value(names[0] ?? '', a),
  );
  const lines = [
    `| ${title} | ${names.join(' | ')} | max−min |`,
    `|---|${names.map(() => '---|').join('')}---|`,
    ...sorted
      .slice(0, rows)
      .map(
        (k) => `| ${k} | ${names.map((n) => value(n, k).toFixed(1)).join(' | ')} | ${spread(k).toFixed(1)} |`,
      ),
  ];
  return lines.join('\n');
}
