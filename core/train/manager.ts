// TrainingManager: what the CLI and the studio backend call to run training. Each run gets its own
// worker (the caller's thread never runs a forward pass); the manager records every event in the
// run history (core/store) and forwards them to subscribers at a bounded rate. Runs belong to the
// backend, not to a page: a reloaded UI subscribes again and reattaches through `active()`.
import { parseRunConfig, applyOverrides, type RunConfig } from './config.ts';
import { EventThrottle } from './event-throttle.ts';
import { isTerminalStatus, type RunEvent, type RunStatus } from './events.ts';
import type { TrainingJob, WorkerCommand } from './protocol.ts';
import { spawnWorkerThread, type WorkerHandle, type WorkerSpawner } from './worker-host.ts';
import { RunRecorder } from './run-recorder.ts';
import { describeSuggestedDefaults, withSuggestedDefaults } from './suggested-defaults.ts';
import { acquireRunLock, releaseRunLock } from './run-lock.ts';
import { createEstimator } from '../estimators/registry.ts';
import { createUpdateRule } from '../optim/registry.ts';
import type { RunStore } from '../store/run-store.ts';

const WORKER_EXIT_GRACE_MS = 5000;

export type RunListener = (runId: string, events: readonly RunEvent[]) => void;
export type SummaryEvent = Extract<RunEvent, { kind: 'summary' }>;
export type StepEvent = Extract<RunEvent, { kind: 'step' }>;

export interface ManagerOptions {
  store: RunStore;
  /** How workers are started; Electron passes a utilityProcess-backed spawner. */
  spawn?: WorkerSpawner;
  /** Minimum interval between progress deliveries to subscribers (default 100 ms: ≤ 10/s). */
  progressIntervalMs?: number;
}

export interface ActiveRun {
  runId: string;
  status: RunStatus;
  /** The newest step event, so a reattaching UI can draw its gauges at once. */
  lastStep: StepEvent | null;
}

interface LiveRun {
  runId: string;
  worker: WorkerHandle;
  status: RunStatus;
  lastStep: StepEvent | null;
  ended: Promise<SummaryEvent>;
}

export class TrainingManager {
  private readonly store: RunStore;
  private readonly spawn: WorkerSpawner;
  private readonly progressIntervalMs: number;
  private readonly live = new Map<string, LiveRun>();
  private readonly listeners = new Set<RunListener>();

  constructor(options: ManagerOptions) {
    this.store = options.store;
    this.spawn = options.spawn ?? (() => spawnWorkerThread());
    this.progressIntervalMs = options.progressIntervalMs ?? 100;
  }

  /**
   * Validates `input` as a RunConfig (a missing lr/ε takes the estimator's suggestion), records the
   * run and starts it. `notices` (how the caller completed the config) open the run's events, after
   * the defaults applied here. Returns the run id.
   */
  start(input: unknown, source = 'run config', notices: readonly string[] = []): string {
    const { input: completed, defaults } = withSuggestedDefaults(input, source);
    const config = checkSettings(parseRunConfig(completed, source));
    const run = this.store.createRun({ ...describe(config), config: config as Record<string, unknown> });
    const opening = [...notices, ...(defaults ? [describeSuggestedDefaults(defaults)] : [])];
    this.launch({ runId: run.id, config, checkpointDir: this.store.runDir(run.id) }, opening);
    return run.id;
  }

  /**
   * Continues a run: a live paused run just resumes; a run whose process ended (paused, cancelled,
   * failed or killed) restarts from its newest checkpoint with the same config, so it retraces the
   * exact trajectory the uninterrupted run would have taken.
   */
  resume(runId: string): void {
    const live = this.live.get(runId);
    if (live) {
      if (live.status !== 'paused') throw new Error(`run ${runId} is ${live.status}, not paused`);
      this.send(live, { type: 'resume' });
      return;
    }
    const run = this.store.requireRun(runId);
    if (run.status === 'completed')
      throw new Error(`run ${runId} is already completed; fork it to train further`);
    const config = parseRunConfig(run.config, `stored config of run ${runId}`);
    const checkpoint = this.store.latestCheckpoint(runId);
    this.launch({
      runId,
      config,
      checkpointDir: this.store.runDir(runId),
      ...(checkpoint ? { fromCheckpoint: checkpoint.path } : {}),
    });
  }

  pause(runId: string): void {
    this.send(this.requireLive(runId), { type: 'pause' });
  }

  /** Stops a run for good after a last checkpoint; a run that is not live is just marked cancelled. */
  cancel(runId: string): void {
    const live = this.live.get(runId);
    if (live) return this.send(live, { type: 'cancel' });
    const run = this.store.requireRun(runId);
    if (run.status !== 'completed') this.store.updateStatus(runId, 'cancelled');
  }

  /** Starts a new run from checkpoint `checkpointStep` of `runId`, with `overrides` applied to its config. */
  fork(runId: string, checkpointStep: number, overrides: Record<string, unknown> = {}): string {
    const parent = this.store.requireRun(runId);
    const checkpoint = this.store.listCheckpoints(runId).find((c) => c.step === checkpointStep);
    if (!checkpoint) {
      const steps = this.store.listCheckpoints(runId).map((c) => c.step);
      throw new Error(
        `run ${runId} has no checkpoint at step ${checkpointStep}; its checkpoints are at steps: ` +
          (steps.length ? steps.join(', ') : 'none'),
      );
    }
    const base = parseRunConfig(parent.config, `stored config of run ${runId}`);
    const config = checkSettings(applyOverrides(base, overrides, `fork overrides of run ${runId}`));
    if (JSON.stringify(config.peft) !== JSON.stringify(base.peft) || config.model !== base.model) {
      throw new Error(
        'a fork keeps the model and PEFT settings of its parent (its trainable tensors come from it)',
      );
    }
    const child = this.store.createRun({
      ...describe(config),
      config: config as Record<string, unknown>,
      parentRunId: runId,
      parentCheckpointStep: checkpointStep,
    });
    this.launch({
      runId: child.id,
      config,
      checkpointDir: this.store.runDir(child.id),
      fromCheckpoint: checkpoint.path,
    });
    return child.id;
  }

  subscribe(listener: RunListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  active(): ActiveRun[] {
    return [...this.live.values()].map(({ runId, status, lastStep }) => ({ runId, status, lastStep }));
  }

  /** Resolves with the run's summary when its worker has finished. */
  waitForEnd(runId: string): Promise<SummaryEvent> {
    return this.requireLive(runId).ended;
  }

  /**
   * Stops every live run for the host's exit: each writes a checkpoint and is left paused, so
   * `resume` continues it after the app (or server) starts again. Resolves when all have ended.
   */
  async shutdown(): Promise<void> {
    const runs = [...this.live.values()];
    for (const run of runs) this.send(run, { type: 'stop' });
    await Promise.all(runs.map((run) => run.ended));
  }

  private launch(job: TrainingJob, notices: readonly string[] = []): void {
    if (this.live.has(job.runId)) throw new Error(`run ${job.runId} is already running`);
    const runDir = this.store.runDir(job.runId);
    acquireRunLock(runDir, job.runId);
    const worker = this.spawn();
    const recorder = new RunRecorder(this.store, job.runId);
    const throttle = new EventThrottle((events) => this.notify(job.runId, events), this.progressIntervalMs);
    let summary: SummaryEvent | undefined;
    let resolveEnd!: (summary: SummaryEvent) => void;
    const run: LiveRun = {
      runId: job.runId,
      worker,
      status: 'running',
      lastStep: null,
      ended: new Promise((resolve) => (resolveEnd = resolve)),
    };
    this.live.set(job.runId, run);

    const handle = (event: RunEvent): void => {
      if (event.kind === 'status') run.status = event.status;
      if (event.kind === 'step') run.lastStep = event;
      if (event.kind === 'summary') summary = event;
      recorder.record(event);
      throttle.push(event);
    };
    worker.onMessage((message) => {
      if (message.type === 'event') handle(message.event);
      // A worker that said it is done but lingers (a native thread pool that never winds down) is
      // stopped, so `ended` always resolves.
      if (message.type === 'done') setTimeout(() => void worker.terminate(), WORKER_EXIT_GRACE_MS).unref();
    });
    worker.onExit((error) => {
      if (!summary) {
        // The worker died without reporting an end (a crash in native code, out of memory).
        const message = `the training worker stopped unexpectedly: ${error?.message ?? 'no summary was sent'}`;
        handle({ kind: 'error', message });
        handle({ kind: 'status', status: 'failed', message });
        summary = failureSummary(message, run.lastStep);
        handle(summary);
      }
      recorder.flush();
      throttle.flush();
      throttle.dispose();
      releaseRunLock(runDir);
      this.live.delete(job.runId);
      resolveEnd(summary);
    });
    recorder.record({ kind: 'status', status: 'running' });
    for (const message of notices) handle({ kind: 'notice', message });
    worker.send({ type: 'start', job });
  }

  private send(run: LiveRun, command: WorkerCommand): void {
    if (isTerminalStatus(run.status)) return;
    run.worker.send(command);
  }

  private requireLive(runId: string): LiveRun {
    const run = this.live.get(runId);
    if (!run) throw new Error(`run ${runId} is not running in this process`);
    return run;
  }

  private notify(runId: string, events: readonly RunEvent[]): void {
    for (const listener of this.listeners) {
      try {
        listener(runId, events);
      } catch {
        // A failing subscriber (a closed window) must not stop the run or the other subscribers.
      }
    }
  }
}

/** Estimator and update-rule settings are checked before a run is recorded, not in its worker. */
function checkSettings(config: RunConfig): RunConfig {
  createEstimator(config.estimator.id, config.estimator.settings);
  createUpdateRule(config.optimizer.id, config.optimizer.settings);
  return config;
}

function failureSummary(message: string, lastStep: StepEvent | null): SummaryEvent {
  return {
    kind: 'summary',
    status: 'failed',
    reason: 'error',
    message,
    steps: lastStep?.step ?? 0,
    forwardPasses: lastStep?.forwardPasses ?? 0,
    elapsedMs: lastStep?.elapsedMs ?? 0,
    metrics: {},
  };
}

/** The run-history columns derived from a config (what `runs list` filters and shows). */
function describe(config: RunConfig): {
  name: string;
  modelDir: string;
  dataset: string;
  task: string;
  peft: string;
  estimator: string;
} {
  return {
    name: config.name ?? `${config.estimator.id} ${config.peft.mode} ${config.data.task}`,
    modelDir: config.model,
    dataset: config.data.train,
    task: config.data.task,
    peft: config.peft.mode,
    estimator: config.estimator.id,
  };
}
