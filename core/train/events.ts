// RunEvent: everything a training run reports, as a discriminated union keyed by `kind` so every
// consumer (CLI, store recorder, UI) switches on it exhaustively. Pure types and data: no Node
// imports, so core/api and the renderer can share them. Field names follow core/api/events.ts
// (`run.step`, `run.eval`, `run.status` there are these events plus a runId).

/**
 * A live run's status: the statuses both core/store and core/api know. Divergence and early stopping
 * are end reasons (EndReason), not statuses.
 */
export type RunStatus = 'running' | 'paused' | 'completed' | 'cancelled' | 'failed';

/** Statuses after which a run's worker has exited and no further events come. */
const TERMINAL_STATUSES: ReadonlySet<RunStatus> = new Set(['completed', 'cancelled', 'failed']);

export function isTerminalStatus(status: RunStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

/**
 * Why a run's worker ended: its budget ran out, early stopping, the divergence guard, a user's
 * cancel, the host shutting down (the run stays paused and resumable), or an error.
 */
export type EndReason = 'budget' | 'early-stopping' | 'diverged' | 'cancelled' | 'stopped' | 'error';

export type RunEvent =
  | { kind: 'status'; status: RunStatus; message?: string }
  /** Sent once the model and data are ready: the device that runs the forward passes and why. */
  | {
      kind: 'started';
      device: string;
      deviceNote?: string;
      trainableParameters: number;
      totalSteps: number;
      forwardPassesPerStep: number;
      trainRows: number;
      validationRows: number;
      resumedFromStep: number | null;
    }
  | {
      kind: 'step';
      step: number;
      forwardPasses: number;
      elapsedMs: number;
      trainLoss: number;
      learningRate: number;
      stepsPerSecond: number;
      forwardPassesPerSecond: number;
      tokensPerSecond: number;
      /** Remaining time at the current pace; null until a few steps have been timed. */
      etaMs: number | null;
      /** Resident set size of the training process. */
      memoryBytes: number;
      device: string;
    }
  /** Validation metrics; `isBaseline` marks the zero-shot evaluation before step 0. */
  | {
      kind: 'eval';
      step: number;
      forwardPasses: number;
      elapsedMs: number;
      isBaseline: boolean;
      metrics: Record<string, number>;
    }
  | {
      kind: 'checkpoint';
      step: number;
      forwardPasses: number;
      path: string;
      bytes: number;
      reason: CheckpointReason;
      /** Older checkpoints deleted to keep the newest few. */
      removedSteps: number[];
    }
  /** A checkpoint deleted because its parameters proved bad (the divergence guard). */
  | { kind: 'checkpoint-removed'; step: number; reason: string }
  | { kind: 'error'; message: string }
  /** Something the user should know that is not an error (held-out rows, a damaged checkpoint skipped). */
  | { kind: 'notice'; message: string }
  /** The last event of every run that ends (never sent when the process is killed). */
  | {
      kind: 'summary';
      status: RunStatus;
      reason: EndReason;
      message?: string;
      steps: number;
      forwardPasses: number;
      elapsedMs: number;
      metrics: Record<string, number>;
    };

export type CheckpointReason = 'periodic' | 'pause' | 'cancel' | 'stop' | 'final';

export type RunEventKind = RunEvent['kind'];

/** Progress a newer event of the same kind fully replaces, so a rate limiter may drop all but the last. */
export const COALESCABLE_KINDS: ReadonlySet<RunEventKind> = new Set(['step']);
