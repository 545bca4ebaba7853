// zoStep (core/optim/zo-step.ts) on analytic objectives: it is the estimate → judge → apply sequence
// the loop, the benchmarks and the real-model tests share, and ZO-SGD-Cons is built on it.
import { describe, expect, it } from 'vitest';
import { createEstimator } from '../../core/estimators/registry.ts';
import type { EstimateResult } from '../../core/estimators/types.ts';
import { createUpdateRule } from '../../core/optim/registry.ts';
import { forwardPassesPerStep, zoStep } from '../../core/optim/zo-step.ts';
import { cloneParams, runSteps, startRun } from '../estimators/harness.ts';
import { AnalyticObjective, diagonalQuadratic, makeParams, testRandom } from '../estimators/objectives.ts';

const SIZE = 24;
const random = testRandom(3);
const curvature = Float64Array.from({ length: SIZE }, () => 0.5 + 4 * random());
const minimum = Float64Array.from({ length: SIZE }, () => random() * 2 - 1);
const quadratic = diagonalQuadratic(curvature, minimum).f;
const startParams = () => makeParams({ w: [4, 4], b: [8] }, (i) => Math.sin(i) * 2);

describe('zoStep', () => {
  it('moves θ exactly as estimate then apply with the step seed, for a stateful rule', async () => {
    const estimator = createEstimator('mezo', { eps: 1e-3 });
    const rule = createUpdateRule('zo-adam');
    const objective = new AnalyticObjective(quadratic);
    const byHand = startRun(estimator, rule, startParams());
    await runSteps(estimator, rule, byHand, objective, 6, 0.05, 11);
    const stepped = startRun(estimator, rule, startParams());
    for (let step = 0; step < 6; step++) {
      const outcome = await zoStep(stepped, { estimator, rule, objective, step, runSeed: 11, lr: 0.05 });
      expect(outcome).toMatchObject({ applied: true, forwardPasses: 2, appliedLr: 0.05 });
    }
    stepped.params.forEach((p, i) => expect(p.data).toEqual(byHand.params[i]?.data));
    expect(stepped.optimizerState).toEqual(byHand.optimizerState);
  });

  it('asks beforeApply before anything changes, and a reason keeps θ and both states', async () => {
    const estimator = createEstimator('lozo-m', { eps: 1e-3, rank: 2, nu: 5, beta: 0.9 });
    const rule = createUpdateRule('zo-sgd-momentum');
    const objective = new AnalyticObjective(quadratic);
    const state = startRun(estimator, rule, startParams());
    await zoStep(state, { estimator, rule, objective, step: 0, runSeed: 1, lr: 0.01 });
    const params = cloneParams(state.params);
    const { estimatorState, optimizerState } = state;
    let seen: EstimateResult<unknown> | undefined;
    const outcome = await zoStep(state, {
      estimator,
      rule,
      objective,
      step: 1,
      runSeed: 1,
      lr: 0.01,
      beforeApply: (result) => {
        seen = result;
        // Judged before the update: θ is still the θ the estimate was taken at.
        state.params.forEach((p, i) => expect(p.data).toEqual(params[i]?.data));
        return 'loss too high';
      },
    });
    expect(outcome).toMatchObject({ applied: false, reason: 'loss too high', forwardPasses: 2 });
    expect(outcome.result).toBe(seen);
    state.params.forEach((p, i) => expect(p.data).toEqual(params[i]?.data));
    expect(state.estimatorState).toBe(estimatorState);
    expect(state.optimizerState).toBe(optimizerState);
  });

  it('bounds a step by the estimator when the rule has no step policy', () => {
    expect(forwardPassesPerStep(createEstimator('mezo', { directions: 2 }), createUpdateRule('zo-sgd'))).toBe(
      4,
    );
  });
});
