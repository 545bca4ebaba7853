import { describe, expect, it } from 'vitest';
import { clearDirectionCache } from '../../core/estimators/direction-cache.ts';
import { materialize } from '../../core/estimators/expand.ts';
import { createMezo } from '../../core/estimators/mezo/mezo.ts';
import { createZoSgd } from '../../core/optim/rules/zo-sgd.ts';
import { gaussianArray } from '../../core/random/gaussian.ts';
import { stepSeed } from '../../core/random/seed-sequence.ts';
import { Stream } from '../../core/random/streams.ts';
import { runSteps, startRun } from './harness.ts';
import {
  AnalyticObjective,
  diagonalQuadratic,
  flatten,
  linear,
  makeParams,
  norm2,
  testRandom,
} from './objectives.ts';

const shapes = { 'layer.weight': [3, 4], 'layer.bias': [4], extra: [5] };

describe('MeZO / SPSA', () => {
  it('runs 2n forward passes, leaves θ untouched and applies exactly the evaluated direction', async () => {
    const params = makeParams(shapes, (i) => Math.sin(i));
    const before = flatten(params.map((p) => p.data));
    const a = Float64Array.from({ length: 21 }, (_, i) => i - 10);
    const objective = new AnalyticObjective(linear(a), undefined, true);
    const eps = 1e-2;
    const result = await createMezo({ eps, directions: 3 }).estimate({
      objective,
      params,
      state: null,
      step: 0,
      seed: 99,
    });
    expect(result.forwardPasses).toBe(6);
    expect(objective.calls).toBe(6);
    expect(flatten(params.map((p) => p.data))).toEqual(before);
    // Direction j evaluated = (θ+εz − (θ−εz))/(2ε); the estimate's j-th term regenerates that z.
    for (let j = 0; j < 3; j++) {
      const plus = objective.points[2 * j] as Float64Array;
      const minus = objective.points[2 * j + 1] as Float64Array;
      const applied = flatten(
        params.map((p, tensor) =>
          gaussianArray(p.data.length, { seed: 99, stream: Stream.direction, tensor, sample: j }),
        ),
      );
      for (let i = 0; i < applied.length; i++) {
        expect(((plus[i] as number) - (minus[i] as number)) / (2 * eps)).toBeCloseTo(applied[i] as number, 4);
      }
    }
    expect(result.estimate.c).toBeUndefined();
  });

  it('is unbiased with E‖ĝ − ∇f‖² = (d+1)/n·‖∇f‖² (Gaussian n-SPSA, linear f)', async () => {
    const params = makeParams({ w: [12] }, () => 0.5);
    const random = testRandom(3);
    const a = Float64Array.from({ length: 12 }, () => random() * 2 - 1);
    const objective = new AnalyticObjective(linear(a));
    for (const n of [1, 4]) {
      const estimator = createMezo({ eps: 1e-1, directions: n });
      const trials = 3000;
      const mean = new Float64Array(12);
      let sq = 0;
      for (let t = 0; t < trials; t++) {
        const seed = stepSeed(11 + n, t);
        const { estimate } = await estimator.estimate({ objective, params, state: null, step: t, seed });
        const g = materialize(estimate.terms[0] ?? [], 0, 12);
        for (let i = 0; i < 12; i++) mean[i] = (mean[i] as number) + (g[i] as number) / trials;
        sq += norm2(g.map((gi, i) => gi - (a[i] as number)));
        clearDirectionCache();
      }
      const expected = ((12 + 1) / n) * norm2(a);
      expect(sq / trials / expected).toBeGreaterThan(0.9);
      expect(sq / trials / expected).toBeLessThan(1.1);
      // Mean error: E‖mean − a‖² = expected/trials; allow 4× (a χ²₁₂ tail far beyond p = 1e-6).
      expect(norm2(mean.map((m, i) => m - (a[i] as number)))).toBeLessThan((4 * expected) / trials);
    }
  });

  it('memory-free n-SPSA gives exactly the θ of explicitly averaging the n stored z (bit-exact)', async () => {
    const params = makeParams({ w: [50] }, (i) => Math.cos(i));
    const a = Float64Array.from({ length: 50 }, (_, i) => (i % 7) - 3);
    const eps = 1e-3;
    const lr = 0.01;
    const n = 4;
    const run = startRun(createMezo({ eps, directions: n }), createZoSgd({ weightDecay: 0 }), params);
    const logs = await runSteps(
      createMezo({ eps, directions: n }),
      createZoSgd({ weightDecay: 0 }),
      run,
      new AnalyticObjective(linear(a)),
      1,
      lr,
    );
    // Explicit: store each z_j, evaluate the same ± points, average, update — mirroring float32 rounding.
    const theta = Float32Array.from(params[0]?.data ?? []);
    const f = linear(a);
    const sum = new Float32Array(50);
    for (let j = 0; j < n; j++) {
      const z = gaussianArray(50, {
        seed: logs[0]?.seed ?? 0,
        stream: Stream.direction,
        tensor: 0,
        sample: j,
      });
      const plus = Float32Array.from(theta, (t, i) => t + eps * (z[i] as number));
      const minus = Float32Array.from(theta, (t, i) => t + -eps * (z[i] as number));
      const c = (f(Float64Array.from(plus)) - f(Float64Array.from(minus))) / (2 * eps);
      for (let i = 0; i < 50; i++) sum[i] = (sum[i] as number) + (c / n) * (z[i] as number);
    }
    const expected = Float32Array.from(theta, (t, i) => t - lr * ((sum[i] as number) + 0 * t));
    expect(run.params[0]?.data).toEqual(expected);
  });

  it('repeats bit-identically for a seed and differs for another', async () => {
    const objective = new AnalyticObjective(linear(Float64Array.from({ length: 21 }, (_, i) => i)));
    const trajectory = async (runSeed: number) => {
      const estimator = createMezo({ eps: 1e-3, directions: 2 });
      const run = startRun(
        estimator,
        createZoSgd({ weightDecay: 0.1 }),
        makeParams(shapes, (i) => i / 10),
      );
      await runSteps(estimator, createZoSgd({ weightDecay: 0.1 }), run, objective, 5, 1e-3, runSeed);
      return flatten(run.params.map((p) => p.data));
    };
    const first = await trajectory(1);
    clearDirectionCache();
    expect(await trajectory(1)).toEqual(first);
    expect(await trajectory(2)).not.toEqual(first);
  });

  it('meets the descent bound E f(θ_T) − f* ≤ (1 − μ/(L(d+2)))^T (f(θ_0) − f*) on a quadratic', async () => {
    const d = 10;
    const h = Float64Array.from({ length: d }, (_, i) => 1 + i / 3); // μ = 1, L = 4
    const xStar = Float64Array.from({ length: d }, (_, i) => Math.sin(i));
    const { f } = diagonalQuadratic(h, xStar);
    const objective = new AnalyticObjective(f);
    const lr = 1 / (4 * (d + 2));
    const steps = 150;
    const f0 = f(new Float64Array(d));
    let mean = 0;
    const seeds = 20;
    for (let s = 0; s < seeds; s++) {
      const estimator = createMezo({ eps: 1e-3, directions: 1 });
      const run = startRun(estimator, createZoSgd({ weightDecay: 0 }), makeParams({ x: [d] }));
      await runSteps(estimator, createZoSgd({ weightDecay: 0 }), run, objective, steps, lr, 100 + s);
      mean += f(Float64Array.from(run.params[0]?.data ?? [])) / seeds;
    }
    const bound = (1 - 1 / (4 * (d + 2))) ** steps * f0;
    expect(mean).toBeLessThan(bound);
    expect(mean).toBeLessThan(0.1 * f0);
  });

  it('optimizes a non-differentiable objective (1 − accuracy of a linear classifier)', async () => {
    const random = testRandom(5);
    const truth = [1.5, -2, 0.5];
    const points = Array.from({ length: 200 }, () => [random() * 2 - 1, random() * 2 - 1, random() * 2 - 1]);
    const labels = points.map((p) => Math.sign(p.reduce((s, x, i) => s + x * (truth[i] as number), 0)));
    const errorRate = (w: Float64Array) =>
      points.filter((p, k) => Math.sign(p.reduce((s, x, i) => s + x * (w[i] as number), 0)) !== labels[k])
        .length / points.length;
    const objective = new AnalyticObjective(errorRate);
    const estimator = createMezo({ eps: 0.3, directions: 1 });
    const run = startRun(
      estimator,
      createZoSgd({ weightDecay: 0 }),
      makeParams({ w: [3] }, (i) => [-1, 1, 1][i] ?? 0),
    );
    const start = errorRate(Float64Array.from(run.params[0]?.data ?? []));
    await runSteps(estimator, createZoSgd({ weightDecay: 0 }), run, objective, 300, 0.5);
    const end = errorRate(Float64Array.from(run.params[0]?.data ?? []));
    expect(start).toBeGreaterThan(0.3);
    expect(end).toBeLessThan(0.1);
  });
});
