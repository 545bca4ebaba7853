// Estimators on the real tiny Llama (fixtures/models/stories260k) and real text (fixtures/datasets/
// sherlock), through the training session's engine and minibatch objectives: the same objects the
// training loop uses, driven by the loop's own step (core/optim/zo-step.ts) within a forward-pass budget.
import path from 'node:path';
import { createEstimator } from '../../core/estimators/registry.ts';
import type { Params } from '../../core/estimators/types.ts';
import { createUpdateRule } from '../../core/optim/registry.ts';
import { forwardPassesPerStep, zoStep } from '../../core/optim/zo-step.ts';
import { RunConfigSchema } from '../../core/train/config.ts';
import { DataOrder } from '../../core/train/data-order.ts';
import { openTrainingSession, type TrainingSession } from '../../core/train/session.ts';

export const fixtures = path.resolve(import.meta.dirname, '../../../shared/fixtures');
const sherlock = path.join(fixtures, 'datasets/sherlock');

export type PeftMode = 'lora' | 'full';

/** A session on stories260k + sherlock; small shapes so a whole estimator matrix runs in a minute. */
export function openSherlock(
  mode: PeftMode,
  {
    maxLength = 32,
    batchSize = 8,
    validationRows = 32,
    trainRows = 256,
    estimator = 'mezo',
    // The settings matter to the engine too: a low-rank estimator's rank sizes full mode's graph branch.
    settings = {} as Record<string, unknown>,
    ep = 'cpu' as 'cpu' | 'webgpu',
    optimizer = 'zo-sgd',
  } = {},
): Promise<TrainingSession> {
  return openTrainingSession(
    RunConfigSchema.parse({
      model: path.join(fixtures, 'models/stories260k'),
      data: {
        train: path.join(sherlock, 'train.jsonl'),
        validation: path.join(sherlock, 'validation.jsonl'),
        task: 'lm',
        maxLength,
        trainRows,
      },
      // The estimator id matters to the engine: PseuZO's session also emits hidden states and their gradient.
      estimator: { id: estimator, settings },
      optimizer: { id: optimizer, settings: {} },
      peft: mode === 'lora' ? { mode: 'lora', rank: 8, alpha: 16 } : { mode: 'full' },
      lr: 1e-3,
      budget: { steps: 1 },
      batchSize,
      eval: { everySteps: 1, rows: validationRows },
      seed: 0,
      ep,
      threads: 1,
    }),
  );
}

export interface BudgetRun {
  before: number;
  after: number;
  steps: number;
  forwardPasses: number;
}

/** Trains from the session's initial parameters until `budget` forward passes are spent. */
export async function runWithinBudget(
  session: TrainingSession,
  estimatorId: string,
  settings: Record<string, unknown>,
  lr: number,
  budget: number,
  seed: number,
  batchSize = 8,
  ruleId = 'zo-sgd',
): Promise<BudgetRun> {
  const estimator = createEstimator(estimatorId, settings);
  const rule = createUpdateRule(ruleId);
  const params: Params = session.initialParams();
  const order = new DataOrder(session.trainRows, batchSize, seed);
  const state = { params, estimatorState: estimator.init(params), optimizerState: rule.init(params) };
  const perStep = forwardPassesPerStep(estimator, rule);
  const before = (await session.evaluate(params)).loss as number;
  let forwardPasses = 0;
  let step = 0;
  while (forwardPasses + perStep <= budget) {
    const { objective } = session.trainBatch(order.batch(step));
    forwardPasses += (await zoStep(state, { estimator, rule, objective, step, runSeed: seed, lr }))
      .forwardPasses;
    step++;
  }
  const after = (await session.evaluate(params)).loss as number;
  return { before, after, steps: step, forwardPasses };
}

/** One row per estimator with the learning rate and ε of estimators.md §10 (stories260k, ZO-SGD). */
export const SHERLOCK_CASES: Record<
  PeftMode,
  { id: string; settings: Record<string, unknown>; lr: number }[]
> = {
  lora: [
    { id: 'mezo', settings: { eps: 1e-2 }, lr: 1e-3 },
    { id: 'orthogonal', settings: { eps: 1e-2, directions: 5 }, lr: 1e-2 },
    // Interpolation returns the projection of ∇f onto N orthonormal directions (E = (N/d)·∇f), so its
    // learning rate is on a d/N larger scale than the unbiased estimators'.
    { id: 'interpolation', settings: { eps: 1e-2, directions: 5 }, lr: 2 },
    { id: 'lozo', settings: { eps: 1e-2, rank: 2, nu: 50 }, lr: 1e-3 },
    { id: 'lozo-m', settings: { eps: 1e-2, rank: 2, nu: 50, beta: 0.9 }, lr: 1e-3 },
    { id: 'subzero', settings: { eps: 1e-2, rank: 8, refresh: 50, peftReshape: true }, lr: 1e-3 },
    { id: 'pseuzo', settings: { eps: 1e-2, window: 14, beta: 0.9 }, lr: 1e-3 },
    { id: 'mezo-svrg', settings: { eps: 1e-2, q: 2, anchor: 'minibatch' }, lr: 1e-3 },
  ],
  full: [
    { id: 'mezo', settings: { eps: 1e-3 }, lr: 1e-4 },
    { id: 'orthogonal', settings: { eps: 1e-3, directions: 5 }, lr: 3e-4 },
    { id: 'interpolation', settings: { eps: 1e-3, directions: 5 }, lr: 10 },
    { id: 'lozo', settings: { eps: 1e-3, rank: 2, nu: 50 }, lr: 1e-4 },
    { id: 'lozo-m', settings: { eps: 1e-3, rank: 2, nu: 50, beta: 0.9 }, lr: 1e-4 },
    { id: 'subzero', settings: { eps: 1e-3, rank: 8, refresh: 50 }, lr: 1e-4 },
    { id: 'pseuzo', settings: { eps: 1e-3, window: 14, beta: 0.9 }, lr: 3e-5 },
    { id: 'mezo-svrg', settings: { eps: 1e-3, q: 2, anchor: 'minibatch' }, lr: 1e-4 },
  ],
};
