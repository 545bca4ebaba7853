// RunEvent: everything a training run reports, as a discriminated union keyed by `kind` so every
// consumer (CLI, store recorder, UI) switches on it exhaustively. Pure types and data: no Node
// imports, so core/api and the renderer can share them.

export type RunStatus =
  | 'queued'
  | 'starting'
  | 'running'
  | 'paused'
  | 'completed'
  | 'cancelled'
  | 'failed'
  | 'diverged'
  | 'stopped-early';

/** Statuses after which a run's worker has exited and no further events come. */
export const TERMINAL_STATUSES: ReadonlySet<RunStatus> = new Set([
  'completed',
  'cancelled',
  'failed',
  'diverged',
  'stopped-early',
]);

export function isTerminalStatus(status: RunStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

export type RunEvent =
  | { kind: 'status'; status: RunStatus; message?: string }
  /** Which device runs the forward passes and why (e.g. "webgpu unavailable: fell back to cpu"). */
  | { kind: 'device'; ep: string; note?: string; trainableParameters: number; totalSteps: number }
  | { kind: 'step'; step: number; forwardPasses: number; trainLoss: number; lr: number; elapsedMs: number }
  | {
      kind: 'throughput';
      stepsPerSecond: number;
      forwardPassesPerSecond: number;
      tokensPerSecond: number;
      /** Remaining time at the current pace; null until a step has been timed. */
      etaMs: number | null;
    }
  | { kind: 'memory'; rssBytes: number; heapUsedBytes: number }
  /** Validation metrics; `isBaseline` marks the zero-shot evaluation before step 0. */
  | {
      kind: 'eval';
      step: number;
      forwardPasses: number;
      elapsedMs: number;
      isBaseline: boolean;
      metrics: Record<string, number>;
    }
  | { kind: 'checkpoint'; step: number; path: string; bytes: number; reason: CheckpointReason }
  | { kind: 'error'; message: string }
  /** The last event of every run that ends (never sent when the process is killed). */
  | {
      kind: 'summary';
      status: RunStatus;
      steps: number;
      forwardPasses: number;
      metrics: Record<string, number>;
    };

export type CheckpointReason = 'periodic' | 'pause' | 'cancel' | 'final';

export type RunEventKind = RunEvent['kind'];

/** Progress kinds a newer event of the same kind fully replaces, so a rate limiter may drop all but the last. */
export const COALESCABLE_KINDS: ReadonlySet<RunEventKind> = new Set(['step', 'throughput', 'memory']);
