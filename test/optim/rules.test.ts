import { describe, expect, it } from 'vitest';
import { createEstimator } from '../../core/estimators/registry.ts';
import type { Estimate, Params } from '../../core/estimators/types.ts';
import { armijoStep } from '../../core/optim/line-search.ts';
import { createUpdateRule, listUpdateRules } from '../../core/optim/registry.ts';
import { decays } from '../../core/optim/weight-decay.ts';
import { gaussianArray } from '../../core/random/gaussian.ts';
import { Stream } from '../../core/random/streams.ts';
import { runSteps, startRun } from '../estimators/harness.ts';
import {
  AnalyticObjective,
  diagonalQuadratic,
  flatten,
  makeParams,
  rosenbrock,
} from '../estimators/objectives.ts';

const denseEstimate = (grads: Float32Array[], c?: number): Estimate => ({
  terms: grads.map((data) => [{ kind: 'dense', data, coef: 1 }]),
  c,
});

describe('update rules', () => {
  it('zo-adam matches a float64 reference Adam with bias correction', () => {
    const params = makeParams({ w: [4] }, (i) => i);
    const rule = createUpdateRule('zo-adam', { beta1: 0.8, beta2: 0.9, epsilon: 1e-6 });
    let state = rule.init(params);
    const theta = [0, 1, 2, 3];
    const m = [0, 0, 0, 0];
    const v = [0, 0, 0, 0];
    for (let t = 1; t <= 5; t++) {
      const g = Float32Array.from([t, -1, 0.5 * t, 2]);
      state = rule.apply(params, denseEstimate([g]), state, 0.1);
      for (let i = 0; i < 4; i++) {
        const gi = g[i] as number;
        m[i] = 0.8 * (m[i] as number) + 0.2 * gi;
        v[i] = 0.9 * (v[i] as number) + 0.1 * gi * gi;
        const mh = (m[i] as number) / (1 - 0.8 ** t);
        const vh = (v[i] as number) / (1 - 0.9 ** t);
        theta[i] = (theta[i] as number) - (0.1 * mh) / (Math.sqrt(vh) + 1e-6);
      }
    }
    for (let i = 0; i < 4; i++) expect(params[0]?.data[i]).toBeCloseTo(theta[i] as number, 5);
  });

  it('zo-sgd-momentum follows torch.optim.SGD: b ← βb + g, θ ← θ − ηb', () => {
    const params = makeParams({ w: [1] }, () => 1);
    const rule = createUpdateRule('zo-sgd-momentum', { beta: 0.5 });
    let state = rule.init(params);
    for (let t = 0; t < 3; t++) state = rule.apply(params, denseEstimate([Float32Array.of(1)]), state, 0.1);
    // b = 1, 1.5, 1.75 → θ = 1 − 0.1·(1 + 1.5 + 1.75)
    expect(params[0]?.data[0]).toBeCloseTo(1 - 0.425, 6);
  });

  it('zo-sign-scalar drops |c| and keeps the direction; zo-sign-elementwise steps by sign(ĝ)', () => {
    const z = gaussianArray(6, { seed: 3, stream: Stream.direction, tensor: 0, sample: 0 });
    const estimate: Estimate = {
      terms: [[{ kind: 'gaussian', seed: 3, stream: Stream.direction, sample: 0, coef: -7 }]],
      c: -7,
    };
    const a = makeParams({ w: [6] });
    createUpdateRule('zo-sign-scalar').apply(a, estimate, null, 0.1);
    for (let i = 0; i < 6; i++) expect(a[0]?.data[i]).toBeCloseTo(0.1 * (z[i] as number), 6);
    const b = makeParams({ w: [6] });
    createUpdateRule('zo-sign-elementwise').apply(b, estimate, null, 0.1);
    for (let i = 0; i < 6; i++) expect(b[0]?.data[i]).toBeCloseTo(0.1 * Math.sign(z[i] as number), 6);
    expect(() => createUpdateRule('zo-sign-scalar').apply(a, { terms: estimate.terms }, null, 0.1)).toThrow(
      /needs an estimate of the form c·d/,
    );
  });

  it('applies weight decay to weights but not to biases or norms', () => {
    expect(decays('model.layers.0.self_attn.q_proj.weight')).toBe(true);
    for (const name of [
      'linear.bias',
      'model.layers.0.input_layernorm.weight',
      'model.norm.weight',
      'ln_f.LayerNorm.weight',
    ])
      expect(decays(name)).toBe(false);
    const params: Params = makeParams({ 'fc.weight': [2], 'fc.bias': [2] }, () => 1);
    createUpdateRule('zo-sgd', { weightDecay: 0.5 }).apply(
      params,
      denseEstimate([new Float32Array(2), new Float32Array(2)]),
      null,
      0.1,
    );
    expect(Array.from(params[0]?.data ?? [])).toEqual([0.949999988079071, 0.949999988079071]);
    expect(Array.from(params[1]?.data ?? [])).toEqual([1, 1]);
  });

  it('scales the step by the estimate lrScale (MeZO-SVRG anchors)', () => {
    const params = makeParams({ w: [1] });
    createUpdateRule('zo-sgd').apply(
      params,
      { ...denseEstimate([Float32Array.of(1)]), lrScale: 3 },
      null,
      0.1,
    );
    expect(params[0]?.data[0]).toBeCloseTo(-0.3, 6);
  });

  it('rejects unknown rules and bad settings by name', () => {
    expect(() => createUpdateRule('zo-lion')).toThrow(
      /unknown update rule "zo-lion"; expected one of: zo-sgd, zo-sgd-momentum/,
    );
    expect(() => createUpdateRule('zo-adam', { beta1: 2 })).toThrow(
      /update rule zo-adam: invalid settings: beta1:/,
    );
    expect(() => createUpdateRule('zo-sgd', { lr: 1 })).toThrow(/Unrecognized key/);
    expect(listUpdateRules().map((r) => r.id)).toEqual([
      'zo-sgd',
      'zo-sgd-momentum',
      'zo-adam',
      'zo-sign-scalar',
      'zo-sign-elementwise',
      'zo-sgd-cons',
    ]);
  });
});

describe('convergence on Rosenbrock', () => {
  for (const [estimatorId, ruleId, lr] of [
    ['mezo', 'zo-adam', 0.02],
    ['orthogonal', 'zo-adam', 0.02],
    ['mezo', 'zo-sgd-momentum', 2e-4],
  ] as const) {
    it(`${estimatorId} + ${ruleId} gets from (−1.2, 1) close to the minimum (1, 1)`, async () => {
      const estimator = createEstimator(estimatorId, {
        eps: 1e-4,
        ...(estimatorId === 'orthogonal' ? { directions: 2 } : {}),
      });
      const rule = createUpdateRule(ruleId);
      const run = startRun(
        estimator,
        rule,
        makeParams({ x: [2] }, (i) => (i === 0 ? -1.2 : 1)),
      );
      const objective = new AnalyticObjective(rosenbrock);
      const start = rosenbrock(flatten(run.params.map((p) => p.data)));
      await runSteps(estimator, rule, run, objective, 4000, lr);
      const end = rosenbrock(flatten(run.params.map((p) => p.data)));
      expect(start).toBeCloseTo(24.2, 3);
      expect(end).toBeLessThan(0.1);
    });
  }
});

describe('Armijo line search', () => {
  // Non-dyadic curvatures, so no backtracked step (a power of ½) can zero a coordinate exactly.
  const h = Float64Array.from([1.3, 2.7, 3.1, 5.9]);
  const xStar = Float64Array.from([1, -1, 0.5, 2]);
  const { f, grad } = diagonalQuadratic(h, xStar);

  it('with exact gradients accepts only Armijo steps and decreases f monotonically to tolerance', async () => {
    let x: Float64Array = new Float64Array(4);
    let fx = f(x);
    let step = 1;
    for (let k = 0; k < 200 && fx > 1e-10; k++) {
      const g = grad(x);
      const result = await armijoStep(f, x, fx, g, step);
      expect(result.accepted).toBe(true);
      const gg = g.reduce((s, v) => s + v * v, 0);
      expect(result.value).toBeLessThanOrEqual(fx - 1e-4 * result.step * gg);
      expect(result.value).toBeLessThan(fx);
      ({ x, value: fx, nextStep: step } = result);
    }
    expect(fx).toBeLessThan(1e-10);
  });

  it('with bounded noise reaches a neighbourhood that shrinks with the noise level', async () => {
    const finalValue = async (noise: number) => {
      let phase = 0;
      const noisy = (x: Float64Array) => f(x) + noise * Math.sin(12.9898 * ++phase);
      let x: Float64Array = new Float64Array(4);
      let fx = noisy(x);
      let step = 1;
      for (let k = 0; k < 300; k++) {
        const result = await armijoStep(noisy, x, fx, grad(x), step, { noise });
        ({ x, value: fx, nextStep: step } = result);
        if (!result.accepted) step = 1;
      }
      return f(x);
    };
    const loud = await finalValue(1e-2);
    const quiet = await finalValue(1e-5);
    expect(loud).toBeLessThan(0.5);
    expect(quiet).toBeLessThan(loud);
    expect(quiet).toBeLessThan(1e-3);
  });
});
