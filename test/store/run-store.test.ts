// The run-history API against a real SQLite file: runs, filters, metrics, aligned series, config diffs.
import { mkdtempSync, rmSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunStore } from '../../core/store/run-store.ts';
import type { NewRun } from '../../core/store/types.ts';

let dir: string;
let store: RunStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zo-store-'));
  store = RunStore.open(join(dir, 'runs.sqlite'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const baseRun = (overrides: Partial<NewRun> = {}): NewRun => ({
  name: 'sst2 spsa',
  modelDir: '/models/stories260k',
  dataset: 'sst2',
  task: 'classification',
  peft: 'lora',
  estimator: 'spsa',
  config: {
    optimizer: { lr: 1e-3, name: 'sgd' },
    eps: 1e-3,
    peft: { r: 8, target_modules: ['q_proj', 'v_proj'] },
  },
  ...overrides,
});

describe('runs', () => {
  it('creates, reads back and updates a run', () => {
    const run = store.createRun(baseRun());
    expect(run.id).toMatch(/^\d{8}-\d{6}-[0-9a-f]{4}$/);
    expect(run.status).toBe('created');
    expect(store.getRun(run.id)?.config).toEqual(baseRun().config);
    store.updateStatus(run.id, 'failed', 'loss became NaN at step 12');
    const failed = store.requireRun(run.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toBe('loss became NaN at step 12');
    expect(() => store.updateStatus('nope', 'running')).toThrow(/no run with id "nope"/);
    expect(() => store.updateStatus(run.id, 'exploded' as never)).toThrow(/status "exploded" is not one of/);
  });

  it('filters and sorts the run list', () => {
    const a = store.createRun(baseRun({ id: 'a', name: 'alpha', estimator: 'spsa' }));
    const b = store.createRun(baseRun({ id: 'b', name: 'beta', estimator: 'lozo', dataset: 'trec_100%' }));
    const c = store.createRun(baseRun({ id: 'c', name: 'gamma', estimator: 'spsa', peft: 'prefix' }));
    store.updateStatus(b.id, 'completed');
    store.addTag(c.id, 'best');
    store.addTag(c.id, 'baseline');
    expect(store.listRuns({ sort: 'name', order: 'asc' }).map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(store.listRuns({ estimator: 'spsa', sort: 'name', order: 'desc' }).map((r) => r.id)).toEqual([
      'c',
      'a',
    ]);
    expect(store.listRuns({ status: 'completed' }).map((r) => r.id)).toEqual(['b']);
    expect(
      store
        .listRuns({ status: ['created', 'completed'], peft: 'lora', sort: 'name', order: 'asc' })
        .map((r) => r.id),
    ).toEqual(['a', 'b']);
    expect(store.listRuns({ tag: 'best' }).map((r) => r.id)).toEqual(['c']);
    expect(store.getRun('c')?.tags).toEqual(['baseline', 'best']);
    // LIKE wildcards in the search text are literal: "100%" must not match everything.
    expect(store.listRuns({ search: '100%' }).map((r) => r.id)).toEqual(['b']);
    expect(store.listRuns({ search: 'ALPH' }).map((r) => r.id)).toEqual(['a']);
    expect(store.listRuns({ sort: 'name', order: 'asc', limit: 1, offset: 1 }).map((r) => r.id)).toEqual([
      'b',
    ]);
    expect(a.parentRunId).toBeNull();
  });

  it('records forks, notes, checkpoints and artifacts, and deletes a run with everything it owns', () => {
    const parent = store.createRun(baseRun({ id: 'parent' }));
    store.addCheckpoint(parent.id, { step: 10, path: '/x/10', bytes: 100 });
    store.addCheckpoint(parent.id, { step: 20, path: '/x/20', bytes: 120 });
    expect(store.latestCheckpoint(parent.id)?.step).toBe(20);
    store.removeCheckpoint(parent.id, 20);
    expect(store.latestCheckpoint(parent.id)?.step).toBe(10);
    const child = store.createRun(baseRun({ id: 'child', parentRunId: parent.id, parentCheckpointStep: 10 }));
    expect(child.parentCheckpointStep).toBe(10);
    store.addNote(parent.id, 'lr too high?');
    expect(store.listNotes(parent.id).map((n) => n.body)).toEqual(['lr too high?']);
    store.addArtifact(parent.id, { format: 'peft', path: '/out/adapter', bytes: 4096 });
    expect(store.listArtifacts(parent.id)).toHaveLength(1);
    store.appendMetrics(parent.id, [{ name: 'loss', step: 1, forwardPasses: 2, wallMs: 5, value: 1 }]);
    mkdirSync(store.runDir(parent.id), { recursive: true });
    writeFileSync(join(store.runDir(parent.id), 'x'), 'y');

    store.deleteRun(parent.id);
    expect(store.getRun(parent.id)).toBeUndefined();
    expect(existsSync(store.runDir(parent.id))).toBe(false);
    expect(store.listCheckpoints(parent.id)).toEqual([]);
    expect(store.metricSeries(parent.id, 'loss')).toEqual([]);
    // The fork survives its parent; the link is cleared by the foreign key.
    expect(store.getRun(child.id)?.parentRunId).toBeNull();
  });
});

describe('metrics', () => {
  it('appends batches, replaces replayed steps and keeps NaN visible', () => {
    const run = store.createRun(baseRun());
    store.appendMetrics(run.id, [
      { name: 'loss', step: 1, forwardPasses: 2, wallMs: 10, value: 2.5 },
      { name: 'loss', step: 2, forwardPasses: 4, wallMs: 20, value: 2.4 },
    ]);
    // After a resume the steps since the last checkpoint are replayed: same (metric, step) replaces.
    store.appendMetrics(run.id, [
      { name: 'loss', step: 2, forwardPasses: 4, wallMs: 21, value: 2.39 },
      { name: 'loss', step: 3, forwardPasses: 6, wallMs: 30, value: Number.NaN },
    ]);
    const series = store.metricSeries(run.id, 'loss');
    expect(series.map((p) => p.step)).toEqual([1, 2, 3]);
    expect(series[1]?.value).toBe(2.39);
    expect(series[2]?.value).toBeNaN();
  });

  it('a failing point rolls back its whole batch', () => {
    const run = store.createRun(baseRun());
    expect(() =>
      store.appendMetrics(run.id, [
        { name: 'loss', step: 1, forwardPasses: 2, wallMs: 10, value: 1 },
        { name: 'loss', step: 2, forwardPasses: null as unknown as number, wallMs: 20, value: 1 },
      ]),
    ).toThrow(/NOT NULL/);
    expect(store.metricSeries(run.id, 'loss')).toEqual([]);
  });

  it('aligns several runs by step, forward passes or wall time', () => {
    const spsa = store.createRun(baseRun({ id: 'spsa' }));
    const lozo = store.createRun(baseRun({ id: 'lozo', estimator: 'lozo' }));
    // SPSA uses 2 forward passes per step, the other run 4: by step they line up, by forward passes not.
    store.appendMetrics(
      spsa.id,
      [1, 2, 3, 4].map((step) => ({
        name: 'loss',
        step,
        forwardPasses: 2 * step,
        wallMs: 10 * step,
        value: 5 - step,
      })),
    );
    store.appendMetrics(
      lozo.id,
      [1, 2].map((step) => ({
        name: 'loss',
        step,
        forwardPasses: 4 * step,
        wallMs: 25 * step,
        value: 5 - 2 * step,
      })),
    );
    store.appendMetrics(lozo.id, [{ name: 'acc', step: 2, forwardPasses: 8, wallMs: 50, value: 0.7 }]);

    const byStep = store.seriesAligned([spsa.id, lozo.id], 'loss', 'step');
    expect(byStep.x).toEqual([1, 2, 3, 4]);
    expect(byStep.series).toEqual([
      { runId: 'spsa', values: [4, 3, 2, 1] },
      { runId: 'lozo', values: [3, 1, null, null] },
    ]);
    const byPasses = store.seriesAligned([spsa.id, lozo.id], 'loss', 'forward_passes');
    expect(byPasses.x).toEqual([2, 4, 6, 8]);
    expect(byPasses.series[1]?.values).toEqual([null, 3, null, 1]);
    const byWall = store.seriesAligned([spsa.id, lozo.id], 'loss', 'wall_ms');
    expect(byWall.x).toEqual([10, 20, 25, 30, 40, 50]);
    expect(() => store.seriesAligned(['spsa', 'missing'], 'loss', 'step')).toThrow(
      /no run with id "missing"/,
    );

    const finals = store.finalMetrics([spsa.id, lozo.id]);
    expect(finals.get('spsa')?.get('loss')).toEqual({ step: 4, forwardPasses: 8, value: 1 });
    expect(finals.get('lozo')?.get('acc')).toEqual({ step: 2, forwardPasses: 8, value: 0.7 });
    expect(store.metricNames(lozo.id)).toEqual(['acc', 'loss']);
  });

  it('stores evaluations by split', () => {
    const run = store.createRun(baseRun());
    store.addEval(run.id, {
      step: 0,
      forwardPasses: 0,
      split: 'validation',
      metrics: { loss: 2, accuracy: 0.5 },
    });
    store.addEval(run.id, {
      step: 10,
      forwardPasses: 20,
      split: 'validation',
      metrics: { loss: 1.5, accuracy: 0.6 },
    });
    store.addEval(run.id, { step: 10, forwardPasses: 20, split: 'test', metrics: { accuracy: 0.55 } });
    expect(store.listEvals(run.id, 'validation').map((e) => e.metrics.loss)).toEqual([2, 1.5]);
    expect(store.listEvals(run.id)).toHaveLength(3);
  });
});

describe('config diff', () => {
  it('lists only the settings that differ, flattened to dotted keys', () => {
    const a = store.createRun(baseRun({ id: 'a' }));
    const b = store.createRun(
      baseRun({
        id: 'b',
        config: {
          optimizer: { lr: 1e-4, name: 'sgd' },
          eps: 1e-3,
          peft: { r: 8, target_modules: ['q_proj'] },
          seed: 3,
        },
      }),
    );
    expect(store.configDiff([a.id, b.id])).toEqual([
      { key: 'optimizer.lr', values: [1e-3, 1e-4], differs: true },
      { key: 'peft.target_modules', values: [['q_proj', 'v_proj'], ['q_proj']], differs: true },
      { key: 'seed', values: [undefined, 3], differs: true },
    ]);
    const all = store.configDiff([a.id, b.id], false);
    expect(all.find((row) => row.key === 'eps')).toEqual({
      key: 'eps',
      values: [1e-3, 1e-3],
      differs: false,
    });
  });
});
