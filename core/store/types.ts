// The shapes the run history stores and returns. Times are milliseconds since the Unix epoch.

export const RUN_STATUSES = ['created', 'running', 'paused', 'completed', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export type JsonObject = Record<string, unknown>;

export interface NewRun {
  /** Optional explicit id (tests, imports); generated otherwise. */
  id?: string;
  name: string;
  modelDir: string;
  dataset: string;
  task: string;
  peft: string;
  estimator: string;
  /** The full run config as plain JSON (what `train --config` reads). */
  config: JsonObject;
  status?: RunStatus;
  /** For a fork: the run and the checkpoint step it continues from. */
  parentRunId?: string;
  parentCheckpointStep?: number;
}

export interface RunRecord {
  id: string;
  name: string;
  status: RunStatus;
  createdAt: number;
  updatedAt: number;
  modelDir: string;
  dataset: string;
  task: string;
  peft: string;
  estimator: string;
  config: JsonObject;
  parentRunId: string | null;
  parentCheckpointStep: number | null;
  error: string | null;
  tags: string[];
}

export interface MetricPoint {
  name: string;
  step: number;
  forwardPasses: number;
  wallMs: number;
  /** NaN is stored as NULL (SQLite has no NaN) and read back as NaN: a diverged loss stays visible. */
  value: number;
}

export type SeriesAxis = 'step' | 'forward_passes' | 'wall_ms';

/** Several runs' series on one shared x grid (the union of their x values); gaps are null. */
export interface AlignedSeries {
  metric: string;
  axis: SeriesAxis;
  x: number[];
  series: { runId: string; values: (number | null)[] }[];
}

export interface ConfigDiffRow {
  /** Dotted path into the config (`optimizer.lr`, `peft.target_modules`). */
  key: string;
  /** One value per requested run, in order; undefined where a run's config lacks the key. */
  values: unknown[];
  differs: boolean;
}

export interface FinalMetric {
  step: number;
  forwardPasses: number;
  value: number;
}

export interface EvalRecord {
  id: number;
  runId: string;
  step: number;
  forwardPasses: number;
  split: string;
  metrics: Record<string, number>;
  createdAt: number;
}

export interface CheckpointRecord {
  runId: string;
  step: number;
  path: string;
  bytes: number;
  createdAt: number;
}

export interface ArtifactRecord {
  id: number;
  runId: string;
  format: string;
  path: string;
  bytes: number;
  createdAt: number;
}

export interface NoteRecord {
  id: number;
  runId: string;
  body: string;
  createdAt: number;
}

export interface ListRunsQuery {
  status?: RunStatus | RunStatus[];
  tag?: string;
  /** Case-insensitive substring of the name, model folder or dataset. */
  search?: string;
  estimator?: string;
  peft?: string;
  sort?: 'created' | 'updated' | 'name' | 'status';
  order?: 'asc' | 'desc';
  limit?: number;
  offset?: number;
}
