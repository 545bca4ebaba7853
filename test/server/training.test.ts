// Training through the API with the real engine: start, live events, pause/resume, completion,
// the run history queries the dashboard and compare view use, a second run, fork, and delete.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, type ApiClient } from '../../core/api/client.ts';
import { dispatchCall } from '../../core/api/dispatch.ts';
import type { ApiEvent } from '../../core/api/events.ts';
import { startBackend, type Backend } from '../../core/server/start-backend.ts';
import { quickRun } from './fixtures.ts';

let backend: Backend;
let api: ApiClient;
let dataDir: string;
const events: ApiEvent[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'zo-train-api-'));
  backend = await startBackend(dataDir);
  backend.context.events.subscribe((event) => events.push(event));
  api = createApiClient({
    call: (method, payload) => dispatchCall(backend.handlers, method, payload),
    onEvent: (listener) => backend.context.events.subscribe(listener),
  });
});
afterAll(async () => {
  await backend.close();
  await rm(dataDir, { recursive: true, force: true });
});

function waitFor(predicate: (event: ApiEvent) => boolean, timeoutMs = 90_000): Promise<ApiEvent> {
  const found = events.find(predicate);
  if (found) return Promise.resolve(found);
  return new Promise((resolveEvent, reject) => {
    const timer = setTimeout(() => reject(new Error('event did not arrive')), timeoutMs);
    const stop = backend.context.events.subscribe((event) => {
      if (!predicate(event)) return;
      clearTimeout(timer);
      stop();
      resolveEvent(event);
    });
  });
}

describe('training through the API', () => {
  let firstRun = '';

  it('refuses a config with a bad field, naming it', async () => {
    await expect(api.call('training.start', { ...quickRun(), lr: -1 })).rejects.toThrow(/lr/);
  });

  it('runs, pauses, resumes and completes with live events', async () => {
    ({ runId: firstRun } = await api.call('training.start', quickRun()));
    await waitFor((e) => e.kind === 'run.step' && e.runId === firstRun);
    const paused = await api.call('training.pause', { runId: firstRun });
    expect(paused.runId).toBe(firstRun);
    await waitFor((e) => e.kind === 'run.status' && e.runId === firstRun && e.status === 'paused');
    await expect(api.call('training.pause', { runId: 'nope' })).rejects.toMatchObject({ code: 'not_found' });
    await api.call('training.resume', { runId: firstRun });
    await waitFor((e) => e.kind === 'run.status' && e.runId === firstRun && e.status === 'completed');

    const mine = events.filter((e) => 'runId' in e && e.runId === firstRun);
    const steps = mine.flatMap((e) => (e.kind === 'run.step' ? [e.step] : []));
    expect(steps.at(-1)).toBe(6);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps); // never goes backwards
    expect(mine.some((e) => e.kind === 'run.eval' && e.isBaseline)).toBe(true);
    expect(mine.filter((e) => e.kind === 'run.status').map((e) => (e as { status: string }).status)).toEqual(
      expect.arrayContaining(['running', 'paused', 'completed']),
    );
  });

  it('serves the run history the dashboard and runs table read', async () => {
    const { runs } = await api.call('runs.list', {});
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      id: firstRun,
      status: 'completed',
      model: 'stories260k',
      estimator: 'mezo',
      steps: 6,
      forwardPasses: 12,
    });
    const detail = await api.call('runs.get', { id: firstRun });
    expect(detail.baseline).toHaveProperty('loss');
    expect(detail.checkpoints.length).toBeGreaterThan(0);
    const { metrics } = await api.call('runs.metrics', { id: firstRun });
    const loss = metrics.find((m) => m.name === 'train_loss')!;
    expect(loss.points.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(loss.points.every((p, i) => p.forwardPasses === 2 * (i + 1))).toBe(true);
    expect(metrics.map((m) => m.name)).toContain('val_accuracy');
  });

  it('exports the run as a PEFT adapter and lists the files with sizes', async () => {
    const outDir = join(dataDir, 'export-peft');
    const result = await api.call('export.run', { runId: firstRun, format: 'peft', outDir });
    expect(result.files.map((f) => f.name).sort()).toEqual([
      'adapter_config.json',
      'adapter_model.safetensors',
    ]);
    expect(result.totalBytes).toBe(result.files.reduce((sum, f) => sum + f.sizeBytes, 0));
    expect(result.step).toBe(6);
    await expect(api.call('export.run', { runId: firstRun, format: 'peft', outDir })).rejects.toThrow(
      /not empty/,
    );
  });

  it('generates from the base and the tuned model with the same prompt', async () => {
    const result = await api.call('playground.generate', {
      runId: firstRun,
      prompt: 'Once upon a time',
      maxNewTokens: 8,
    });
    for (const side of [result.base, result.tuned]) {
      expect(side.tokens).toBeGreaterThan(0);
      expect(side.tokens).toBeLessThanOrEqual(8);
      expect(side.text.length).toBeGreaterThan(0);
    }
    // Greedy decoding is deterministic: the same request gives the same text.
    const again = await api.call('playground.generate', {
      runId: firstRun,
      prompt: 'Once upon a time',
      maxNewTokens: 8,
    });
    expect(again.base.text).toBe(result.base.text);
    expect(again.tuned.text).toBe(result.tuned.text);
  });

  it('compares with a second run that uses another estimator', async () => {
    const { runId: second } = await api.call(
      'training.start',
      quickRun({ name: 'quick lozo', estimator: { id: 'lozo', settings: {} }, budget: { steps: 3 } }),
    );
    await waitFor((e) => e.kind === 'run.status' && e.runId === second && e.status === 'completed');
    const { series } = await api.call('runs.series', {
      ids: [firstRun, second],
      x: 'forward_passes',
      metrics: ['train_loss'],
    });
    expect(series.map((s) => s.runId)).toEqual([firstRun, second]);
    expect(series[1]!.points.map((p) => p.x)).toEqual([2, 4, 6]);
    const { rows } = await api.call('runs.configDiff', { ids: [firstRun, second] });
    expect(rows.find((r) => r.key === 'estimator.id')).toEqual({
      key: 'estimator.id',
      values: ['mezo', 'lozo'],
      differs: true,
    });
    expect(rows.find((r) => r.key === 'lr')).toMatchObject({ differs: false });
    const wall = await api.call('runs.series', { ids: [second], x: 'wall_time', metrics: ['train_loss'] });
    expect(wall.series[0]!.points[0]!.x).toBeLessThan(120); // seconds, not milliseconds
  });

  it('forks from a checkpoint and deletes with the history gone', async () => {
    const { runId: fork } = await api.call('training.fork', {
      runId: firstRun,
      overrides: { budget: { steps: 8 }, name: 'fork' },
    });
    await waitFor((e) => e.kind === 'run.status' && e.runId === fork && e.status === 'completed');
    expect((await api.call('runs.get', { id: fork })).run.steps).toBe(8);
    await api.call('runs.tag', { id: fork, tags: ['fork', 'keep'] });
    expect((await api.call('runs.list', { search: 'fork' })).runs[0]!.tags).toEqual(['fork', 'keep']);
    expect(await api.call('runs.delete', { id: fork })).toEqual({ deleted: true });
    await expect(api.call('runs.get', { id: fork })).rejects.toMatchObject({ code: 'not_found' });
  });
});
