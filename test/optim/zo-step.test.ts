// zoStep (core/optim/zo-step.ts) on analytic objectives: it is the estimate → judge → apply sequence
// the loop, the benchmarks and the real-model tests share, and ZO-SGD-Cons (a step policy) is built on
// it. The real-model and training-loop checks of ZO-SGD-Cons are in zo-sgd-cons.test.ts.
import { describe, expect, it } from 'vitest';
import { createEstimator } from '../../core/estimators/registry.ts';
import type { EstimateResult } from '../../core/estimators/types.ts';
import { createUpdateRule } from '../../core/optim/registry.ts';
import { forwardPassesPerStep, zoStep, type ZoStepState } from '../../core/optim/zo-step.ts';
import { stepSeed } from '../../core/random/seed-sequence.ts';
import { cloneParams, startRun } from '../estimators/harness.ts';
import {
  AnalyticObjective,
  diagonalQuadratic,
  flatten,
  makeParams,
  testRandom,
} from '../estimators/objectives.ts';

const SIZE = 24;
const random = testRandom(3);
const curvature = Float64Array.from({ length: SIZE }, () => 0.5 + 4 * random());
const minimum = Float64Array.from({ length: SIZE }, () => random() * 2 - 1);
const quadratic = diagonalQuadratic(curvature, minimum).f;
const startParams = () => makeParams({ w: [4, 4], b: [8] }, (i) => Math.sin(i) * 2);
const valueAt = (state: ZoStepState) => quadratic(flatten(state.params.map((p) => p.data)));

describe('zoStep', () => {
  it('moves θ exactly as estimate then apply with the step seed, for a stateful rule', async () => {
    const estimator = createEstimator('mezo', { eps: 1e-3 });
    const rule = createUpdateRule('zo-adam');
    const objective = new AnalyticObjective(quadratic);
    // By hand: estimate with the step seed, then apply (the harness's runSteps is itself a zoStep).
    const byHand = startRun(estimator, rule, startParams());
    for (let step = 0; step < 6; step++) {
      const result = await estimator.estimate({
        objective,
        params: byHand.params,
        state: byHand.estimatorState,
        step,
        seed: stepSeed(11, step),
      });
      byHand.estimatorState = result.state;
      byHand.optimizerState = rule.apply(byHand.params, result.estimate, byHand.optimizerState, 0.05);
    }
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

  it("applies a plain lr of 0 (a warm-up start): the rule's state still advances", async () => {
    const estimator = createEstimator('mezo', { eps: 1e-3 });
    const rule = createUpdateRule('zo-adam');
    const state = startRun(estimator, rule, startParams());
    const initial = structuredClone(state.optimizerState);
    const objective = new AnalyticObjective(quadratic);
    await zoStep(state, { estimator, rule, objective, step: 0, runSeed: 1, lr: 0 });
    expect(state.optimizerState).not.toEqual(initial);
  });

  it("bounds a step by the estimator plus the rule's step policy", () => {
    const mezo = createEstimator('mezo', { directions: 2 });
    expect(forwardPassesPerStep(mezo, createUpdateRule('zo-sgd'))).toBe(4);
    expect(forwardPassesPerStep(mezo, createUpdateRule('zo-sgd-cons'))).toBe(7);
  });
});

describe('ZO-SGD-Cons', () => {
  // On d = 24 with curvatures 0.5-4.5 a step of lr 0.05 along c·z overshoots for some z and not for
  // others, so both the descent step and staying at θ get chosen.
  const lr = 0.05;

  it('never raises the batch loss, keeps the point it evaluated, and costs 5 forward passes with MeZO', async () => {
    const estimator = createEstimator('mezo', { eps: 1e-3 });
    const rule = createUpdateRule('zo-sgd-cons');
    const objective = new AnalyticObjective(quadratic);
    const state = startRun(estimator, rule, startParams());
    const chosen = new Set<number>();
    for (let step = 0; step < 60; step++) {
      const before = valueAt(state);
      const calls = objective.calls;
      const outcome = await zoStep(state, { estimator, rule, objective, step, runSeed: 5, lr });
      if (!outcome.applied) throw new Error('no beforeApply, so every step applies');
      expect(outcome.forwardPasses).toBe(5);
      expect(objective.calls - calls).toBe(5);
      const after = valueAt(state);
      expect(after).toBeLessThanOrEqual(before);
      chosen.add(outcome.appliedLr);
    }
    // The ascent step never wins here: on a quadratic the central difference is exact, so c has the
    // gradient's sign (the policy test below hands it a wrong-signed estimate).
    expect([...chosen].sort()).toEqual([0, lr]);
    expect(forwardPassesPerStep(estimator, rule)).toBe(5);
  });

  it('is what keeps the loss from rising: plain ZO-SGD at the same lr and seeds raises it on some steps', async () => {
    const estimator = createEstimator('mezo', { eps: 1e-3 });
    const rule = createUpdateRule('zo-sgd');
    const objective = new AnalyticObjective(quadratic);
    const state = startRun(estimator, rule, startParams());
    let rises = 0;
    for (let step = 0; step < 60; step++) {
      const before = valueAt(state);
      await zoStep(state, { estimator, rule, objective, step, runSeed: 5, lr });
      if (valueAt(state) > before) rises++;
    }
    expect(rises).toBeGreaterThan(0);
  });

  it('evaluates exactly the candidates it applies (bit for bit) and applies lrScale', async () => {
    const rule = createUpdateRule('zo-sgd-cons');
    const objective = new AnalyticObjective(quadratic, undefined, true);
    const params = startParams();
    // A dense estimate with an lr multiplier, as MeZO-SVRG's anchor steps hand over.
    const g = params.map((p) => Float32Array.from(p.data, (v, i) => Math.cos(v + i)));
    const estimate = { terms: g.map((data) => [{ kind: 'dense' as const, data, coef: 1 }]), lrScale: 2 };
    const choice = await rule.policy?.choose({ objective, params, estimate, lr: 0.05 });
    expect(choice?.forwardPasses).toBe(3);
    const [stay, descent, ascent] = objective.points;
    expect(stay).toEqual(flatten(params.map((p) => p.data)));
    const expected = (sign: number) =>
      flatten(
        params.map((p, t) => Float32Array.from(p.data, (v, i) => v + sign * 0.1 * (g[t]?.[i] as number))),
      );
    expect(descent).toEqual(expected(-1));
    expect(ascent).toEqual(expected(1));
    const losses = [stay, descent, ascent].map((x) => quadratic(x as Float64Array));
    expect(choice?.loss).toBe(Math.min(...losses));
    rule.apply(params, estimate, null, choice?.lr as number);
    expect(flatten(params.map((p) => p.data))).toEqual(objective.points[losses.indexOf(Math.min(...losses))]);
  });

  it('takes the ascent step when the estimate points uphill', async () => {
    const rule = createUpdateRule('zo-sgd-cons');
    const objective = new AnalyticObjective(quadratic);
    const params = startParams();
    const gradient = diagonalQuadratic(curvature, minimum).grad(flatten(params.map((p) => p.data)));
    let offset = 0;
    const uphill = params.map((p) => {
      const data = Float32Array.from(p.data, (_, i) => -(gradient[offset + i] as number));
      offset += p.data.length;
      return [{ kind: 'dense' as const, data, coef: 1 }];
    });
    const choice = await rule.policy?.choose({ objective, params, estimate: { terms: uphill }, lr: 0.01 });
    expect(choice?.lr).toBe(-0.01);
    expect(choice?.loss).toBeLessThan(quadratic(flatten(params.map((p) => p.data))));
  });

  it('never picks a NaN candidate', async () => {
    const rule = createUpdateRule('zo-sgd-cons');
    // Finite only at θ: both steps evaluate to NaN, so θ stays.
    const start = flatten(startParams().map((p) => p.data));
    const objective = new AnalyticObjective((x) => (x.every((v, i) => v === start[i]) ? 1 : NaN));
    const params = startParams();
    const estimate = {
      terms: params.map((p) => [{ kind: 'dense' as const, data: p.data.map(() => 1), coef: 1 }]),
    };
    expect(await rule.policy?.choose({ objective, params, estimate, lr: 0.1 })).toEqual({
      lr: 0,
      loss: 1,
      forwardPasses: 3,
    });
  });
});
