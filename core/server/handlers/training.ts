// training.* over core/train's TrainingManager: each run trains in its own worker; this backend only
// starts, steers and relays. Manager errors that are the user's to fix become invalid_request or
// conflict with the manager's own message.
import { ApiError } from '../../api/errors.ts';
import type { Handlers, Request } from '../../api/methods.ts';
import type { RunStatus } from '../../api/domains/runs.ts';
import { createEstimator } from '../../estimators/registry.ts';
import { createUpdateRule } from '../../optim/registry.ts';
import type { RunStore } from '../../store/run-store.ts';
import { RunConfigError } from '../../train/config.ts';
import type { TrainingManager } from '../../train/manager.ts';
import { apiStatus } from './runs.ts';
import { estimateRun } from '../run-estimate.ts';

function asConflict(action: () => void): void {
  try {
    action();
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError('conflict', (error as Error).message);
  }
}

/**
 * The estimator and the update rule (ids and settings) are checked here, before a run is recorded or a
 * session opened, so a wrong one is the user's invalid_request naming the config field, e.g.
 * `optimizer: update rule zo-adam: invalid settings: beta1: ...`, rather than an internal error.
 */
function checkAlgorithms(config: Pick<Request<'training.start'>, 'estimator' | 'optimizer'>): void {
  const choices = [
    ['estimator', () => createEstimator(config.estimator.id, config.estimator.settings)],
    ['optimizer', () => createUpdateRule(config.optimizer.id, config.optimizer.settings)],
  ] as const;
  for (const [field, create] of choices) {
    try {
      create();
    } catch (error) {
      throw new ApiError('invalid_request', `${field}: ${(error as Error).message}`);
    }
  }
}

export function trainingHandlers(
  store: RunStore,
  manager: TrainingManager,
): Pick<Handlers, `training.${string}` & keyof Handlers> {
  const statusOf = (runId: string): RunStatus => {
    const live = manager.active().find((run) => run.runId === runId);
    const record = store.getRun(runId);
    if (!record) throw new ApiError('not_found', `no run with id ${runId}`);
    return live ? live.status : apiStatus(record, false);
  };
  const control = (runId: string, action: () => void) => {
    statusOf(runId);
    asConflict(action);
    return { runId, status: statusOf(runId) };
  };

  return {
    'training.start': async (config) => {
      checkAlgorithms(config);
      try {
        return { runId: manager.start(config, 'training.start') };
      } catch (error) {
        if (error instanceof RunConfigError) throw new ApiError('invalid_request', error.message);
        throw error;
      }
    },
    'training.pause': async ({ runId }) => control(runId, () => manager.pause(runId)),
    'training.resume': async ({ runId }) => control(runId, () => manager.resume(runId)),
    'training.cancel': async ({ runId }) => control(runId, () => manager.cancel(runId)),
    'training.fork': async ({ runId, checkpointStep, overrides }) => {
      statusOf(runId);
      const step = checkpointStep ?? store.latestCheckpoint(runId)?.step;
      if (step === undefined)
        throw new ApiError('conflict', `run ${runId} has no checkpoint to fork from yet`);
      try {
        return { runId: manager.fork(runId, step, overrides) };
      } catch (error) {
        throw new ApiError(
          error instanceof RunConfigError ? 'invalid_request' : 'conflict',
          (error as Error).message,
        );
      }
    },
    'training.estimate': async (config) => {
      checkAlgorithms(config);
      return estimateRun(config);
    },
  };
}
