// A full-parameter LOZO run through the real loop (TrainingManager, worker, checkpoints) perturbs via the
// engine's low-rank branch, yet everything it leaves behind is plain full mode: the checkpoint holds
// exactly full mode's tensors, and the merged export holds the checkpoint's weights and no branch input.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportRun } from '../../core/export/run-export.ts';
import { loadModel } from '../../core/models/load.ts';
import { planPeft } from '../../core/peft/plan.ts';
import { loadCheckpointWithFallback, type TrainingCheckpoint } from '../../core/train/checkpoint.ts';
import type { SummaryEvent, TrainingManager } from '../../core/train/manager.ts';
import {
  collectEvents,
  sherlockConfig,
  startManager,
  stopManager,
  stories260k,
  type TempHistory,
} from './helpers.ts';

let history: TempHistory;
let manager: TrainingManager;
let runId: string;
let summary: SummaryEvent;
let checkpoint: TrainingCheckpoint;
const events = collectEvents();

beforeAll(async () => {
  ({ history, manager } = startManager(events.listener));
  runId = manager.start(
    sherlockConfig({
      peft: { mode: 'full' },
      estimator: { id: 'lozo', settings: { eps: 1e-3, rank: 2, nu: 2 } },
      lr: 1e-3,
      batchSize: 4,
      budget: { steps: 4 },
      eval: { everySteps: 2, rows: 8 },
      checkpoint: { everySteps: 4, keep: 2 },
    }),
  );
  summary = await manager.waitForEnd(runId);
  const latest = history.store.latestCheckpoint(runId);
  if (!latest) throw new Error(`run ${runId} left no checkpoint (${summary.status}: ${summary.message})`);
  checkpoint = loadCheckpointWithFallback(latest.path).checkpoint;
});

afterAll(() => stopManager(history, manager));

describe('a full-mode LOZO run on the low-rank branch', () => {
  it('trains and validates', () => {
    expect(summary, summary.message).toMatchObject({ status: 'completed', steps: 4 });
    const initial = summary.metrics.val_loss_initial as number;
    const final = summary.metrics.val_loss_final as number;
    expect(Number.isFinite(final)).toBe(true);
    // lr 1e-3 moves the weights enough to change the validation loss (else the checks below prove little).
    expect(Math.abs(final - initial)).toBeGreaterThan(1e-4);
  });

  it('reports and checkpoints exactly full mode parameters', async () => {
    const model = await loadModel(stories260k);
    const full = planPeft(model, { kind: 'full' }).trainables;
    const started = (events.byRun.get(runId) ?? []).find((e) => e.kind === 'started');
    const count = full.reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1), 0);
    expect(started).toMatchObject({ trainableParameters: count });
    expect(checkpoint.step).toBe(4);
    expect(checkpoint.params.map((p) => [p.name, p.shape])).toEqual(full.map((t) => [t.name, t.shape]));
  });

  it('exports merged weights equal to the checkpoint, with no branch tensors', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'zo-lowrank-export-'));
    try {
      await exportRun(history.store, { runId, format: 'merged', outDir: out, overwrite: true });
      const exported = await loadModel(out);
      const names = [...exported.weights.tensors.keys()];
      expect(names.filter((name) => name.includes('lowrank'))).toEqual([]);
      for (const param of checkpoint.params) {
        expect(exported.weights.readFloat32(param.name), param.name).toEqual(param.data);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
