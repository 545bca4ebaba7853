// Fixture paths and a small, fast run config over them (stories260k + SST-2), shared by the server
// and e2e tests.
import { join, resolve } from 'node:path';
import type { RunConfigInput } from '../../core/train/config.ts';

export const fixturesDir = resolve(import.meta.dirname, '../../../shared/fixtures');
export const stories260k = join(fixturesDir, 'models/stories260k');
export const sst2Train = join(fixturesDir, 'datasets/sst2/train.jsonl');
export const sst2Validation = join(fixturesDir, 'datasets/sst2/validation.jsonl');

/** A few steps with small batches: a whole run takes seconds on a busy 2-core machine. */
export function quickRun(overrides: Partial<RunConfigInput> = {}): RunConfigInput {
  return {
    name: 'quick mezo',
    model: stories260k,
    data: { train: sst2Train, validation: sst2Validation, task: 'sst2', trainRows: 64 },
    lr: 1e-3,
    budget: { steps: 6 },
    batchSize: 4,
    eval: { everySteps: 3, rows: 8 },
    checkpoint: { everySteps: 3, keep: 2 },
    seed: 1,
    ...overrides,
  };
}
