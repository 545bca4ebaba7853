/**
 * SubZero (Yu et al., ICCV 2025, arXiv 2410.08989): each matrix W (m×n) is perturbed by
 * P = μ·U·Z·Vᵀ with U ∈ ℝ^{m×r}, V ∈ ℝ^{n×r} orthonormal (QR of Gaussians with the sign fix, which the
 * reference code omits), Z ~ N(0,1)^{r×r} fresh every step and μ = √(mn)/r so E‖P‖²_F = mn (MeZO's ε
 * and η carry over). U, V are regenerated every T₀ steps. Non-matrix tensors, and matrices with
 * r > min(m, n), get a full Gaussian z. One shared c; ĝ = c·P. Cost: 2 passes; memory (m+n)·r.
 * Properties: UᵀU = VᵀV = I; E_Z[ĝ | U, V] = μ²·UUᵀGVVᵀ; ΔW stays in the (U, V) subspace between refreshes.
 */
import { fillGaussian, gaussianArray } from '../../random/gaussian.ts';
import { Stream } from '../../random/streams.ts';
import { defineEstimator } from '../definition.ts';
import { scaleTerms } from '../expand.ts';
import { orthonormalize } from '../linalg.ts';
import { Perturber } from '../perturb.ts';
import { matrixShape, squarishShape, type LowRankPerturbing } from '../shapes.ts';
import type { Direction, EstimateTerm, Estimator, Params } from '../types.ts';
import { subzeroConfig, type SubzeroConfig } from './config.ts';

export interface SubzeroState {
  /** Seed of the step that last regenerated the bases (null before the first step). */
  basisSeed: number | null;
}

export interface Basis {
  rows: number;
  cols: number;
  /** m×r and n×r, row-major, orthonormal columns. */
  u: Float32Array;
  v: Float32Array;
}

/** An orthonormal m×r basis: r Gaussian m-vectors, Gram–Schmidt (positive R diagonal), transposed. */
function orthonormalBasis(
  m: number,
  rank: number,
  seed: number,
  stream: number,
  tensor: number,
): Float32Array {
  const vectors = Array.from({ length: rank }, (_, k) => {
    const g = new Float32Array(m);
    fillGaussian(g, { seed, stream, tensor, sample: k });
    return Float64Array.from(g);
  });
  orthonormalize(vectors);
  const out = new Float32Array(m * rank);
  vectors.forEach((q, k) => {
    for (let i = 0; i < m; i++) out[i * rank + k] = q[i] as number;
  });
  return out;
}

/** The matrix view SubZero uses for a tensor, or null when it falls back to a Gaussian direction. */
export function subzeroShape(shape: readonly number[], rank: number, peftReshape: boolean) {
  const native = matrixShape(shape);
  if (!native) return null;
  const view = peftReshape ? squarishShape(native.rows * native.cols) : native;
  return rank <= Math.min(view.rows, view.cols) ? view : null;
}

export function subzeroBases(params: Params, seed: number, config: SubzeroConfig): (Basis | null)[] {
  return params.map((p, tensor) => {
    const view = subzeroShape(p.shape, config.rank, config.peftReshape);
    if (!view) return null;
    return {
      ...view,
      u: orthonormalBasis(view.rows, config.rank, seed, Stream.lowRankU, tensor),
      v: orthonormalBasis(view.cols, config.rank, seed, Stream.lowRankV, tensor),
    };
  });
}

/** left = μ·U·Z (m×r), Z = Gauss(seed, lowRankZ, tensor) r×r. */
function scaledCore(basis: Basis, rank: number, seed: number, tensor: number): Float32Array {
  const z = gaussianArray(rank * rank, { seed, stream: Stream.lowRankZ, tensor, sample: 0 });
  const mu = Math.sqrt(basis.rows * basis.cols) / rank;
  const left = new Float32Array(basis.rows * rank);
  for (let i = 0; i < basis.rows; i++) {
    for (let b = 0; b < rank; b++) {
      let sum = 0;
      for (let a = 0; a < rank; a++) sum += (basis.u[i * rank + a] as number) * (z[a * rank + b] as number);
      left[i * rank + b] = mu * sum;
    }
  }
  return left;
}

/**
 * The perturbation direction of a step: μ·U·Z·Vᵀ as ONE rank-r term (left = μ·U·Z, right = V), so it
 * rides the same low-rank paths as LOZO's U·Vᵀ; a full Gaussian z where a tensor has no basis.
 */
export function subzeroDirection(bases: readonly (Basis | null)[], seed: number, rank: number): Direction {
  return bases.map((basis, tensor): EstimateTerm[] => {
    if (!basis) return [{ kind: 'gaussian', seed, stream: Stream.direction, sample: 0, coef: 1 }];
    const left = scaledCore(basis, rank, seed, tensor);
    return [{ kind: 'low-rank', rows: basis.rows, cols: basis.cols, rank, left, right: basis.v }];
  });
}

export function createSubzero(config: SubzeroConfig): Estimator<SubzeroState> & LowRankPerturbing {
  let cached: { seed: number; bases: (Basis | null)[] } | null = null;
  return {
    id: 'subzero',
    forwardPassesPerStep: 2,
    // The direction's left factor is μ·U·Z (r×r core folded in), so U·Z·Vᵀ is one rank-r term; the
    // PEFT reshape views tensors as a×b instead of their stored shape, which no graph branch matches.
    ...(config.peftReshape ? {} : { perturbationRank: config.rank }),
    init: () => ({ basisSeed: null }),
    async estimate({ objective, params, state, step, seed }) {
      const basisSeed = state.basisSeed === null || step % config.refresh === 0 ? seed : state.basisSeed;
      if (cached?.seed !== basisSeed)
        cached = { seed: basisSeed, bases: subzeroBases(params, basisSeed, config) };
      const direction = subzeroDirection(cached.bases, seed, config.rank);
      const perturber = new Perturber(objective);
      const { c, loss } = await perturber.centralDifference(params, direction, config.eps);
      const terms = direction.map((list) => scaleTerms(list, c));
      return {
        estimate: { terms, c },
        state: { basisSeed },
        forwardPasses: perturber.takeForwardPasses(),
        loss,
      };
    },
  };
}

export const subzero = defineEstimator({
  id: 'subzero',
  name: 'SubZero (random subspace ZO)',
  paper:
    'Yu, Zhou, Wang, Li, Tian, Huang, Zeroth-Order Fine-Tuning of LLMs in Random Subspaces (SubZero), ICCV 2025',
  help: 'Perturbs each matrix inside a random r-dimensional row/column subspace refreshed every T₀ steps; lower-variance estimates at MeZO cost. Turn on the PEFT reshape for LoRA/prefix.',
  schema: subzeroConfig,
  forwardPassesPerStep: () => 2,
  presets: [
    { name: 'Code default', values: { eps: 1e-3, rank: 8, refresh: 2000 } },
    {
      name: 'OPT-1.3B prompt tuning (README)',
      values: { eps: 1e-2, rank: 24, refresh: 1000, peftReshape: true },
    },
  ],
  suggested: {
    full: { lr: 1e-6, eps: 1e-3, source: 'MeZO scale carries over (norm alignment μ)' },
    lora: { lr: 1e-3, eps: 1e-2, source: 'estimators.md §10: stories260k LoRA' },
    prefix: { lr: 1e-3, eps: 1e-2, source: 'SubZero README, OPT-1.3B prompt tuning' },
  },
  create: createSubzero,
});
