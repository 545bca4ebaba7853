// LOZO, LOZO-M and SubZero: the subspace and scaling properties of estimators.md §4–§5.
import { describe, expect, it } from 'vitest';
import { materialize } from '../../core/estimators/expand.ts';
import { createLozoM, type LozoMState } from '../../core/estimators/lozo-m/lozo-m.ts';
import { createLozo } from '../../core/estimators/lozo/lozo.ts';
import { squarishShape } from '../../core/estimators/shapes.ts';
import { createSubzero, subzeroBases, type SubzeroState } from '../../core/estimators/subzero/subzero.ts';
import { createZoSgd } from '../../core/optim/rules/zo-sgd.ts';
import { gaussianArray } from '../../core/random/gaussian.ts';
import { stepSeed } from '../../core/random/seed-sequence.ts';
import { Stream } from '../../core/random/streams.ts';
import { runSteps, startRun } from './harness.ts';
import { AnalyticObjective, flatten, linear, makeParams, norm2, testRandom } from './objectives.ts';

const m = 6;
const n = 5;
const shapes = { 'proj.weight': [m, n], 'proj.bias': [n] };
const random = testRandom(17);
const G = Float64Array.from({ length: m * n + n }, () => random() * 2 - 1);
const objective = () => new AnalyticObjective(linear(G), undefined, true);

/** M·(I − B(BᵀB)⁻¹Bᵀ) for B = cols×r (row-major): the part of M's rows outside span(B). */
function outsideRowSpan(M: Float64Array, rows: number, cols: number, B: Float32Array, r: number): number {
  // Solve the r×r normal equations per row with Gaussian elimination (r ≤ 3 here).
  const BtB = new Float64Array(r * r);
  for (let j = 0; j < cols; j++)
    for (let a = 0; a < r; a++)
      for (let b = 0; b < r; b++)
        BtB[a * r + b] = (BtB[a * r + b] as number) + (B[j * r + a] as number) * (B[j * r + b] as number);
  let worst = 0;
  for (let i = 0; i < rows; i++) {
    const rhs = new Float64Array(r);
    for (let j = 0; j < cols; j++)
      for (let a = 0; a < r; a++)
        rhs[a] = (rhs[a] as number) + (M[i * cols + j] as number) * (B[j * r + a] as number);
    const A = Float64Array.from(BtB);
    const x = Float64Array.from(rhs);
    for (let p = 0; p < r; p++)
      for (let q = p + 1; q < r; q++) {
        const f = (A[q * r + p] as number) / (A[p * r + p] as number);
        for (let k = 0; k < r; k++) A[q * r + k] = (A[q * r + k] as number) - f * (A[p * r + k] as number);
        x[q] = (x[q] as number) - f * (x[p] as number);
      }
    for (let p = r - 1; p >= 0; p--) {
      let s = x[p] as number;
      for (let k = p + 1; k < r; k++) s -= (A[p * r + k] as number) * (x[k] as number);
      x[p] = s / (A[p * r + p] as number);
    }
    for (let j = 0; j < cols; j++) {
      let proj = 0;
      for (let a = 0; a < r; a++) proj += (x[a] as number) * (B[j * r + a] as number);
      worst = Math.max(worst, Math.abs((M[i * cols + j] as number) - proj));
    }
  }
  return worst;
}

describe('LOZO', () => {
  const rank = 2;

  it('applies the evaluated U·Vᵀ on V-resample steps (no stale U) with paper 1/r scaling', async () => {
    const params = makeParams(shapes, (i) => Math.sin(i));
    const obj = objective();
    const eps = 1e-2;
    const { estimate } = await createLozo({ eps, rank, nu: 5 }).estimate({
      objective: obj,
      params,
      state: { vSeed: null },
      step: 0,
      seed: 77,
    });
    const plus = obj.points[0] as Float64Array;
    const minus = obj.points[1] as Float64Array;
    const evaluated = plus.map((p, i) => (p - (minus[i] as number)) / (2 * eps));
    const c = estimate.c as number;
    const applied = flatten([
      materialize(estimate.terms[0] ?? [], 0, m * n),
      materialize(estimate.terms[1] ?? [], 1, n),
    ]);
    for (let i = 0; i < m * n; i++)
      expect((applied[i] as number) * (rank / c)).toBeCloseTo(evaluated[i] as number, 3);
    for (let i = m * n; i < m * n + n; i++)
      expect((applied[i] as number) / c).toBeCloseTo(evaluated[i] as number, 3);
  });

  it('is unbiased: E[ĝ] = G over U and V; E[ĝ | V] = G·V·Vᵀ/r', async () => {
    const params = makeParams(shapes);
    const obj = objective();
    const trials = 4000;
    const unconditional = new Float64Array(m * n);
    const conditional = new Float64Array(m * n);
    const fixedV = 123;
    for (let t = 0; t < trials; t++) {
      const fresh = await createLozo({ eps: 1e-2, rank, nu: 1 }).estimate({
        objective: obj,
        params,
        state: { vSeed: null },
        step: t,
        seed: stepSeed(1, t),
      });
      const held = await createLozo({ eps: 1e-2, rank, nu: 10 ** 9 }).estimate({
        objective: obj,
        params,
        state: { vSeed: fixedV },
        step: t + 1,
        seed: stepSeed(2, t),
      });
      const a = materialize(fresh.estimate.terms[0] ?? [], 0, m * n);
      const b = materialize(held.estimate.terms[0] ?? [], 0, m * n);
      for (let i = 0; i < m * n; i++) {
        unconditional[i] = (unconditional[i] as number) + (a[i] as number) / trials;
        conditional[i] = (conditional[i] as number) + (b[i] as number) / trials;
      }
    }
    const Gw = G.subarray(0, m * n);
    const V = gaussianArray(n * rank, { seed: fixedV, stream: Stream.lowRankV, tensor: 0, sample: 0 });
    const expectedConditional = new Float64Array(m * n);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) {
          let vv = 0;
          for (let a = 0; a < rank; a++) vv += (V[k * rank + a] as number) * (V[j * rank + a] as number);
          s += (Gw[i * n + k] as number) * vv;
        }
        expectedConditional[i * n + j] = s / rank;
      }
    // Per-entry Monte-Carlo SE is ≈ ‖G‖·√(n)/√trials ≈ 0.05 for the unconditional mean; compare norms.
    const relErr = (x: Float64Array, y: ArrayLike<number>) =>
      Math.sqrt(norm2(x.map((v, i) => v - (y[i] as number))) / norm2(y));
    expect(relErr(unconditional, Gw)).toBeLessThan(0.35);
    expect(relErr(conditional, expectedConditional)).toBeLessThan(0.2);
    // The conditional mean is NOT G (V·Vᵀ/r ≠ I for r < n): the test can tell the two apart.
    expect(relErr(expectedConditional, Gw)).toBeGreaterThan(0.5);
  });

  it('has per-entry perturbation RMS ε√r: E‖U·Vᵀ‖²_F = m·n·r', async () => {
    const params = makeParams(shapes);
    let sum = 0;
    const trials = 2000;
    const eps = 1e-2;
    for (let t = 0; t < trials; t++) {
      const obj = objective();
      await createLozo({ eps, rank, nu: 1 }).estimate({
        objective: obj,
        params,
        state: { vSeed: null },
        step: t,
        seed: stepSeed(5, t),
      });
      const plus = obj.points[0] as Float64Array;
      sum += norm2(plus.subarray(0, m * n)) / eps ** 2;
    }
    expect(sum / trials / (m * n * rank)).toBeGreaterThan(0.92);
    expect(sum / trials / (m * n * rank)).toBeLessThan(1.08);
  });

  it('keeps every row of ΔW in span(V) within a ν-period (the bias moves freely)', async () => {
    const estimator = createLozo({ eps: 1e-2, rank, nu: 100 });
    const rule = createZoSgd({ weightDecay: 0 });
    const start = makeParams(shapes, (i) => Math.cos(i));
    const run = startRun(estimator, rule, start);
    const logs = await runSteps(estimator, rule, run, objective(), 10, 0.05);
    const delta = Float64Array.from(run.params[0]?.data ?? [], (v, i) => v - (start[0]?.data[i] as number));
    const V = gaussianArray(n * rank, {
      seed: logs[0]?.seed ?? 0,
      stream: Stream.lowRankV,
      tensor: 0,
      sample: 0,
    });
    expect(norm2(delta)).toBeGreaterThan(1e-4);
    expect(outsideRowSpan(delta, m, n, V, rank)).toBeLessThan(1e-5);
    const otherV = gaussianArray(n * rank, { seed: 1, stream: Stream.lowRankV, tensor: 0, sample: 0 });
    expect(outsideRowSpan(delta, m, n, otherV, rank)).toBeGreaterThan(1e-3);
  });
});

describe('LOZO-M', () => {
  it('with ν = ∞ its factored momentum N·Vᵀ equals dense momentum M_t = βM_{t−1} + (1−β)ĝ_t', async () => {
    const beta = 0.9;
    const rank = 2;
    const lozoM = createLozoM({ eps: 1e-2, rank, nu: 10 ** 9, beta });
    const lozo = createLozo({ eps: 1e-2, rank, nu: 10 ** 9 });
    const params = makeParams(shapes, (i) => Math.sin(i));
    const obj = objective();
    let state = lozoM.init(params) as LozoMState;
    const dense = [new Float64Array(m * n), new Float64Array(n)];
    for (let t = 0; t < 8; t++) {
      const seed = stepSeed(4, t);
      const g = await lozo.estimate({ objective: obj, params, state: { vSeed: state.vSeed }, step: t, seed });
      const result = await lozoM.estimate({ objective: obj, params, state, step: t, seed });
      state = result.state;
      dense.forEach((M, p) => {
        const gp = materialize(g.estimate.terms[p] ?? [], p, M.length);
        for (let i = 0; i < M.length; i++) M[i] = beta * (M[i] as number) + (1 - beta) * (gp[i] as number);
        const factored = materialize(result.estimate.terms[p] ?? [], p, M.length);
        for (let i = 0; i < M.length; i++) expect(factored[i]).toBeCloseTo(M[i] as number, 5);
      });
      // move θ so later steps see a different point
      createZoSgd({ weightDecay: 0 }).apply(params, result.estimate, null, 0.05);
    }
  });

  it('carries momentum into the new basis at a V switch: N ← N·(V_oldᵀV_new)/n', async () => {
    const rank = 2;
    const lozoM = createLozoM({ eps: 1e-2, rank, nu: 2, beta: 0.5 });
    const params = makeParams(shapes);
    const obj = objective();
    let state = lozoM.init(params) as LozoMState;
    for (let t = 0; t < 2; t++)
      state = (await lozoM.estimate({ objective: obj, params, state, step: t, seed: stepSeed(8, t) })).state;
    const before = Float32Array.from(state.momentum[0] ?? []);
    const oldSeed = state.vSeed as number;
    const result = await lozoM.estimate({ objective: obj, params, state, step: 2, seed: stepSeed(8, 2) });
    const vOld = gaussianArray(n * rank, { seed: oldSeed, stream: Stream.lowRankV, tensor: 0, sample: 0 });
    const vNew = gaussianArray(n * rank, {
      seed: stepSeed(8, 2),
      stream: Stream.lowRankV,
      tensor: 0,
      sample: 0,
    });
    const c =
      (obj.points.at(-2)!.reduce((s, v, i) => s + v * (G[i] as number), 0) -
        obj.points.at(-1)!.reduce((s, v, i) => s + v * (G[i] as number), 0)) /
      (2 * 1e-2);
    const U = gaussianArray(m * rank, {
      seed: stepSeed(8, 2),
      stream: Stream.lowRankU,
      tensor: 0,
      sample: 0,
    });
    const after = result.state.momentum[0] as Float32Array;
    for (let i = 0; i < m; i++)
      for (let b = 0; b < rank; b++) {
        let carried = 0;
        for (let a = 0; a < rank; a++) {
          let p = 0;
          for (let j = 0; j < n; j++) p += (vOld[j * rank + a] as number) * (vNew[j * rank + b] as number);
          carried += ((before[i * rank + a] as number) * p) / n;
        }
        const expected = 0.5 * carried + ((0.5 * c) / rank) * (U[i * rank + b] as number);
        expect(after[i * rank + b]).toBeCloseTo(expected, 4);
      }
  });
});

describe('SubZero', () => {
  const config = { eps: 1e-2, rank: 2, refresh: 100, peftReshape: false };

  it('builds orthonormal bases: UᵀU = VᵀV = I', () => {
    const params = makeParams({ w: [20, 12] });
    const basis = subzeroBases(params, 5, { ...config, rank: 4 })[0];
    if (!basis) throw new Error('expected a basis');
    for (const [q, rows] of [
      [basis.u, 20],
      [basis.v, 12],
    ] as const)
      for (let a = 0; a < 4; a++)
        for (let b = 0; b < 4; b++) {
          let s = 0;
          for (let i = 0; i < rows; i++) s += (q[i * 4 + a] as number) * (q[i * 4 + b] as number);
          expect(s).toBeCloseTo(a === b ? 1 : 0, 5);
        }
  });

  it('has E‖P‖²_F = mn and E_Z[ĝ | U,V] = μ²·UUᵀGVVᵀ', async () => {
    const params = makeParams(shapes);
    const trials = 4000;
    const mean = new Float64Array(m * n);
    let energy = 0;
    const eps = 1e-2;
    for (let t = 0; t < trials; t++) {
      const obj = objective();
      const { estimate } = await createSubzero(config).estimate({
        objective: obj,
        params,
        state: { basisSeed: 31 },
        step: t + 1,
        seed: stepSeed(3, t),
      });
      energy += norm2((obj.points[0] as Float64Array).subarray(0, m * n)) / eps ** 2 / trials;
      const g = materialize(estimate.terms[0] ?? [], 0, m * n);
      for (let i = 0; i < m * n; i++) mean[i] = (mean[i] as number) + (g[i] as number) / trials;
    }
    expect(energy / (m * n)).toBeGreaterThan(0.9);
    expect(energy / (m * n)).toBeLessThan(1.1);
    const basis = subzeroBases(params, 31, config)[0];
    if (!basis) throw new Error('expected a basis');
    const mu2 = (m * n) / config.rank ** 2;
    const r = config.rank;
    // UUᵀ G VVᵀ
    const expected = new Float64Array(m * n);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let i2 = 0; i2 < m; i2++) {
          let uu = 0;
          for (let a = 0; a < r; a++) uu += (basis.u[i * r + a] as number) * (basis.u[i2 * r + a] as number);
          if (uu === 0) continue;
          for (let j2 = 0; j2 < n; j2++) {
            let vv = 0;
            for (let a = 0; a < r; a++)
              vv += (basis.v[j2 * r + a] as number) * (basis.v[j * r + a] as number);
            s += uu * (G[i2 * n + j2] as number) * vv;
          }
        }
        expected[i * n + j] = mu2 * s;
      }
    const relErr = Math.sqrt(norm2(mean.map((v, i) => v - (expected[i] as number))) / norm2(expected));
    expect(relErr).toBeLessThan(0.15);
  });

  it('keeps ΔW inside the (U, V) subspace between refreshes; biases move along MeZO directions', async () => {
    const estimator = createSubzero(config);
    const rule = createZoSgd({ weightDecay: 0 });
    const start = makeParams(shapes, (i) => Math.cos(i));
    const run = startRun(estimator, rule, start);
    await runSteps(estimator, rule, run, objective(), 10, 0.01);
    const basis = subzeroBases(start, (run.estimatorState as SubzeroState).basisSeed as number, config)[0];
    if (!basis) throw new Error('expected a basis');
    const delta = Float64Array.from(run.params[0]?.data ?? [], (v, i) => v - (start[0]?.data[i] as number));
    expect(norm2(delta)).toBeGreaterThan(1e-4);
    expect(outsideRowSpan(delta, m, n, basis.v, config.rank)).toBeLessThan(1e-5);
    // Columns in span(U): transpose ΔW and test against U.
    const transposed = new Float64Array(m * n);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) transposed[j * m + i] = delta[i * n + j] as number;
    expect(outsideRowSpan(transposed, n, m, basis.u, config.rank)).toBeLessThan(1e-5);
    const biasDelta = Float64Array.from(
      run.params[1]?.data ?? [],
      (v, i) => v - (start[1]?.data[i] as number),
    );
    expect(norm2(biasDelta)).toBeGreaterThan(1e-6);
  });

  it('reshapes PEFT tensors to a×b with a the largest divisor ≤ √numel, and falls back to Gaussian', async () => {
    expect(squarishShape(20480)).toEqual({ rows: 128, cols: 160 });
    expect(squarishShape(13)).toEqual({ rows: 1, cols: 13 });
    const params = makeParams({ prompt: [10, 2048], odd: [1, 13], lora: [13, 1] });
    const bases = subzeroBases(params, 3, { ...config, rank: 8, peftReshape: true });
    expect(bases[0]).toMatchObject({ rows: 128, cols: 160 });
    expect(bases[1]).toBeNull();
    const { estimate } = await createSubzero({ ...config, rank: 8, peftReshape: true }).estimate({
      objective: new AnalyticObjective(() => 0),
      params,
      state: { basisSeed: null },
      step: 0,
      seed: 3,
    });
    expect(estimate.terms[0]?.[0]?.kind).toBe('low-rank');
    expect(estimate.terms[1]?.[0]?.kind).toBe('gaussian');
  });
});
