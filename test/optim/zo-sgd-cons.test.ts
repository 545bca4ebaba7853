// ZO-SGD-Cons on the real stories260k model and Sherlock text: through the training session's
// minibatch objectives (the step keeps exactly the point it evaluated, and the loss it keeps never
// exceeds the batch's loss at θ), within a forward-pass budget (validation loss drops), and through the
// real training loop (5 forward passes per step in every count, a fork from a checkpoint continues the
// run bit for bit). The analytic properties are in zo-step.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEstimator } from '../../core/estimators/registry.ts';
import { createUpdateRule, listUpdateRules } from '../../core/optim/registry.ts';
import { zoStep } from '../../core/optim/zo-step.ts';
import { estimateRun } from '../../core/server/run-estimate.ts';
import { RunConfigSchema } from '../../core/train/config.ts';
import { DataOrder } from '../../core/train/data-order.ts';
import type { TrainingSession } from '../../core/train/session.ts';
import { openSherlock, runWithinBudget } from '../estimators/real-model.ts';
import { collectEvents, sherlockConfig, startManager, stopManager } from '../train/helpers.ts';

describe('ZO-SGD-Cons on stories260k / sherlock, LoRA', () => {
  let session: TrainingSession;
  beforeAll(async () => {
    session = await openSherlock('lora');
  });
  afterAll(() => session.dispose());

  it('keeps the evaluated point, whose batch loss never exceeds the loss at θ', async () => {
    const estimator = createEstimator('mezo', { eps: 1e-2 });
    const rule = createUpdateRule('zo-sgd-cons');
    const params = session.initialParams();
    const state = { params, estimatorState: estimator.init(params), optimizerState: rule.init(params) };
    const order = new DataOrder(session.trainRows, 8, 2);
    const kept = new Set<number>();
    // lr 1e-2 is 10× §10's MeZO-LoRA rate: some descent steps raise the batch loss and are refused.
    const lr = 1e-2;
    for (let step = 0; step < 8; step++) {
      const { objective } = session.trainBatch(order.batch(step));
      const values = () => params.map((p) => p.data);
      const before = (await objective.evaluate(values())).value;
      const outcome = await zoStep(state, { estimator, rule, objective, step, runSeed: 2, lr });
      if (!outcome.applied || !outcome.policy) throw new Error('zo-sgd-cons always applies its policy');
      expect(outcome.forwardPasses).toBe(5);
      expect(outcome.policy.loss).toBeLessThanOrEqual(before);
      // Applied by the same sweep that built the evaluated candidate: the very same loss, bit for bit.
      expect((await objective.evaluate(values())).value).toBe(outcome.policy.loss);
      kept.add(outcome.appliedLr);
    }
    expect([...kept].sort()).toEqual([0, lr]);
  });

  it('lowers validation loss within 150 forward passes (30 steps of 5)', async () => {
    const run = await runWithinBudget(session, 'mezo', { eps: 1e-2 }, 1e-3, 150, 1, 8, 'zo-sgd-cons');
    expect(run).toMatchObject({ steps: 30, forwardPasses: 150 });
    expect(run.after).toBeLessThan(run.before - 0.01);
  });
});

describe('ZO-SGD-Cons in the training loop', () => {
  it('spends 5 forward passes per step in budgets and counts, and resumes bit for bit', async () => {
    const events = collectEvents();
    const { history, manager } = startManager(events.listener);
    const series = (runId: string, name: string): [number, number][] =>
      history.store.metricSeries(runId, name).map((point) => [point.step, point.value]);
    try {
      const config = sherlockConfig({
        optimizer: { id: 'zo-sgd-cons', settings: {} },
        // 32 forward passes pay for 6 whole steps of 5.
        budget: { forwardPasses: 32 },
        eval: { everySteps: 3, rows: 4 },
        checkpoint: { everySteps: 2, keep: 10 },
      });
      const runId = manager.start(config);
      const summary = await manager.waitForEnd(runId);
      expect(summary, summary.message).toMatchObject({ status: 'completed', steps: 6, forwardPasses: 30 });
      const runEvents = events.byRun.get(runId) ?? [];
      expect(runEvents.find((e) => e.kind === 'started')).toMatchObject({
        totalSteps: 6,
        forwardPassesPerStep: 5,
      });
      const stepPasses = runEvents.flatMap((e) => (e.kind === 'step' ? [e.forwardPasses] : []));
      expect(stepPasses).toEqual([5, 10, 15, 20, 25, 30]);

      const forkId = manager.fork(runId, 2);
      const forked = await manager.waitForEnd(forkId);
      expect(forked).toMatchObject({ status: 'completed', steps: 6, forwardPasses: 30 });
      const trainLoss = series(runId, 'train_loss');
      expect(trainLoss.map(([step]) => step)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(series(forkId, 'train_loss')).toEqual(trainLoss.slice(2));
      // Evaluated at steps 3 and 6 (every 3): the fork's step-6 validation loss is the parent's.
      expect(series(runId, 'val_loss').at(-1)?.[0]).toBe(6);
      expect(series(forkId, 'val_loss').at(-1)).toEqual(series(runId, 'val_loss').at(-1));
      expect(forked.metrics.val_loss_final).toEqual(expect.any(Number));
      expect(forked.metrics.val_loss_final).toBe(summary.metrics.val_loss_final);
    } finally {
      await stopManager(history, manager);
    }
  });
});

describe('ZO-SGD-Cons in the listing and the cost estimate', () => {
  it('lists its extra forward passes, paper and help like every rule', () => {
    const rules = listUpdateRules();
    expect(rules.find((rule) => rule.id === 'zo-sgd-cons')).toMatchObject({
      name: 'ZO-SGD-Cons (conservative)',
      paper: expect.stringMatching(/ZO-Bench/),
      help: expect.stringMatching(/θ − ηĝ and θ \+ ηĝ/),
      extra_forward_passes_per_step: 3,
      state_floats_per_param: 0,
      defaults: {},
    });
    for (const rule of rules.filter((r) => r.id !== 'zo-sgd-cons'))
      expect(rule.extra_forward_passes_per_step).toBe(0);
  });

  it("is priced at 3 more forward passes per step by the Review step's estimate", async () => {
    const costOf = async (id: string) =>
      (
        await estimateRun(
          RunConfigSchema.parse(
            sherlockConfig({
              optimizer: { id, settings: {} },
              budget: { steps: 6 },
              eval: { everySteps: 3, rows: 4 },
            }),
          ),
        )
      ).forwardPasses;
    expect((await costOf('zo-sgd-cons')) - (await costOf('zo-sgd'))).toBe(6 * 3);
  });
});
