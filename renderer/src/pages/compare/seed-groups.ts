// Runs that differ only by seed form a group; the compare view draws each group's mean ± one standard
// deviation. Pure functions over runs.configDiff rows and runs.series output.
import type { Series } from '../../../../core/api/domains/runs.ts';

export interface ConfigRow {
  key: string;
  values: (string | number | boolean | null)[];
  differs: boolean;
}

/** Index lists of runs (positions in `runIds`) whose configs agree on every key but seed/name. */
export function seedGroups(rows: ConfigRow[], runCount: number, ignoredKeys = ['seed', 'name']): number[][] {
  const signature = (run: number) =>
    JSON.stringify(
      rows.filter((row) => !ignoredKeys.includes(row.key)).map((row) => row.values[run] ?? null),
    );
  const groups = new Map<string, number[]>();
  for (let run = 0; run < runCount; run++) {
    const key = signature(run);
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return [...groups.values()];
}

/** Mean and standard deviation across series at the x values all of them share. */
export function meanAndSpread(series: Series[]): { x: number; mean: number; std: number }[] {
  if (!series.length) return [];
  const maps = series.map((s) => new Map(s.points.map((p) => [p.x, p.y])));
  const shared = [...maps[0]!.keys()].filter((x) => maps.every((m) => m.has(x))).sort((a, b) => a - b);
  return shared.map((x) => {
    const values = maps.map((m) => m.get(x)!);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, values.length - 1);
    return { x, mean, std: Math.sqrt(variance) };
  });
}
