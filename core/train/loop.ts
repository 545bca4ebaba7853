// The training loop, top to bottom: set up → zero-shot baseline → steps (batch from the seeded data
// order, estimate, guard, update, report) with periodic evaluation and checkpoints → summary.
// Everything a step depends on is either a pure function of (seed, step) — the step seed, the batch,
// the learning rate — or lives in RunState, which the checkpoint holds whole. That is what makes a
// resumed run retrace the uninterrupted one exactly.
import type { RunConfig } from './config.ts';
import type { RunControl } from './control.ts';
import { DataOrder } from './data-order.ts';
import type { CheckpointReason, EndReason, RunEvent, RunStatus } from './events.ts';
import { divergenceReason, observeValidationLoss } from './guards.ts';
import type { TrainingJob } from './protocol.ts';
import { discardCheckpoint, freshRunState, loadRunState, saveRunState, type RunState } from './run-state.ts';
import { openTrainingSession, type TrainingSession } from './session.ts';
import { learningRate } from './schedule.ts';
import { ThroughputMeter } from './throughput.ts';
import { stepSeed } from '../random/seed-sequence.ts';

type Emit = (event: RunEvent) => void;

interface Ending {
  status: RunStatus;
  reason: EndReason;
  message?: string;
}

export async function runTraining(job: TrainingJob, control: RunControl, emit: Emit): Promise<void> {
  const { config } = job;
  emit({ kind: 'status', status: 'running' });
  let session: TrainingSession | undefined;
  let state: RunState | undefined;
  let sessionStartMs = performance.now();
  const elapsedMs = (): number => (state?.elapsedMsBefore ?? 0) + performance.now() - sessionStartMs;
  try {
    session = await openTrainingSession(config);
    for (const message of session.notes) emit({ kind: 'notice', message });
    if (job.fromCheckpoint) {
      const restored = loadRunState(job.fromCheckpoint, session, config);
      if (restored.note) emit({ kind: 'notice', message: restored.note });
      state = restored.state;
    } else {
      state = freshRunState(session);
    }
    sessionStartMs = performance.now();
    const totalSteps = totalStepsOf(config, session.estimator.forwardPassesPerStep);
    emit({
      kind: 'started',
      device: session.device,
      ...(session.deviceNote ? { deviceNote: session.deviceNote } : {}),
      trainableParameters: session.trainableParameters,
      totalSteps,
      forwardPassesPerStep: session.estimator.forwardPassesPerStep,
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
        elapsedMs: elapsedMs(),
        isBaseline: true,
        metrics: state.baseline,
      });
    }

    const ending = await trainSteps(job, session, state, control, emit, { totalSteps, elapsedMs });
    emit({ kind: 'status', status: ending.status, ...(ending.message ? { message: ending.message } : {}) });
    emit({
      kind: 'summary',
      ...ending,
      steps: state.step,
      forwardPasses: state.forwardPasses,
      elapsedMs: elapsedMs(),
      metrics: summaryMetrics(state),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    emit({ kind: 'error', message });
    emit({ kind: 'status', status: 'failed', message });
    emit({
      kind: 'summary',
      status: 'failed',
      reason: 'error',
      message,
      steps: state?.step ?? 0,
      forwardPasses: state?.forwardPasses ?? 0,
      elapsedMs: elapsedMs(),
      metrics: state ? summaryMetrics(state) : {},
    });
  } finally {
    await session?.dispose();
  }
}

/** `val_<metric>_initial` (zero-shot) and `val_<metric>_final` (last evaluation) for every metric. */
function summaryMetrics(state: RunState): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const [name, value] of Object.entries(state.baseline ?? {})) metrics[`val_${name}_initial`] = value;
  for (const [name, value] of Object.entries(state.lastEval)) metrics[`val_${name}_final`] = value;
  return metrics;
}

async function trainSteps(
  job: TrainingJob,
  session: TrainingSession,
  state: RunState,
  control: RunControl,
  emit: Emit,
  clock: { totalSteps: number; elapsedMs: () => number },
): Promise<Ending> {
  const { config } = job;
  const order = new DataOrder(session.trainRows, config.batchSize, config.seed);
  const meter = new ThroughputMeter();
  meter.restart();
  const checkpoint = async (reason: CheckpointReason): Promise<void> => {
    state.elapsedMsBefore = clock.elapsedMs();
    const saved = saveRunState(job, state);
    emit({ kind: 'checkpoint', step: state.step, forwardPasses: state.forwardPasses, reason, ...saved });
  };

  while (state.step < clock.totalSteps) {
    // Commands arrive between steps: a forward pass holds this thread.
    if (control.requested === 'pause') {
      await checkpoint('pause');
      emit({ kind: 'status', status: 'paused' });
      if ((await control.waitForResume()) === 'run') {
        emit({ kind: 'status', status: 'running' });
        meter.restart();
      }
    }
    if (control.requested === 'cancel') {
      await checkpoint('cancel');
      return { status: 'cancelled', reason: 'cancelled' };
    }

    const step = state.step;
    const batch = session.trainBatch(order.batch(step));
    const result = await session.estimator.estimate({
      objective: batch.objective,
      params: state.params,
      state: state.estimatorState,
      step,
      seed: stepSeed(config.seed, step),
    });
    // Judge the loss before applying the update: a diverged step must not reach the parameters,
    // and the last checkpoint stays the last good one.
    const reference = state.baseline?.loss ?? result.loss;
    const divergence = divergenceReason(result.loss, reference, config.divergence.lossFactor);
    if (divergence) {
      // The parameters of `step` produced this loss: a checkpoint of them is not a good one.
      if (discardCheckpoint(job.checkpointDir, step)) {
        emit({ kind: 'checkpoint-removed', step, reason: 'its parameters diverged at the next step' });
      }
      return { status: 'failed', reason: 'diverged', message: `step ${step + 1}: ${divergence}` };
    }

    const lr = learningRate(config.schedule, config.lr, step, clock.totalSteps);
    state.estimatorState = result.state;
    // The update rule applies the estimate's own lrScale (MeZO-SVRG anchor steps).
    state.optimizerState = session.updateRule.apply(state.params, result.estimate, state.optimizerState, lr);
    state.step = step + 1;
    state.forwardPasses += result.forwardPasses;
    meter.recordStep(result.forwardPasses, batch.tokens * result.forwardPasses);
    emit({
      kind: 'step',
      step: state.step,
      forwardPasses: state.forwardPasses,
      elapsedMs: clock.elapsedMs(),
      trainLoss: result.loss,
      learningRate: lr,
      ...meter.rates(),
      etaMs: meter.etaMs(clock.totalSteps - state.step),
      memoryBytes: process.memoryUsage.rss(),
      device: session.device,
    });

    const isLast = state.step === clock.totalSteps;
    if (state.step % config.eval.everySteps === 0 || isLast) {
      const metrics = await session.evaluate(state.params);
      state.lastEval = metrics;
      emit({
        kind: 'eval',
        step: state.step,
        forwardPasses: state.forwardPasses,
        elapsedMs: clock.elapsedMs(),
        isBaseline: false,
        metrics,
      });
      if (config.earlyStopping && metrics.loss !== undefined) {
        const observed = observeValidationLoss(state.earlyStopping, metrics.loss, config.earlyStopping);
        state.earlyStopping = observed.state;
        if (observed.shouldStop && !isLast) {
          await checkpoint('final');
          const message = `validation loss did not improve by more than ${config.earlyStopping.minDelta} for ${config.earlyStopping.patience} evaluations`;
          return { status: 'completed', reason: 'early-stopping', message };
        }
      }
    }
    if (isLast) await checkpoint('final');
    else if (state.step % config.checkpoint.everySteps === 0) await checkpoint('periodic');
  }
  return { status: 'completed', reason: 'budget' };
}

/** Steps the budget allows: given directly, or as many whole steps as the forward passes pay for. */
export function totalStepsOf(config: RunConfig, forwardPassesPerStep: number): number {
  if ('steps' in config.budget) return config.budget.steps;
  const steps = Math.floor(config.budget.forwardPasses / forwardPassesPerStep);
  if (steps < 1) {
    throw new Error(
      `a budget of ${config.budget.forwardPasses} forward passes does not pay for one step of ` +
        `${config.estimator.id} (${forwardPassesPerStep} forward passes per step)`,
    );
  }
  return steps;
}
