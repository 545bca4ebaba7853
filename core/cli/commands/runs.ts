// `zo-studio runs`: the run history from the terminal — list, show, compare, tag, note, delete.
import { basename } from 'node:path';
import type { parseArgs } from 'node:util';
import { RunStore } from '../../store/run-store.ts';
import { RUN_STATUSES } from '../../store/types.ts';
import type { FinalMetric, RunRecord, RunStatus, SeriesAxis } from '../../store/types.ts';
import { commandFailed, parseCommandArgs, UsageError } from '../command-args.ts';

const USAGE = `usage: zo-studio runs <subcommand> [options] [--json] [--db PATH]

  list [--status S] [--tag T] [--search TEXT] [--limit N]   runs, newest first
  show ID                          one run: config, final metrics, evals, checkpoints, exports, notes
  compare ID ID... [--metric M] [--axis step|forward_passes|wall_ms] [--all]
                                   settings that differ (--all: every setting), final metrics and,
                                   with --metric, that metric of each run on one x axis
  tag ID TAG [--remove]            add (or remove) a tag
  note ID TEXT                     attach a note
  delete ID                        delete a run with its metrics and checkpoints

  --json      machine-readable output
  --db PATH   run history database (default: $ZO_STUDIO_DB or the user data folder)
`;

const OPTIONS = {
  json: { type: 'boolean', default: false },
  db: { type: 'string' },
  status: { type: 'string', multiple: true },
  tag: { type: 'string' },
  search: { type: 'string' },
  limit: { type: 'string' },
  metric: { type: 'string' },
  axis: { type: 'string', default: 'step' },
  all: { type: 'boolean', default: false },
  remove: { type: 'boolean', default: false },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs('runs', USAGE, argv, OPTIONS);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [subcommand, ...args] = positionals;
  if (!subcommand) {
    process.stderr.write(USAGE);
    return 2;
  }
  let store: RunStore | undefined;
  try {
    store = RunStore.openForUser(values.db, (notice) => process.stderr.write(`zo-studio: ${notice}\n`));
    const output = dispatch(store, subcommand, args, values);
    process.stdout.write(values.json ? `${JSON.stringify(output.json, null, 2)}\n` : output.text);
    return 0;
  } catch (error) {
    return commandFailed('runs', USAGE, error);
  } finally {
    store?.close();
  }
}

interface Output {
  json: unknown;
  text: string;
}

function dispatch(store: RunStore, subcommand: string, args: string[], values: Values): Output {
  const needArgs = (count: number, what: string): void => {
    if (args.length !== count) throw new UsageError(`${subcommand} takes ${what}`);
  };
  switch (subcommand) {
    case 'list':
      needArgs(0, 'no positional arguments');
      return list(store, values);
    case 'show':
      needArgs(1, 'one run id');
      return show(store, args[0]!);
    case 'compare':
      if (args.length < 2) throw new UsageError('compare takes two or more run ids');
      return compare(store, args, values);
    case 'tag':
      needArgs(2, 'a run id and a tag');
      if (values.remove) store.removeTag(args[0]!, args[1]!);
      else store.addTag(args[0]!, args[1]!);
      return {
        json: store.requireRun(args[0]!),
        text: `${args[0]} tags: ${store.requireRun(args[0]!).tags.join(', ') || '(none)'}\n`,
      };
    case 'note':
      needArgs(2, 'a run id and the note text (quote it)');
      return { json: store.addNote(args[0]!, args[1]!), text: `note added to ${args[0]}\n` };
    case 'delete':
      needArgs(1, 'one run id');
      store.deleteRun(args[0]!);
      return { json: { deleted: args[0] }, text: `deleted run ${args[0]}\n` };
    default:
      throw new UsageError(`unknown subcommand '${subcommand}'`);
  }
}

function list(store: RunStore, values: Values): Output {
  const statuses = values.status?.flatMap((s) => s.split(','));
  for (const status of statuses ?? []) {
    if (!(RUN_STATUSES as readonly string[]).includes(status)) {
      throw new UsageError(`--status ${status} is not one of: ${RUN_STATUSES.join(', ')}`);
    }
  }
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
    throw new UsageError(`--limit must be a positive integer, got ${values.limit}`);
  const runs = store.listRuns({
    ...(statuses ? { status: statuses as RunStatus[] } : {}),
    ...(values.tag ? { tag: values.tag } : {}),
    ...(values.search ? { search: values.search } : {}),
    ...(limit ? { limit } : {}),
  });
  const finals = store.finalMetrics(runs.map((r) => r.id));
  const json = runs.map((r) => ({ ...r, finalMetrics: metricsObject(finals.get(r.id)) }));
  if (runs.length === 0) return { json, text: 'no runs yet (start one with `zo-studio train`)\n' };
  const rows = runs.map((r) => {
    const final = finals.get(r.id);
    return [
      r.id,
      r.name,
      r.status,
      basename(r.modelDir),
      r.peft,
      r.estimator,
      formatDate(r.createdAt),
      formatMetric(final?.get('train_loss')),
      formatMetric(final?.get('val_loss')),
    ];
  });
  return {
    json,
    text: table(
      ['id', 'name', 'status', 'model', 'peft', 'estimator', 'created', 'train loss', 'val loss'],
      rows,
    ),
  };
}

function show(store: RunStore, runId: string): Output {
  const run = store.requireRun(runId);
  const final = store.finalMetrics([runId]).get(runId);
  const details = {
    run,
    finalMetrics: metricsObject(final),
    evals: store.listEvals(runId),
    checkpoints: store.listCheckpoints(runId),
    artifacts: store.listArtifacts(runId),
    notes: store.listNotes(runId),
  };
  const lines = [
    `run        ${run.id}  ${run.name}`,
    `status     ${run.status}${run.error ? ` — ${run.error}` : ''}`,
    `model      ${run.modelDir}`,
    `data       ${run.dataset} (task ${run.task})`,
    `method     ${run.peft} / ${run.estimator}`,
    `created    ${formatDate(run.createdAt)}   updated ${formatDate(run.updatedAt)}`,
    ...(run.parentRunId ? [`forked     from ${run.parentRunId} at step ${run.parentCheckpointStep}`] : []),
    ...(run.tags.length ? [`tags       ${run.tags.join(', ')}`] : []),
    '',
    'final metrics',
    ...[...(final ?? new Map<string, FinalMetric>())].map(
      ([name, m]) =>
        `  ${name.padEnd(20)} ${formatMetric(m)}  (step ${m.step}, ${m.forwardPasses} forward passes)`,
    ),
    '',
    `checkpoints ${details.checkpoints.map((c) => c.step).join(', ') || '(none)'}`,
    ...details.artifacts.map((a) => `export     ${a.format} → ${a.path}`),
    ...details.notes.map((n) => `note       ${formatDate(n.createdAt)}: ${n.body}`),
    '',
    'config',
    ...JSON.stringify(run.config, null, 2)
      .split('\n')
      .map((line) => `  ${line}`),
  ];
  return { json: details, text: `${lines.join('\n')}\n` };
}

function compare(store: RunStore, runIds: string[], values: Values): Output {
  const axis = values.axis as SeriesAxis;
  if (!['step', 'forward_passes', 'wall_ms'].includes(axis))
    throw new UsageError(`--axis must be step, forward_passes or wall_ms, got ${values.axis}`);
  const runs: RunRecord[] = runIds.map((id) => store.requireRun(id));
  const diff = store.configDiff(runIds, !values.all);
  const finals = store.finalMetrics(runIds);
  const series = values.metric ? store.seriesAligned(runIds, values.metric, axis) : undefined;
  const json = {
    runs: runIds,
    configDiff: diff.map((row) => ({ ...row, values: row.values.map((v) => v ?? null) })),
    finalMetrics: Object.fromEntries(runIds.map((id) => [id, metricsObject(finals.get(id))])),
    ...(series ? { series } : {}),
  };
  const header = ['', ...runs.map((r) => r.id)];
  const configRows = diff.map((row) => [
    row.key,
    ...row.values.map((v) => (v === undefined ? '—' : JSON.stringify(v))),
  ]);
  const metricNames = [...new Set(runIds.flatMap((id) => [...(finals.get(id)?.keys() ?? [])]))].sort();
  const metricRows = metricNames.map((name) => [
    name,
    ...runIds.map((id) => formatMetric(finals.get(id)?.get(name))),
  ]);
  let text = `${values.all ? 'settings' : 'settings that differ'}\n${configRows.length ? table(header, configRows) : '  (none: the runs have the same config)\n'}`;
  text += `\nfinal metrics\n${metricRows.length ? table(header, metricRows) : '  (no metrics recorded)\n'}`;
  if (series) {
    const seriesRows = series.x.map((x, i) => [
      String(x),
      ...series.series.map((s) => formatNumber(s.values[i] ?? null)),
    ]);
    text += `\n${series.metric} by ${axis}\n${table([axis, ...runIds], seriesRows)}`;
  }
  return { json, text };
}

function metricsObject(metrics: Map<string, FinalMetric> | undefined): Record<string, FinalMetric> {
  return Object.fromEntries(metrics ?? []);
}

function formatMetric(metric: FinalMetric | undefined): string {
  return metric ? formatNumber(metric.value) : '—';
}

function formatNumber(value: number | null): string {
  if (value === null) return '—';
  if (Number.isNaN(value)) return 'NaN';
  return Number.isInteger(value) ? String(value) : value.toPrecision(5);
}

function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
