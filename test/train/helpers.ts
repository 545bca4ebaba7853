// Shared by the training tests: fixture paths, a small real run config (stories260k on Sherlock
// Holmes text), and a run history in a temp folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunConfigInput } from '../../core/train/config.ts';
import type { RunEvent } from '../../core/train/events.ts';
import { TrainingManager } from '../../core/train/manager.ts';
import { RunStore } from '../../core/store/run-store.ts';

export const fixtures = path.resolve(import.meta.dirname, '../../../shared/fixtures');
export const stories260k = path.join(fixtures, 'models/stories260k');
export const sherlock = path.join(fixtures, 'datasets/sherlock');
export const sst2 = path.join(fixtures, 'datasets/sst2');

/** A run of a few seconds: LoRA on stories260k, short sequences, few rows (loading dominates otherwise). */
export function sherlockConfig(overrides: Partial<RunConfigInput> = {}): RunConfigInput {
  return {
    model: stories260k,
    data: {
      train: path.join(sherlock, 'train.jsonl'),
      validation: path.join(sherlock, 'validation.jsonl'),
      task: 'lm',
      maxLength: 32,
      trainRows: 64,
    },
    peft: { mode: 'lora', rank: 4, alpha: 8 },
    estimator: { id: 'mezo', settings: { eps: 1e-2 } },
    lr: 3e-3,
    budget: { steps: 40 },
    batchSize: 4,
    eval: { everySteps: 20, rows: 16 },
    checkpoint: { everySteps: 10, keep: 10 },
    seed: 7,
    threads: 1,
    ...overrides,
  };
}

export interface TempHistory {
  store: RunStore;
  dir: string;
  dbPath: string;
  dispose(): void;
}

export function tempHistory(): TempHistory {
  const dir = mkdtempSync(path.join(tmpdir(), 'zo-train-test-'));
  const dbPath = path.join(dir, 'runs.sqlite');
  const store = RunStore.open(dbPath);
  return {
    store,
    dir,
    dbPath,
    dispose() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Collects every event a manager delivers, per run. */
export function collectEvents(): {
  byRun: Map<string, RunEvent[]>;
  listener: (runId: string, events: readonly RunEvent[]) => void;
} {
  const byRun = new Map<string, RunEvent[]>();
  return {
    byRun,
    listener: (runId, events) => {
      const list = byRun.get(runId) ?? [];
      list.push(...events);
      byRun.set(runId, list);
    },
  };
}

/**
 * A TrainingManager over a fresh temporary history, for one test file. Interval 0: every event is
 * delivered at once, so the tests can act at a chosen step.
 */
export function startManager(listener: ReturnType<typeof collectEvents>['listener']): {
  history: TempHistory;
  manager: TrainingManager;
} {
  const history = tempHistory();
  const manager = new TrainingManager({ store: history.store, progressIntervalMs: 0 });
  manager.subscribe(listener);
  return { history, manager };
}

/** Stops the manager's runs, then closes and deletes its history. */
export async function stopManager(history: TempHistory, manager: TrainingManager): Promise<void> {
  await manager.shutdown();
  history.dispose();
}
