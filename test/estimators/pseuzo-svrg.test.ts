import { describe, expect, it } from 'vitest';
import { materialize } from '../../core/estimators/expand.ts';
import { createMezoSvrg, type MezoSvrgState } from '../../core/estimators/mezo-svrg/mezo-svrg.ts';
import { createMezo } from '../../core/estimators/mezo/mezo.ts';
import { pseuzoConfig } from '../../core/estimators/pseuzo/config.ts';
import { createPseuzo, pseuzoBeta, type PseuzoState } from '../../core/estimators/pseuzo/pseuzo.ts';
import type { Objective, Params } from '../../core/estimators/types.ts';
import { stepSeed } from '../../core/random/seed-sequence.ts';
import {
  AnalyticObjective,
  flatten,
  linear,
  linearModel,
  makeParams,
  norm2,
  testRandom,
} from './objectives.ts';

/**
 * Logistic loss on a linear model h(x) = A·x (outputs o = Ax, ℓ(o) = Σ log(1 + e^{−y·o})): non-quadratic,
 * so MeZO's central difference is biased at large ε while PseuZO's Δo/ε = Az is exact.
 */
function logistic(d: number, rows: number, seed: number) {
  const random = testRandom(seed);
  const A = Float64Array.from({ length: rows * d }, () => random() * 2 - 1);
  const y = Float64Array.from({ length: rows }, () => (random() < 0.5 ? -1 : 1));
  const outputs = (x: Float64Array) =>
    Float32Array.from({ length: rows }, (_, r) => {
      let s = 0;
      for (let i = 0; i < d; i++) s += (A[r * d + i] as number) * (x[i] as number);
      return s;
    });
  const loss = (o: ArrayLike<number>) => {
    let s = 0;
    for (let r = 0; r < rows; r++) s += Math.log1p(Math.exp(-(y[r] as number) * (o[r] as number)));
    return s;
  };
  const grad = (x: Float64Array) => {
    const o = outputs(x);
    const g = new Float64Array(d);
    for (let r = 0; r < rows; r++) {
      const e = -(y[r] as number) / (1 + Math.exp((y[r] as number) * (o[r] as number)));
      for (let i = 0; i < d; i++) g[i] = (g[i] as number) + e * (A[r * d + i] as number);
    }
    return g;
  };
  // The objective computes o in float64 (not through float32) so Δo/ε is exact up to θ's own rounding.
  const objective: Objective = {
    async evaluate(values, request) {
      const x = flatten(values);
      const o = outputs(x);
      return {
        value: loss(o),
        outputs: request?.outputs ? o : undefined,
        outputGrad: request?.outputGrad
          ? Float32Array.from(o, (v, r) => -(y[r] as number) / (1 + Math.exp((y[r] as number) * v)))
          : undefined,
      };
    },
  };
  return { objective, grad, loss: (x: Float64Array) => loss(outputs(x)) };
}

async function meanEstimate(
  estimate: (t: number) => Promise<Float32Array>,
  d: number,
  trials: number,
): Promise<Float64Array> {
  const mean = new Float64Array(d);
  for (let t = 0; t < trials; t++) {
    const g = await estimate(t);
    for (let i = 0; i < d; i++) mean[i] = (mean[i] as number) + (g[i] as number) / trials;
  }
  return mean;
}

describe('PseuZO', () => {
  const d = 6;
  const params: Params = makeParams({ x: [d] }, (i) => 0.3 * Math.sin(i + 1));
  const x = flatten(params.map((p) => p.data));
  const relErr = (a: Float64Array, b: Float64Array) =>
    Math.sqrt(norm2(a.map((v, i) => v - (b[i] as number))) / norm2(b));

  it('with W = 1 is unbiased for any ε (ε = 0.5), where MeZO at the same ε is not', async () => {
    const { objective, grad } = logistic(d, 12, 2);
    const truth = grad(x);
    const trials = 20000;
    const pseuzo = createPseuzo(pseuzoConfig.parse({ eps: 0.5, window: 1 }));
    const pseuzoMean = await meanEstimate(
      async (t) =>
        materialize(
          (await pseuzo.estimate({ objective, params, state: { window: [] }, step: t, seed: stepSeed(1, t) }))
            .estimate.terms[0] ?? [],
          0,
          d,
        ),
      d,
      trials,
    );
    const mezo = createMezo({ eps: 0.5, directions: 1 });
    const mezoMean = await meanEstimate(
      async (t) =>
        materialize(
          (await mezo.estimate({ objective, params, state: null, step: t, seed: stepSeed(1, t) })).estimate
            .terms[0] ?? [],
          0,
          d,
        ),
      d,
      trials,
    );
    // Monte-Carlo relative SE ≈ √((d+1)/trials) ≈ 0.019 for both.
    expect(relErr(pseuzoMean, truth)).toBeLessThan(0.05);
    expect(relErr(mezoMean, truth)).toBeGreaterThan(relErr(pseuzoMean, truth));
  });

  it('with a constant Jacobian has E[ĝ_t] = S·∇f, S = Σ_{k<min(t+1,W)} β^k (unnormalized sum)', async () => {
    const { objective, grad } = linearModel(d, 4, 8, 3);
    const p = makeParams({ 'linear.weight': [d, 4], 'linear.bias': [4] }, (i) => 0.1 * Math.cos(i));
    const xp = flatten(p.map((q) => q.data));
    const beta = 0.5;
    const window = 3;
    const steps = 5;
    const trials = 3000;
    const estimator = createPseuzo(pseuzoConfig.parse({ eps: 1e-2, window, beta }));
    const length = xp.length;
    const mean = new Float64Array(length);
    for (let trial = 0; trial < trials; trial++) {
      let state: PseuzoState = { window: [] };
      let last: Float64Array = new Float64Array(length);
      for (let t = 0; t < steps; t++) {
        const result = await estimator.estimate({
          objective,
          params: p,
          state,
          step: t,
          seed: stepSeed(1000 + trial, t),
        });
        state = result.state;
        expect(state.window.length).toBeLessThanOrEqual(window);
        if (t === steps - 1)
          last = flatten(p.map((q, i) => materialize(result.estimate.terms[i] ?? [], i, q.data.length)));
      }
      for (let i = 0; i < length; i++) mean[i] = (mean[i] as number) + (last[i] as number) / trials;
    }
    const S = 1 + beta + beta ** 2;
    const truth = grad(xp).map((g) => g * S);
    expect(relErr(mean, truth)).toBeLessThan(0.12);
  });

  it('normalization "ema" divides the window sum by S = Σβ^k', async () => {
    const { objective } = logistic(d, 9, 6);
    const run = async (normalization: 'sum' | 'ema') => {
      const estimator = createPseuzo(pseuzoConfig.parse({ window: 3, beta: 0.5, normalization }));
      let state: PseuzoState = { window: [] };
      let g: Float32Array = new Float32Array(d);
      for (let t = 0; t < 4; t++) {
        const result = await estimator.estimate({ objective, params, state, step: t, seed: t + 1 });
        state = result.state;
        g = materialize(result.estimate.terms[0] ?? [], 0, d);
      }
      return g;
    };
    const sum = await run('sum');
    const ema = await run('ema');
    for (let i = 0; i < d; i++) expect(ema[i]).toBeCloseTo((sum[i] as number) / 1.75, 5);
  });

  it('keeps at most W entries whose size does not depend on d', async () => {
    for (const d2 of [10, 1000]) {
      const { objective } = logistic(d2, 7, 4);
      const p = makeParams({ x: [d2] });
      const estimator = createPseuzo(pseuzoConfig.parse({ window: 3 }));
      let state: PseuzoState = { window: [] };
      for (let t = 0; t < 6; t++)
        state = (await estimator.estimate({ objective, params: p, state, step: t, seed: t })).state;
      expect(state.window).toHaveLength(3);
      expect(state.window.reduce((s, e) => s + e.deltaOutputs.byteLength, 0)).toBe(3 * 7 * 4);
    }
  });

  it('follows the reference cyclic β schedule, falling back to MeZO at β = 0', async () => {
    const config = pseuzoConfig.parse({ schedule: 'cyclic', epochSteps: 2, cycleEpochs: 13 });
    expect(pseuzoBeta(config, 0)).toEqual({ beta: 1, resets: true });
    expect(pseuzoBeta(config, 3).beta).toBeCloseTo(1 / 11);
    expect(pseuzoBeta(config, 2 * 11).beta).toBe(0);
    expect(pseuzoBeta(config, 2 * 13)).toEqual({ beta: 1, resets: true });
    const objective = new AnalyticObjective(linear(Float64Array.from({ length: d }, (_, i) => i)));
    const result = await createPseuzo(config).estimate({
      objective,
      params,
      state: { window: [] },
      step: 22,
      seed: 5,
    });
    expect(result.forwardPasses).toBe(2);
    expect(result.estimate.c).toBeDefined();
  });

  it('names the missing engine outputs when the objective cannot provide them', async () => {
    const objective = new AnalyticObjective(() => 1);
    await expect(
      createPseuzo(pseuzoConfig.parse({})).estimate({
        objective,
        params,
        state: { window: [] },
        step: 0,
        seed: 1,
      }),
    ).rejects.toThrow(/no outputs; PseuZO needs an engine that emits the final hidden states/);
  });
});

describe('MeZO-SVRG', () => {
  const { objective, value } = linearModel(4, 3, 8, 9);
  const shapes = { 'linear.weight': [4, 3], 'linear.bias': [3] };

  it('gives v = ḡ exactly at θ = θ̄ with the same batch', async () => {
    const params = makeParams(shapes, (i) => Math.sin(i));
    const estimator = createMezoSvrg({ eps: 1e-3, q: 5, anchorLrRatio: 1, anchor: 'large-batch' });
    const anchor = await estimator.estimate({
      objective,
      anchorObjective: objective,
      params,
      state: estimator.init(params) as MezoSvrgState,
      step: 0,
      seed: 11,
    });
    expect(anchor.forwardPasses).toBe(2);
    const next = await estimator.estimate({ objective, params, state: anchor.state, step: 1, seed: 12 });
    expect(next.forwardPasses).toBe(4);
    params.forEach((p, i) => {
      expect(materialize(next.estimate.terms[i] ?? [], i, p.data.length)).toEqual(
        materialize(anchor.estimate.terms[i] ?? [], i, p.data.length),
      );
    });
  });

  it('shrinks the control-variate difference as θ approaches θ̄', async () => {
    const params = makeParams(shapes, (i) => Math.sin(i));
    const estimator = createMezoSvrg({ eps: 1e-3, q: 100, anchorLrRatio: 1, anchor: 'minibatch' });
    const anchor = await estimator.estimate({
      objective,
      params,
      state: estimator.init(params) as MezoSvrgState,
      step: 0,
      seed: 11,
    });
    const differenceAt = async (offset: number) => {
      const moved = params.map((p) => ({
        ...p,
        data: Float32Array.from(p.data, (v, i) => v + offset * Math.cos(i)),
      }));
      const result = await estimator.estimate({
        objective,
        params: moved,
        state: anchor.state,
        step: 1,
        seed: 12,
      });
      return Math.abs((result.estimate.terms[0]?.[0] as { coef: number }).coef);
    };
    const far = await differenceAt(0.5);
    const near = await differenceAt(0.05);
    expect(near).toBeLessThan(far / 5);
    expect(value(flatten(params.map((p) => p.data)))).toBeGreaterThan(0);
  });

  it('demands a large-batch objective on anchor steps unless told to use the minibatch', async () => {
    const params = makeParams(shapes);
    const estimator = createMezoSvrg({ eps: 1e-3, q: 2, anchorLrRatio: 1, anchor: 'large-batch' });
    await expect(
      estimator.estimate({
        objective,
        params,
        state: estimator.init(params) as MezoSvrgState,
        step: 0,
        seed: 1,
      }),
    ).rejects.toThrow(/anchor steps need a large-batch objective/);
  });
});
