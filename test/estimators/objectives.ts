// Analytic objectives for estimator tests: the math of estimators.md §2–§7 is checked on these, where
// the true gradient is known exactly. Values are computed in float64 from the float32 parameters.
import type { Evaluation, EvaluateRequest, Objective, Params } from '../../core/estimators/types.ts';

/** Parameters with the given shapes, filled with a deterministic pattern. */
export function makeParams(shapes: Record<string, number[]>, fill: (i: number) => number = () => 0): Params {
  let k = 0;
  return Object.entries(shapes).map(([name, shape]) => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = fill(k++);
    return { name, shape, data };
  });
}

export function flatten(values: readonly Float32Array[]): Float64Array {
  const out = new Float64Array(values.reduce((s, v) => s + v.length, 0));
  let o = 0;
  for (const v of values) {
    out.set(v, o);
    o += v.length;
  }
  return out;
}

/** An objective that counts its evaluations and records every point it was asked about. */
export class AnalyticObjective implements Objective {
  calls = 0;
  points: Float64Array[] = [];
  constructor(
    private readonly f: (x: Float64Array) => number,
    private readonly extra?: (x: Float64Array, request?: EvaluateRequest) => Partial<Evaluation>,
    private readonly record = false,
  ) {}
  async evaluate(values: readonly Float32Array[], request?: EvaluateRequest): Promise<Evaluation> {
    this.calls++;
    const x = flatten(values);
    if (this.record) this.points.push(x);
    return { value: this.f(x), ...this.extra?.(x, request) };
  }
}

/** f(x) = aᵀx: central differences are exact, ∇f = a. */
export function linear(a: Float64Array): (x: Float64Array) => number {
  return (x) => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += (a[i] as number) * (x[i] as number);
    return s;
  };
}

/** f(x) = ½ Σ h_i (x_i − x*_i)²: a diagonal quadratic with minimizer x*. */
export function diagonalQuadratic(h: Float64Array, xStar: Float64Array) {
  const f = (x: Float64Array) => {
    let s = 0;
    for (let i = 0; i < h.length; i++)
      s += 0.5 * (h[i] as number) * ((x[i] as number) - (xStar[i] as number)) ** 2;
    return s;
  };
  const grad = (x: Float64Array) =>
    Float64Array.from(h, (hi, i) => hi * ((x[i] as number) - (xStar[i] as number)));
  return { f, grad };
}

/** Rosenbrock in pairs: Σ 100(x_{2i+1} − x_{2i}²)² + (1 − x_{2i})², minimum 0 at all ones. */
export function rosenbrock(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i + 1 < x.length; i += 2) {
    const a = x[i] as number;
    const b = x[i + 1] as number;
    s += 100 * (b - a * a) ** 2 + (1 - a) ** 2;
  }
  return s;
}

/** A seeded float stream for test data (mulberry32), independent of the code under test. */
export function testRandom(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r ^= r + Math.imul(r ^ (r >>> 7), 61 | r);
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

export function norm2(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] as number) ** 2;
  return s;
}

/**
 * A linear model with a squared loss, exposing outputs and their gradient as a model engine does:
 * o = X·W + b (batch × out), ℓ(o) = ½·mean_rows‖o − Y‖², e = ∇_o ℓ = (o − Y)/batch. Parameters are
 * [W (in×out), b (out)] flattened in that order; the objective is a quadratic in them.
 */
export function linearModel(inputs: number, outputs: number, batch: number, seed: number) {
  const random = testRandom(seed);
  const X = Float64Array.from({ length: batch * inputs }, () => random() * 2 - 1);
  const Y = Float64Array.from({ length: batch * outputs }, () => random() * 2 - 1);
  const forward = (theta: Float64Array) => {
    const o = new Float32Array(batch * outputs);
    for (let r = 0; r < batch; r++) {
      for (let k = 0; k < outputs; k++) {
        let s = theta[inputs * outputs + k] as number;
        for (let i = 0; i < inputs; i++)
          s += (X[r * inputs + i] as number) * (theta[i * outputs + k] as number);
        o[r * outputs + k] = s;
      }
    }
    return o;
  };
  const loss = (o: Float32Array) => {
    let s = 0;
    for (let j = 0; j < o.length; j++) s += 0.5 * ((o[j] as number) - (Y[j] as number)) ** 2;
    return s / batch;
  };
  const objective = new AnalyticObjective(
    (theta) => loss(forward(theta)),
    (theta, request) => {
      if (!request?.outputs && !request?.outputGrad) return {};
      const o = forward(theta);
      return {
        outputs: o,
        outputGrad: request.outputGrad
          ? Float32Array.from(o, (v, j) => (v - (Y[j] as number)) / batch)
          : undefined,
      };
    },
  );
  const shapes = { 'linear.weight': [inputs, outputs], 'linear.bias': [outputs] };
  /** ∇θ: (Xᵀ·e, Σ_rows e) with e = (o − Y)/batch. */
  const grad = (theta: Float64Array) => {
    const o = forward(theta);
    const g = new Float64Array(theta.length);
    for (let r = 0; r < batch; r++) {
      for (let k = 0; k < outputs; k++) {
        const e = ((o[r * outputs + k] as number) - (Y[r * outputs + k] as number)) / batch;
        g[inputs * outputs + k] = (g[inputs * outputs + k] as number) + e;
        for (let i = 0; i < inputs; i++)
          g[i * outputs + k] = (g[i * outputs + k] as number) + e * (X[r * inputs + i] as number);
      }
    }
    return g;
  };
  return { objective, shapes, grad, value: (theta: Float64Array) => loss(forward(theta)) };
}
