import { describe, expect, it } from 'vitest';
import { directionRows } from '../../core/estimators/directions.ts';
import { materialize } from '../../core/estimators/expand.ts';
import { createInterpolation } from '../../core/estimators/interpolation/interpolation.ts';
import { createOrthogonal } from '../../core/estimators/orthogonal/orthogonal.ts';
import type { Params } from '../../core/estimators/types.ts';
import { stepSeed } from '../../core/random/seed-sequence.ts';
import {
  AnalyticObjective,
  diagonalQuadratic,
  flatten,
  linear,
  makeParams,
  norm2,
  testRandom,
} from './objectives.ts';

const shapes = { a: [3], b: [5] }; // d = 8, split over two tensors
const d = 8;

function estimateVector(terms: ReturnType<typeof materialize>[]): Float64Array {
  return flatten(terms);
}

async function meanSquaredError(
  settings: Parameters<typeof createOrthogonal>[0],
  a: Float64Array,
  params: Params,
  trials: number,
): Promise<number> {
  const estimator = createOrthogonal(settings);
  const objective = new AnalyticObjective(linear(a));
  let sum = 0;
  for (let t = 0; t < trials; t++) {
    const { estimate } = await estimator.estimate({
      objective,
      params,
      state: null,
      step: t,
      seed: stepSeed(21, t),
    });
    const g = estimateVector(params.map((p, i) => materialize(estimate.terms[i] ?? [], i, p.data.length)));
    sum += norm2(g.map((gi, i) => gi - (a[i] as number)));
  }
  return sum / trials / norm2(a);
}

describe('direction generator', () => {
  it('orthogonal rows are orthonormal within a block; √d mode has norm √d; blocks stack past d', () => {
    const params = makeParams(shapes);
    const rows = directionRows(params, 5, 11, 'orthogonal', 'sqrt-d');
    expect(rows).toHaveLength(11);
    for (let i = 0; i < 11; i++) {
      expect(Math.sqrt(norm2(rows[i] as Float32Array))).toBeCloseTo(Math.sqrt(d), 5);
      for (let j = 0; j < i; j++) {
        if (Math.floor(i / d) !== Math.floor(j / d)) continue;
        let dot = 0;
        for (let k = 0; k < d; k++) dot += (rows[i]?.[k] as number) * (rows[j]?.[k] as number);
        expect(Math.abs(dot)).toBeLessThan(1e-5);
      }
    }
  });

  it('chi-length orthogonal rows are marginally N(0, I): mean ≈ 0, covariance ≈ I', () => {
    const params = makeParams(shapes);
    const samples = 4000;
    const mean = new Float64Array(d);
    const cov = new Float64Array(d * d);
    for (let s = 0; s < samples; s++) {
      const row = directionRows(params, stepSeed(9, s), 1, 'orthogonal', 'chi')[0] as Float32Array;
      for (let i = 0; i < d; i++) {
        mean[i] = (mean[i] as number) + (row[i] as number) / samples;
        for (let j = 0; j < d; j++)
          cov[i * d + j] = (cov[i * d + j] as number) + ((row[i] as number) * (row[j] as number)) / samples;
      }
    }
    for (let i = 0; i < d; i++) {
      expect(Math.abs(mean[i] as number)).toBeLessThan(0.07); // SE 1/√4000 = 0.016
      for (let j = 0; j < d; j++)
        expect(Math.abs((cov[i * d + j] as number) - (i === j ? 1 : 0))).toBeLessThan(0.1);
    }
  });
});

describe('orthogonal vs Gaussian sampling (linear f, N = 4, d = 8)', () => {
  const random = testRandom(8);
  const a = Float64Array.from({ length: d }, () => random() * 2 - 1);
  const params = makeParams(shapes, (i) => i / 10);
  const n = 4;

  it('matches the variance formulas: (d+1)/N Gaussian, (d+2)/N − 1 chi, d/N − 1 for √d', async () => {
    const trials = 3000;
    const gaussian = await meanSquaredError(
      { eps: 1e-2, directions: n, sampling: 'gaussian', length: 'chi', difference: 'central' },
      a,
      params,
      trials,
    );
    const chi = await meanSquaredError(
      { eps: 1e-2, directions: n, sampling: 'orthogonal', length: 'chi', difference: 'central' },
      a,
      params,
      trials,
    );
    const fixed = await meanSquaredError(
      { eps: 1e-2, directions: n, sampling: 'orthogonal', length: 'sqrt-d', difference: 'central' },
      a,
      params,
      trials,
    );
    expect(gaussian / ((d + 1) / n)).toBeGreaterThan(0.88);
    expect(gaussian / ((d + 1) / n)).toBeLessThan(1.12);
    expect(chi / ((d + 2) / n - 1)).toBeGreaterThan(0.88);
    expect(chi / ((d + 2) / n - 1)).toBeLessThan(1.12);
    expect(fixed / (d / n - 1)).toBeGreaterThan(0.9);
    expect(fixed / (d / n - 1)).toBeLessThan(1.1);
  });

  it('is exact with N = d orthogonal √d rows (the error vanishes)', async () => {
    const error = await meanSquaredError(
      { eps: 1e-2, directions: d, sampling: 'orthogonal', length: 'sqrt-d', difference: 'central' },
      a,
      params,
      5,
    );
    expect(error).toBeLessThan(1e-8);
  });

  it('forward differences cost N+1 passes and central 2N', async () => {
    const objective = new AnalyticObjective(linear(a));
    const forward = createOrthogonal({
      eps: 1e-2,
      directions: n,
      sampling: 'gaussian',
      length: 'chi',
      difference: 'forward',
    });
    const result = await forward.estimate({ objective, params, state: null, step: 0, seed: 1 });
    expect(result.forwardPasses).toBe(n + 1);
    expect(objective.calls).toBe(n + 1);
  });
});

describe('linear interpolation', () => {
  const h = Float64Array.from({ length: d }, (_, i) => 1 + i);
  const xStar = Float64Array.from({ length: d }, (_, i) => Math.cos(i));
  const { f, grad } = diagonalQuadratic(h, xStar);
  const params = makeParams(shapes, (i) => 0.25 * i);
  const x = flatten(params.map((p) => p.data));

  it('is exact on a quadratic with N = d and central differences', async () => {
    for (const sampling of ['orthogonal', 'gaussian'] as const) {
      const estimator = createInterpolation({ eps: 1e-2, directions: d, sampling, difference: 'central' });
      const { estimate } = await estimator.estimate({
        objective: new AnalyticObjective(f),
        params,
        state: null,
        step: 0,
        seed: 4,
      });
      const g = flatten(params.map((p, i) => materialize(estimate.terms[i] ?? [], i, p.data.length)));
      const truth = grad(x);
      // Exact up to rounding: the fp32 perturbations' rounding is amplified by κ(Q)² of the row matrix.
      // Orthonormal rows have κ = 1; a random 8×8 Gaussian's κ is heavy-tailed (median 25, ~1.5% of
      // seeds above 1000; this seed's rows have κ ≈ 2000, giving 1.3e-3). A wrong solve is off by O(1).
      const tolerance = sampling === 'orthogonal' ? 1e-4 : 1e-2;
      expect(
        Math.sqrt(norm2(g.map((v, i) => v - (truth[i] as number)))) / Math.sqrt(norm2(truth)),
      ).toBeLessThan(tolerance);
    }
  });

  it('solves least squares for N > d and is exact there too', async () => {
    const estimator = createInterpolation({
      eps: 1e-2,
      directions: 13,
      sampling: 'gaussian',
      difference: 'central',
    });
    const { estimate } = await estimator.estimate({
      objective: new AnalyticObjective(f),
      params,
      state: null,
      step: 0,
      seed: 4,
    });
    const g = flatten(params.map((p, i) => materialize(estimate.terms[i] ?? [], i, p.data.length)));
    const truth = grad(x);
    expect(
      Math.sqrt(norm2(g.map((v, i) => v - (truth[i] as number)))) / Math.sqrt(norm2(truth)),
    ).toBeLessThan(1e-4);
  });

  it('forward differences carry a bias that halves with σ', async () => {
    const errorAt = async (eps: number) => {
      const estimator = createInterpolation({
        eps,
        directions: d,
        sampling: 'orthogonal',
        difference: 'forward',
      });
      const { estimate } = await estimator.estimate({
        objective: new AnalyticObjective(f),
        params,
        state: null,
        step: 0,
        seed: 4,
      });
      const g = flatten(params.map((p, i) => materialize(estimate.terms[i] ?? [], i, p.data.length)));
      const truth = grad(x);
      return Math.sqrt(norm2(g.map((v, i) => v - (truth[i] as number))));
    };
    const ratio = (await errorAt(0.2)) / (await errorAt(0.1));
    expect(ratio).toBeGreaterThan(1.9);
    expect(ratio).toBeLessThan(2.1);
  });

  it('with N < d returns the projection of ∇f onto the span of the directions', async () => {
    const a = Float64Array.from({ length: d }, (_, i) => i - 3);
    const estimator = createInterpolation({
      eps: 1e-2,
      directions: 3,
      sampling: 'gaussian',
      difference: 'central',
    });
    const { estimate } = await estimator.estimate({
      objective: new AnalyticObjective(linear(a)),
      params,
      state: null,
      step: 0,
      seed: 6,
    });
    const g = flatten(params.map((p, i) => materialize(estimate.terms[i] ?? [], i, p.data.length)));
    // A projection is idempotent and its residual is orthogonal to g: ⟨a − g, g⟩ = 0.
    let dot = 0;
    for (let i = 0; i < d; i++) dot += ((a[i] as number) - (g[i] as number)) * (g[i] as number);
    expect(Math.abs(dot) / norm2(a)).toBeLessThan(1e-4);
    expect(norm2(g)).toBeLessThan(norm2(a));
  });
});
