// The training loop end to end through TrainingManager: real stories260k, real Sherlock Holmes text,
// real workers, a real SQLite history. The tests share one reference run (A) and compare the others
// with it step by step: determinism is what makes pause/resume, concurrency and forks checkable.
import { existsSync, truncateSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../core/train/events.ts';
import { TrainingManager } from '../../core/train/manager.ts';
import {
  collectEvents,
  sherlockConfig,
  sst2,
  startManager,
  stopManager,
  stories260k,
  type TempHistory,
} from './helpers.ts';
import path from 'node:path';

let history: TempHistory;
let manager: TrainingManager;
const events = collectEvents();
let referenceRunId = '';

const series = (runId: string, name: string): [number, number][] =>
  history.store.metricSeries(runId, name).map((point) => [point.step, point.value]);

const eventsOf = (runId: string): RunEvent[] => events.byRun.get(runId) ?? [];

/** Resolves when `predicate` holds for a delivered event of `runId`. */
function waitForEvent(runId: () => string, predicate: (event: RunEvent) => boolean): Promise<RunEvent> {
  return new Promise((resolve) => {
    const stop = manager.subscribe((id, delivered) => {
      if (id !== runId()) return;
      const match = delivered.find(predicate);
      if (match) {
        stop();
        resolve(match);
      }
    });
  });
}

beforeAll(() => {
  ({ history, manager } = startManager(events.listener));
});

afterAll(() => stopManager(history, manager));

describe('TrainingManager on stories260k', () => {
  it('trains: validation loss drops below the zero-shot baseline and every step is recorded', async () => {
    referenceRunId = manager.start(sherlockConfig());
    const summary = await manager.waitForEnd(referenceRunId);

    expect(summary).toMatchObject({ status: 'completed', reason: 'budget', steps: 40, forwardPasses: 80 });
    const initial = summary.metrics.val_loss_initial as number;
    const final = summary.metrics.val_loss_final as number;
    expect(final).toBeLessThan(initial - 0.05);

    const run = history.store.requireRun(referenceRunId);
    expect(run.status).toBe('completed');
    expect(series(referenceRunId, 'train_loss').map(([step]) => step)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    expect(history.store.listEvals(referenceRunId, 'baseline')).toHaveLength(1);
    expect(history.store.listEvals(referenceRunId, 'validation').map((e) => e.step)).toEqual([20, 40]);
    const checkpoints = history.store.listCheckpoints(referenceRunId);
    expect(checkpoints.map((c) => c.step)).toEqual([10, 20, 30, 40]);
    for (const checkpoint of checkpoints) expect(existsSync(checkpoint.path)).toBe(true);

    // Event invariants: steps strictly increase, forward passes accumulate, one summary and it is last.
    const delivered = eventsOf(referenceRunId);
    const steps = delivered.filter((e) => e.kind === 'step');
    steps.forEach((event, i) => {
      expect(event.step).toBe(i + 1);
      expect(event.forwardPasses).toBe(2 * (i + 1));
    });
    expect(delivered.filter((e) => e.kind === 'summary')).toHaveLength(1);
    expect(delivered.at(-1)?.kind).toBe('summary');
    expect(delivered.find((e) => e.kind === 'started')).toMatchObject({ device: 'cpu', totalSteps: 40 });
  });

  it('pauses (with a checkpoint) and resumes a live run on exactly the same trajectory', async () => {
    let runId = '';
    const paused = waitForEvent(
      () => runId,
      (e) => e.kind === 'status' && e.status === 'paused',
    );
    const stopPausing = manager.subscribe((id, delivered) => {
      if (id === runId && delivered.some((e) => e.kind === 'step' && e.step >= 5)) {
        stopPausing();
        manager.pause(runId);
      }
    });
    runId = manager.start(sherlockConfig());
    await paused;
    expect(history.store.requireRun(runId).status).toBe('paused');
    const pauseCheckpoint = eventsOf(runId).find((e) => e.kind === 'checkpoint' && e.reason === 'pause');
    expect(pauseCheckpoint).toBeDefined();
    expect(manager.active()).toContainEqual(expect.objectContaining({ runId, status: 'paused' }));

    manager.resume(runId);
    const summary = await manager.waitForEnd(runId);
    expect(summary.status).toBe('completed');
    expect(series(runId, 'train_loss')).toEqual(series(referenceRunId, 'train_loss'));
  });

  it('runs two runs at once, each on its own deterministic trajectory', async () => {
    const same = manager.start(sherlockConfig());
    const other = manager.start(sherlockConfig({ seed: 8 }));
    expect(
      manager
        .active()
        .map((run) => run.runId)
        .sort(),
    ).toEqual([same, other].sort());
    const [sameSummary, otherSummary] = await Promise.all([
      manager.waitForEnd(same),
      manager.waitForEnd(other),
    ]);
    expect(sameSummary.status).toBe('completed');
    expect(otherSummary.status).toBe('completed');
    expect(series(same, 'train_loss')).toEqual(series(referenceRunId, 'train_loss'));
    expect(series(other, 'train_loss')).toHaveLength(40);
    expect(series(other, 'train_loss')).not.toEqual(series(referenceRunId, 'train_loss'));
  });

  it('forks a run from a checkpoint with a changed learning rate', async () => {
    const forkId = manager.fork(referenceRunId, 20, { lr: 5e-3, budget: { steps: 30 } });
    const summary = await manager.waitForEnd(forkId);
    expect(summary).toMatchObject({ status: 'completed', steps: 30, forwardPasses: 60 });
    const fork = history.store.requireRun(forkId);
    expect(fork.parentRunId).toBe(referenceRunId);
    expect(fork.parentCheckpointStep).toBe(20);
    const forked = series(forkId, 'train_loss');
    expect(forked.map(([step]) => step)).toEqual(Array.from({ length: 10 }, (_, i) => i + 21));
    // Step 21 evaluates the checkpointed parameters on the same batch and seed: the same loss.
    expect(forked[0]).toEqual(series(referenceRunId, 'train_loss')[20]);
    // After one update with another learning rate the trajectories part.
    expect(forked[1]).not.toEqual(series(referenceRunId, 'train_loss')[21]);
    expect(() => manager.fork(referenceRunId, 15)).toThrow(
      /no checkpoint at step 15; its checkpoints are at steps: 10, 20, 30, 40/,
    );
  });

  it('stops early when validation loss stops improving', async () => {
    // minDelta 10 nats: no evaluation can count as an improvement, so patience 2 ends it at step 15.
    const runId = manager.start(
      sherlockConfig({ eval: { everySteps: 5, rows: 8 }, earlyStopping: { patience: 2, minDelta: 10 } }),
    );
    const summary = await manager.waitForEnd(runId);
    expect(summary).toMatchObject({ status: 'completed', reason: 'early-stopping', steps: 15 });
    expect(summary.message).toMatch(/did not improve by more than 10 for 2 evaluations/);
    expect(history.store.latestCheckpoint(runId)?.step).toBe(15);
  });

  it('cancels a live run after a last checkpoint', async () => {
    let runId = '';
    const stopCancelling = manager.subscribe((id, delivered) => {
      if (id === runId && delivered.some((e) => e.kind === 'step' && e.step >= 3)) {
        stopCancelling();
        manager.cancel(runId);
      }
    });
    runId = manager.start(sherlockConfig({ budget: { steps: 5000 } }));
    const summary = await manager.waitForEnd(runId);
    expect(summary).toMatchObject({ status: 'cancelled', reason: 'cancelled' });
    expect(summary.steps).toBeLessThan(5000);
    expect(history.store.requireRun(runId).status).toBe('cancelled');
    expect(history.store.latestCheckpoint(runId)?.step).toBe(summary.steps);
  });

  it('resumes past a checkpoint truncated on disk, from the newest one that verifies', async () => {
    let runId = '';
    const stop = manager.subscribe((id, delivered) => {
      if (id === runId && delivered.some((e) => e.kind === 'step' && e.step >= 25)) {
        stop();
        manager.cancel(runId);
      }
    });
    runId = manager.start(sherlockConfig());
    const cancelled = await manager.waitForEnd(runId);
    expect(cancelled.status).toBe('cancelled');
    const newest = history.store.latestCheckpoint(runId);
    expect(newest?.step).toBe(cancelled.steps);
    truncateSync(newest?.path as string, (newest?.bytes as number) - 100);

    manager.resume(runId);
    const summary = await manager.waitForEnd(runId);
    expect(summary.status).toBe('completed');
    // The newest periodic checkpoint (every 10 steps) before the cancel's.
    const fallback = Math.floor((cancelled.steps - 1) / 10) * 10;
    const notice = eventsOf(runId).find((e) => e.kind === 'notice' && /resuming from/.test(e.message));
    expect(notice?.kind === 'notice' && notice.message).toContain(
      `checkpoint-${String(fallback).padStart(8, '0')}.safetensors instead`,
    );
    expect(eventsOf(runId).find((e) => e.kind === 'started' && e.resumedFromStep !== null)).toMatchObject({
      resumedFromStep: fallback,
    });
    expect(series(runId, 'train_loss')).toEqual(series(referenceRunId, 'train_loss'));
    expect(history.store.listCheckpoints(runId).map((c) => c.step)).not.toContain(cancelled.steps);
  });

  it('leaves runs paused and resumable when its host shuts down', async () => {
    const host = new TrainingManager({ store: history.store, progressIntervalMs: 0 });
    let runId = '';
    const stopped = new Promise<void>((resolve) => {
      const stop = host.subscribe((id, delivered) => {
        if (id === runId && delivered.some((e) => e.kind === 'step' && e.step >= 3)) {
          stop();
          void host.shutdown().then(resolve);
        }
      });
    });
    runId = host.start(sherlockConfig());
    await stopped;
    expect(host.active()).toEqual([]);
    expect(history.store.requireRun(runId).status).toBe('paused');
    const checkpoint = history.store.latestCheckpoint(runId);
    expect(checkpoint?.step).toBeGreaterThanOrEqual(3);

    // The next host (here: the shared manager) picks it up where it stood.
    manager.resume(runId);
    const summary = await manager.waitForEnd(runId);
    expect(summary.status).toBe('completed');
    expect(series(runId, 'train_loss')).toEqual(series(referenceRunId, 'train_loss'));
  });

  it('stops a diverging run with a clear message and keeps only good checkpoints', async () => {
    // A learning rate warming up towards a huge value: the loss leaves 3.3 for chance level (ln 512 ≈
    // 6.2) and beyond within a few steps, after some good checkpoints were written.
    const runId = manager.start(
      sherlockConfig({
        lr: 100,
        schedule: { kind: 'constant', warmupSteps: 10_000 },
        divergence: { lossFactor: 2 },
        checkpoint: { everySteps: 1, keep: 3 },
      }),
    );
    const summary = await manager.waitForEnd(runId);
    expect(summary).toMatchObject({ status: 'failed', reason: 'diverged' });
    expect(summary.message).toMatch(
      /^step \d+: train loss \d+\.\d+ exceeds 2× the baseline loss 3\.\d+: the run diverged \(try a smaller lr or eps\)$/,
    );
    const run = history.store.requireRun(runId);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/diverged/);
    // The checkpoint of the parameters that produced the diverged loss is discarded; earlier ones stay.
    const steps = history.store.listCheckpoints(runId).map((c) => c.step);
    expect(summary.steps).toBeGreaterThan(2);
    // keep 3 held steps s−2, s−1 and s; the diverged s is gone.
    expect(steps).toEqual([summary.steps - 2, summary.steps - 1]);
    expect(eventsOf(runId)).toContainEqual(
      expect.objectContaining({ kind: 'checkpoint-removed', step: summary.steps }),
    );
  });

  it('trains a classification task on an accuracy objective (non-differentiable)', async () => {
    const runId = manager.start({
      model: stories260k,
      data: {
        train: path.join(sst2, 'train.jsonl'),
        validation: path.join(sst2, 'validation.jsonl'),
        task: 'sst2',
        maxLength: 48,
      },
      peft: { mode: 'lora', rank: 2, alpha: 4 },
      estimator: { id: 'mezo', settings: { eps: 1e-2 } },
      objective: 'accuracy',
      lr: 1e-2,
      budget: { forwardPasses: 20 },
      batchSize: 8,
      eval: { everySteps: 10, rows: 16 },
      threads: 1,
    });
    const summary = await manager.waitForEnd(runId);
    expect(summary).toMatchObject({ status: 'completed', steps: 10, forwardPasses: 20 });
    expect(summary.metrics.val_accuracy_initial).toBeGreaterThanOrEqual(0);
    expect(summary.metrics.val_accuracy_final).toBeLessThanOrEqual(1);
    for (const [, loss] of series(runId, 'train_loss')) expect(loss >= 0 && loss <= 1).toBe(true);
  });
});
