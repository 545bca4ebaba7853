// One matrix over every estimator in the registry and every PEFT mode: each trains a few steps of
// stories260k through the real loop, spends no more forward passes than its budget allows, and
// leaves a complete history. (Whether each one *improves* the model is core/estimators' matrix.)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listEstimators } from '../../core/estimators/registry.ts';
import type { TrainingManager } from '../../core/train/manager.ts';
import { collectEvents, sherlockConfig, startManager, stopManager, type TempHistory } from './helpers.ts';

let history: TempHistory;
let manager: TrainingManager;
const events = collectEvents();

beforeAll(() => {
  ({ history, manager } = startManager(events.listener));
});

afterAll(() => stopManager(history, manager));

const small = { batchSize: 4, eval: { everySteps: 3, rows: 4 }, budget: { steps: 3 } };

describe('the loop with every estimator', () => {
  it.each(listEstimators().map((info) => [info.id, info.forward_passes_per_step] as const))(
    '%s trains 3 LoRA steps and counts its forward passes',
    async (id, perStepBound) => {
      const runId = manager.start(sherlockConfig({ ...small, estimator: { id, settings: {} }, lr: 1e-4 }));
      const summary = await manager.waitForEnd(runId);
      expect(summary, summary.message).toMatchObject({ status: 'completed', steps: 3 });
      const steps = (events.byRun.get(runId) ?? []).filter((e) => e.kind === 'step');
      expect(steps.map((e) => e.step)).toEqual([1, 2, 3]);
      expect(summary.forwardPasses).toBe(steps.at(-1)?.forwardPasses);
      expect(summary.forwardPasses).toBeGreaterThan(0);
      expect(summary.forwardPasses).toBeLessThanOrEqual(3 * perStepBound);
      expect(history.store.metricSeries(runId, 'train_loss')).toHaveLength(3);
    },
  );
});

describe('the loop with every PEFT mode', () => {
  it.each([
    ['prefix', { mode: 'prefix', tokens: 2 }],
    ['full', { mode: 'full' }],
  ] as const)('%s trains and resumes from its checkpoint', async (_mode, peft) => {
    const runId = manager.start(sherlockConfig({ ...small, peft, lr: 1e-5 }));
    const summary = await manager.waitForEnd(runId);
    expect(summary, summary.message).toMatchObject({ status: 'completed', steps: 3 });
    const started = (events.byRun.get(runId) ?? []).find((e) => e.kind === 'started');
    expect(started?.kind === 'started' && started.trainableParameters).toBeGreaterThan(0);
    const fork = manager.fork(runId, 3, { budget: { steps: 4 } });
    expect((await manager.waitForEnd(fork)).status).toBe('completed');
  });
});

describe('the loop on WebGPU', () => {
  it('trains, and its step losses match the CPU run of the same seed', async () => {
    // WebGPU here is Mesa's software Vulkan (lavapipe): it needs a runtime dir, and it is slow.
    process.env.XDG_RUNTIME_DIR ??= mkdtempSync(path.join(tmpdir(), 'zo-xdg-'));
    const config = { ...small, budget: { steps: 2 }, eval: { everySteps: 2, rows: 2 } };
    const gpu = manager.start(sherlockConfig({ ...config, ep: 'webgpu' }));
    const cpu = manager.start(sherlockConfig({ ...config, ep: 'cpu' }));
    const [gpuSummary, cpuSummary] = await Promise.all([manager.waitForEnd(gpu), manager.waitForEnd(cpu)]);
    expect(gpuSummary.status, gpuSummary.message).toBe('completed');
    expect(cpuSummary.status).toBe('completed');
    const started = (events.byRun.get(gpu) ?? []).find((e) => e.kind === 'started');
    expect(started).toMatchObject({ device: 'webgpu' });
    const losses = (runId: string) => history.store.metricSeries(runId, 'train_loss').map((p) => p.value);
    expect(losses(gpu)).toHaveLength(2);
    losses(gpu).forEach((loss, i) => expect(loss).toBeCloseTo(losses(cpu)[i] as number, 4));
  });
});
