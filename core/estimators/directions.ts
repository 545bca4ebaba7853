// Explicit direction sets over the whole trainable vector θ ∈ ℝ^d (all tensors concatenated), for the
// orthogonal-sampling and interpolation estimators (Berahas et al. 2022; Choromanski et al. 2018).
// Rows are stored (N·d floats), so these estimators suit PEFT-sized d; LOZO and SubZero are the
// memory-free structured analogues for full fine-tuning.
import { fillGaussian } from '../random/gaussian.ts';
import { Stream } from '../random/streams.ts';
import { orthonormalize } from './linalg.ts';
import { Perturber, type Direction } from './perturb.ts';
import type { EstimateTerm, Objective, Params, Seed } from './types.ts';

/** orthogonal: rows orthogonalized in blocks of d (QR of a Gaussian block with the sign fix). */
export type RowSampling = 'orthogonal' | 'gaussian';
/** chi: length of an independent Gaussian vector (each row marginally N(0, I)); sqrt-d: exactly √d. */
export type RowLength = 'chi' | 'sqrt-d' | 'unit';
export type Difference = 'central' | 'forward';

/** Σ_p numel(θ_p). */
export function totalLength(params: Params): number {
  return params.reduce((sum, p) => sum + p.data.length, 0);
}

/** Row i's Gaussian draw: tensor p's segment is Gauss(seed, directionBlock, p, sample i). */
function gaussianRow(params: Params, seed: number, sample: number): Float64Array {
  const row = new Float64Array(totalLength(params));
  let offset = 0;
  params.forEach((p, tensor) => {
    const segment = new Float32Array(p.data.length);
    fillGaussian(segment, { seed, stream: Stream.directionBlock, tensor, sample });
    row.set(segment, offset);
    offset += p.data.length;
  });
  return row;
}

/** N direction rows of length d, drawn from `seed` (see RowSampling / RowLength). */
export function directionRows(
  params: Params,
  seed: number,
  count: number,
  sampling: RowSampling,
  length: RowLength,
): Float32Array[] {
  const d = totalLength(params);
  const rows: Float32Array[] = [];
  for (let blockStart = 0; blockStart < count; blockStart += d) {
    const block = Array.from({ length: Math.min(d, count - blockStart) }, (_, i) =>
      gaussianRow(params, seed, blockStart + i),
    );
    const norms =
      sampling === 'orthogonal' ? orthonormalize(block) : block.map((g) => Math.hypot(...chunkedNorm(g)));
    block.forEach((v, i) => {
      const norm = norms[i] as number;
      // Orthogonal rows are unit after QR; Gaussian rows still carry their own (chi) length.
      const unitScale = sampling === 'orthogonal' ? 1 : 1 / norm;
      const target = length === 'chi' ? norm : length === 'sqrt-d' ? Math.sqrt(d) : 1;
      // A plain loop: typed-array `from` with a map callback is ~20× slower in V8.
      const row = new Float32Array(v.length);
      const scale = unitScale * target;
      for (let k = 0; k < v.length; k++) row[k] = (v[k] as number) * scale;
      rows.push(row);
    });
  }
  return rows;
}

/** Partial sums of squares, so Math.hypot never receives millions of arguments. */
function chunkedNorm(v: Float64Array): number[] {
  const parts: number[] = [];
  for (let start = 0; start < v.length; start += 65536) {
    let sum = 0;
    for (let i = start; i < Math.min(v.length, start + 65536); i++) sum += (v[i] as number) ** 2;
    parts.push(Math.sqrt(sum));
  }
  return parts;
}

/** A concatenated row (or any d-vector) as a per-tensor direction of dense terms. */
export function rowDirection(row: Float32Array, params: Params, coef = 1): Direction {
  return weightedRows(params, [row], [coef]);
}

/**
 * Directional differences along each row: central c_i = [f(θ+σu_i) − f(θ−σu_i)]/(2σ) (2N passes) or
 * forward c_i = [f(θ+σu_i) − f(θ)]/σ (N+1 passes). `loss` is f(θ) for forward, else the mean of ±σ.
 */
export async function directionalDifferences(
  perturber: Perturber,
  params: Params,
  rows: readonly Float32Array[],
  sigma: number,
  difference: Difference,
): Promise<{ differences: number[]; loss: number }> {
  const differences: number[] = [];
  if (difference === 'forward') {
    const base = (await perturber.evaluateAt(params, null, 0)).value;
    for (const row of rows) {
      const value = (await perturber.evaluateAt(params, rowDirection(row, params), sigma)).value;
      differences.push((value - base) / sigma);
    }
    return { differences, loss: base };
  }
  let lossSum = 0;
  for (const row of rows) {
    const { c, loss } = await perturber.centralDifference(params, rowDirection(row, params), sigma);
    differences.push(c);
    lossSum += loss;
  }
  return { differences, loss: lossSum / rows.length };
}

/** Objective evaluations per step for N directional differences (see directionalDifferences). */
export function differencePasses(directions: number, difference: Difference): number {
  return difference === 'central' ? 2 * directions : directions + 1;
}

/** How an estimator samples its rows and differences them (fields of its config). */
export interface DifferencePlan {
  directions: number;
  sampling: RowSampling;
  length: RowLength;
  eps: number;
  difference: Difference;
}

/**
 * One step's sampling: N rows from the step's seed and the difference along each, with the
 * evaluations counted. The estimators differ only in how they combine rows and differences.
 */
export async function sampleDifferences(
  objective: Objective,
  params: Params,
  seed: Seed,
  plan: DifferencePlan,
): Promise<{ rows: Float32Array[]; differences: number[]; loss: number; forwardPasses: number }> {
  const perturber = new Perturber(objective);
  const rows = directionRows(params, seed, plan.directions, plan.sampling, plan.length);
  const { differences, loss } = await directionalDifferences(
    perturber,
    params,
    rows,
    plan.eps,
    plan.difference,
  );
  return { rows, differences, loss, forwardPasses: perturber.takeForwardPasses() };
}

/** Σ_i weights[i]·rows[i] as per-tensor dense terms (rows are concatenated d-vectors, not copied). */
export function weightedRows(
  params: Params,
  rows: readonly Float32Array[],
  weights: ArrayLike<number>,
): EstimateTerm[][] {
  let offset = 0;
  return params.map((p) => {
    const start = offset;
    offset += p.data.length;
    return rows.map((row, i) => ({
      kind: 'dense' as const,
      data: row.subarray(start, start + p.data.length),
      coef: weights[i] as number,
    }));
  });
}
