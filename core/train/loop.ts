// The training loop, top to bottom: set up → zero-shot baseline → steps (batch from the seeded data
// order; core/optim's zoStep estimates, lets the divergence guard judge, updates; report) with periodic
// evaluation and checkpoints → summary.
// Everything a step depends on is either a pure function of (seed, step) — the step seed, the batch,
// the learning rate — or lives in RunState, which the checkpoint holds whole. That is what makes a
// resumed run retrace the uninterrupted one exactly.
import type { RunConfig } from './config.ts';
import type { RunControl } from './control.ts';
import { DataOrder } from './data-order.ts';
import type { CheckpointReason, EndReason, RunEvent, RunStatus } from './events.ts';
import { divergenceReason, observeValidationLoss } from './guards.ts';
import type { TrainingJob } from './protocol.ts';
import { RunClock } from './run-clock.ts';
import { discardCheckpoint, freshRunState, loadRunState, saveRunState, type RunState } from './run-state.ts';
import { openTrainingSession, type TrainingSession } from './session.ts';
import { learningRate } from './schedule.ts';
import { ThroughputMeter } from './throughput.ts';
import { forwardPassesPerStep, zoStep } from '../optim/zo-step.ts';

type Emit = (event: RunEvent) => void;

interface Ending {
  status: RunStatus;
  reason: EndReason;
  message?: string;
}

/** Everything one run's steps share. */
interface Run {
  job: TrainingJob;
  config: RunConfig;
  session: TrainingSession;
  state: RunState;
  control: RunControl;
  emit: Emit;
  clock: RunClock;
  totalSteps: number;
}

export async function runTraining(job: TrainingJob, control: RunControl, emit: Emit): Promise<void> {
  const { config } = job;
  const clock = new RunClock();
  emit({ kind: 'status', status: 'running' });
  let session: TrainingSession | undefined;
  let state: RunState | undefined;
  try {
    session = await openTrainingSession(config);
    for (const message of session.notes) emit({ kind: 'notice', message });
    state = restoreOrStart(job, session, emit);
    clock.continueFrom(state.elapsedMsBefore);
    const perStep = forwardPassesPerStep(session.estimator, session.updateRule);
    const totalSteps = totalStepsOf(config, perStep);
    emit({
      kind: 'started',
      device: session.device,
      ...(session.deviceNote ? { deviceNote: session.deviceNote } : {}),
      trainableParameters: session.trainableParameters,
      totalSteps,
      forwardPassesPerStep: perStep,
      trainRows: session.trainRows,
      validationRows: session.validationRows,
      resumedFromStep: job.fromCheckpoint ? state.step : null,
    });

    if (state.baseline === null) {
      // The zero-shot baseline: what the untrained model scores, the line every curve is read against.
      state.baseline = await session.evaluate(state.params);
      emit({
        kind: 'eval',
        step: 0,
        forwardPasses: 0,
        elapsedMs: clock.elapsedMs(),
        isBaseline: true,
        metrics: state.baseline,
      });
    }

    const ending = await trainSteps({ job, config, session, state, control, emit, clock, totalSteps });
    emit({ kind: 'status', status: ending.status, ...(ending.message ? { message: ending.message } : {}) });
    emit({ kind: 'summary', ...ending, ...totals(state, clock) });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    emit({ kind: 'error', message });
    emit({ kind: 'status', status: 'failed', message });
    emit({
      kind: 'summary',
      status: 'failed',
      reason: 'error',
      message,
      ...(state
        ? totals(state, clock)
        : { steps: 0, forwardPasses: 0, elapsedMs: clock.elapsedMs(), metrics: {} }),
    });
  } finally {
    await session?.dispose();
  }
}

async function trainSteps(run: Run): Promise<Ending> {
  const { config, session, state, control, emit, clock, totalSteps } = run;
  const order = new DataOrder(session.trainRows, config.batchSize, config.seed);
  const meter = new ThroughputMeter();
  meter.restart();

  while (state.step < totalSteps) {
    // Commands arrive between steps: a forward pass holds this thread.
    if (control.requested === 'pause') {
      checkpoint(run, 'pause');
      clock.pause();
      emit({ kind: 'status', status: 'paused' });
      const next = await control.waitForResume();
      // Stopped while paused: the pause checkpoint already holds everything.
      if (next === 'stop') return { status: 'paused', reason: 'stopped' };
      if (next === 'run') {
        clock.resume();
        meter.restart();
        emit({ kind: 'status', status: 'running' });
      }
    }
    if (control.requested === 'stop') {
      checkpoint(run, 'stop');
      return { status: 'paused', reason: 'stopped' };
    }
    if (control.requested === 'cancel') {
      checkpoint(run, 'cancel');
      return { status: 'cancelled', reason: 'cancelled' };
    }

    const step = state.step;
    const batch = session.trainBatch(order.batch(step));
    const lr = learningRate(config.schedule, config.lr, step, totalSteps);
    const outcome = await zoStep(state, {
      estimator: session.estimator,
      rule: session.updateRule,
      objective: batch.objective,
      step,
      runSeed: config.seed,
      lr,
      anchorObjective: session.largeBatch,
      // Judge the loss before applying the update: a diverged step must not reach the parameters.
      beforeApply: (estimated) =>
        divergenceReason(
          estimated.loss,
          state.baseline?.loss ?? estimated.loss,
          config.divergence.lossFactor,
        ),
    });
    if (!outcome.applied) {
      // The parameters of `step` produced this loss, so a checkpoint of them is not a good one.
      if (discardCheckpoint(run.job.checkpointDir, step)) {
        emit({ kind: 'checkpoint-removed', step, reason: 'its parameters diverged at the next step' });
      }
      return { status: 'failed', reason: 'diverged', message: `step ${step + 1}: ${outcome.reason}` };
    }

    state.step = step + 1;
    state.forwardPasses += outcome.forwardPasses;
    meter.recordStep(outcome.forwardPasses, batch.tokens * outcome.forwardPasses);
    emit({
      kind: 'step',
      step: state.step,
      forwardPasses: state.forwardPasses,
      elapsedMs: clock.elapsedMs(),
      trainLoss: outcome.result.loss,
      learningRate: lr,
      ...meter.rates(),
      etaMs: meter.etaMs(totalSteps - state.step),
      memoryBytes: process.memoryUsage.rss(),
      device: session.device,
    });

    const isLast = state.step === totalSteps;
    if (state.step % config.eval.everySteps === 0 || isLast) {
      const stop = await validate(run);
      if (stop && !isLast) {
        checkpoint(run, 'final');
        return stop;
      }
    }
    if (isLast) checkpoint(run, 'final');
    else if (state.step % config.checkpoint.everySteps === 0) checkpoint(run, 'periodic');
  }
  return { status: 'completed', reason: 'budget' };
}

/** Evaluates on the validation rows; returns an ending when early stopping says so. */
async function validate({ config, session, state, emit, clock }: Run): Promise<Ending | null> {
  const metrics = await session.evaluate(state.params);
  state.lastEval = metrics;
  const { step, forwardPasses } = state;
  emit({ kind: 'eval', step, forwardPasses, elapsedMs: clock.elapsedMs(), isBaseline: false, metrics });
  if (!config.earlyStopping || metrics.loss === undefined) return null;
  const observed = observeValidationLoss(state.earlyStopping, metrics.loss, config.earlyStopping);
  state.earlyStopping = observed.state;
  if (!observed.shouldStop) return null;
  const { minDelta, patience } = config.earlyStopping;
  const message = `validation loss did not improve by more than ${minDelta} for ${patience} evaluations`;
  return { status: 'completed', reason: 'early-stopping', message };
}

function checkpoint({ job, state, emit, clock }: Run, reason: CheckpointReason): void {
  state.elapsedMsBefore = clock.elapsedMs();
  const saved = saveRunState(job, state);
  emit({ kind: 'checkpoint', step: state.step, forwardPasses: state.forwardPasses, reason, ...saved });
}

/** A checkpoint's state (resume or fork), or a fresh start. */
function restoreOrStart(job: TrainingJob, session: TrainingSession, emit: Emit): RunState {
  if (!job.fromCheckpoint) return freshRunState(session);
  const restored = loadRunState(job.fromCheckpoint, session, job.config);
  if (restored.note) emit({ kind: 'notice', message: restored.note });
  for (const { step, reason } of restored.damaged) emit({ kind: 'checkpoint-removed', step, reason });
  return restored.state;
}

/** The summary's counts, and `val_<metric>_initial` (zero-shot) / `val_<metric>_final` (last eval). */
function totals(
  state: RunState,
  clock: RunClock,
): { steps: number; forwardPasses: number; elapsedMs: number; metrics: Record<string, number> } {
  const metrics: Record<string, number> = {};
  for (const [name, value] of Object.entries(state.baseline ?? {})) metrics[`val_${name}_initial`] = value;
  for (const [name, value] of Object.entries(state.lastEval)) metrics[`val_${name}_final`] = value;
  return { steps: state.step, forwardPasses: state.forwardPasses, elapsedMs: clock.elapsedMs(), metrics };
}

/**
 * Steps the budget allows: given directly, or as many whole steps as the forward passes pay for at
 * a step's upper bound — the estimator's plus the update rule's step policy (so a run never spends
 * more than its budget).
 */
export function totalStepsOf(config: RunConfig, forwardPassesPerStep: number): number {
  if ('steps' in config.budget) return config.budget.steps;
  const steps = Math.floor(config.budget.forwardPasses / forwardPassesPerStep);
  if (steps < 1) {
    throw new Error(
      `a budget of ${config.budget.forwardPasses} forward passes does not pay for one step of ` +
        `${config.estimator.id} with ${config.optimizer.id} (${forwardPassesPerStep} forward passes per step)`,
    );
  }
  return steps;
}
