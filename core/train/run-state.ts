// RunState: everything that changes while a run trains, and its round trip through a checkpoint
// file (core/train/checkpoint.ts writes it atomically). The step seed and the data order are pure
// functions of (seed, step), so `step` is their whole position; the rest is stored as is.
import type { RunConfig } from './config.ts';
import { existsSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  checkpointPath,
  configHash,
  listCheckpointFiles,
  loadCheckpointWithFallback,
  writeCheckpoint,
} from './checkpoint.ts';
import { initialEarlyStopping, type EarlyStoppingState } from './guards.ts';
import type { TrainingJob } from './protocol.ts';
import type { TrainingSession } from './session.ts';
import type { ParamTensor } from '../estimators/types.ts';
import { inBookkeepingMemory } from '../random/pool/pool.ts';

export interface RunState {
  /** The fp32 master copy of the trainable tensors, in the engine's order. */
  params: ParamTensor[];
  estimatorState: unknown;
  optimizerState: unknown;
  /** Steps completed; also the position of the seed sequence and of the data order. */
  step: number;
  forwardPasses: number;
  /** Training time spent before this process took over (time while paused or dead is not counted). */
  elapsedMsBefore: number;
  /** Zero-shot validation metrics (null until the baseline evaluation ran). */
  baseline: Record<string, number> | null;
  lastEval: Record<string, number>;
  earlyStopping: EarlyStoppingState;
}

/** How a run restarted from a checkpoint: resumed exactly, or forked with fresh state for changed parts. */
export interface Restored {
  state: RunState;
  /** Explains a fallback to an older checkpoint or state reset by a fork; undefined for a clean resume. */
  note?: string;
  /** Newer checkpoints of this run that failed verification (their files are left for inspection). */
  damaged: { step: number; reason: string }[];
}

/**
 * The masters moved into the bookkeeping pool's shared memory (large tensors only; one copy per run
 * start), so the fused update sweep θ ← θ − η·ĝ is split across every core like the perturbation.
 */
function sharedMasters(params: readonly ParamTensor[]): ParamTensor[] {
  return params.map((param) => ({ ...param, data: inBookkeepingMemory(param.data) }));
}

export function freshRunState(session: TrainingSession): RunState {
  const params = sharedMasters(session.initialParams());
  return {
    params,
    estimatorState: session.estimator.init(params),
    optimizerState: session.updateRule.init(params),
    step: 0,
    forwardPasses: 0,
    elapsedMsBefore: 0,
    baseline: null,
    lastEval: {},
    earlyStopping: initialEarlyStopping,
  };
}

interface ExtraState {
  elapsedMsBefore: number;
  baseline: Record<string, number> | null;
  lastEval: Record<string, number>;
  earlyStopping: EarlyStoppingState;
  estimatorId: string;
  optimizerId: string;
}

export function saveRunState(
  job: TrainingJob,
  state: RunState,
): { path: string; bytes: number; removedSteps: number[] } {
  const extra: ExtraState = {
    elapsedMsBefore: state.elapsedMsBefore,
    baseline: state.baseline,
    lastEval: state.lastEval,
    earlyStopping: state.earlyStopping,
    estimatorId: job.config.estimator.id,
    optimizerId: job.config.optimizer.id,
  };
  const written = writeCheckpoint(
    job.checkpointDir,
    {
      step: state.step,
      forwardPasses: state.forwardPasses,
      params: state.params,
      estimatorState: state.estimatorState,
      optimizerState: state.optimizerState,
      rng: { runSeed: job.config.seed, step: state.step },
      dataPosition: { step: state.step, batchSize: job.config.batchSize },
      configHash: configHash(job.config),
      extra: extra as unknown as Record<string, unknown>,
    },
    job.config.checkpoint.keep,
  );
  return { path: written.path, bytes: written.bytes, removedSteps: written.removed.map((file) => file.step) };
}

/**
 * Restores a run from `path` (or the newest older checkpoint that verifies, when it is damaged).
 * Same config → the exact state. A fork's changed settings keep what still applies: parameters and
 * step always; estimator/optimizer state only while the estimator/update rule is the same one.
 */
export function loadRunState(path: string, session: TrainingSession, config: RunConfig): Restored {
  const { checkpoint, path: loadedPath, skipped } = loadCheckpointWithFallback(path);
  const notes = skipped.map((s) => `${s.reason}; resuming from ${loadedPath} instead`);
  const files = listCheckpointFiles(dirname(path));
  const damaged = skipped.flatMap((s) => {
    const file = files.find((f) => f.path === s.path);
    return file ? [{ step: file.step, reason: s.reason }] : [];
  });
  const expected = session.trainables;
  if (checkpoint.params.length !== expected.length) {
    throw new Error(
      `checkpoint ${loadedPath} holds ${checkpoint.params.length} trainable tensors; this model and PEFT ` +
        `setting train ${expected.length}`,
    );
  }
  checkpoint.params.forEach((param, i) => {
    const want = expected[i] as { name: string; shape: readonly number[] };
    if (param.name !== want.name || param.shape.join() !== want.shape.join()) {
      throw new Error(
        `checkpoint ${loadedPath}: trainable tensor ${i} is "${param.name}" [${param.shape.join(', ')}]; ` +
          `this model and PEFT setting expect "${want.name}" [${want.shape.join(', ')}]`,
      );
    }
  });
  const extra = checkpoint.extra as unknown as ExtraState;
  const params = sharedMasters(
    checkpoint.params.map((p) => ({ name: p.name, shape: [...p.shape], data: p.data })),
  );
  const isSameEstimator = extra.estimatorId === config.estimator.id;
  const isSameOptimizer = extra.optimizerId === config.optimizer.id;
  if (configHash(config) !== checkpoint.configHash) {
    if (!isSameEstimator) notes.push(`estimator changed to ${config.estimator.id}: its state starts fresh`);
    if (!isSameOptimizer) notes.push(`update rule changed to ${config.optimizer.id}: its state starts fresh`);
  }
  const state: RunState = {
    params,
    estimatorState: isSameEstimator ? checkpoint.estimatorState : session.estimator.init(params),
    optimizerState: isSameOptimizer ? checkpoint.optimizerState : session.updateRule.init(params),
    step: checkpoint.step,
    forwardPasses: checkpoint.forwardPasses,
    elapsedMsBefore: extra.elapsedMsBefore,
    baseline: extra.baseline,
    lastEval: extra.lastEval,
    earlyStopping: extra.earlyStopping,
  };
  return notes.length > 0 ? { state, note: notes.join('; '), damaged } : { state, damaged };
}

/** Deletes the checkpoint of `step` if there is one; returns whether there was. */
export function discardCheckpoint(checkpointDir: string, step: number): boolean {
  const path = checkpointPath(checkpointDir, step);
  if (!existsSync(path)) return false;
  rmSync(path);
  return true;
}
