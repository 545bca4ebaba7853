/**
 * LOZO-M (Chen et al., ICLR 2025): momentum kept in factored form. For a matrix W the momentum is
 * M = N·Vᵀ with N ∈ ℝ^{m×r}: N ← β·N + (1−β)·(c/r)·U each step (paper scaling, as in LOZO), and
 * when V_k is replaced by V_{k+1}, N ← N·(V_kᵀV_{k+1})/n re-expresses the old momentum in the new basis
 * ((V_{k+1}ᵀV_{k+1})⁻¹ ≈ I/n). Other tensors keep a full-size EMA of c·z. The estimate handed to the
 * update rule IS the momentum, low-rank (N, V), so plain zo-sgd applies it. Memory: m·r per matrix.
 * N starts at zero (a plain EMA; the reference code instead sets N ← c·U on the very first step).
 * Property: with ν = ∞, N·Vᵀ equals dense momentum M_t = βM_{t−1} + (1−β)ĝ_t exactly.
 */
import { gaussianArray } from '../../random/gaussian.ts';
import { Stream } from '../../random/streams.ts';
import { defineEstimator } from '../definition.ts';
import { forEachChunk } from '../expand.ts';
import { lozoDirection, resamplesV, VFactors } from '../lozo/factors.ts';
import { Perturber } from '../perturb.ts';
import { matrixShape, type LowRankPerturbing } from '../shapes.ts';
import type { EstimateTerm, Estimator, Params } from '../types.ts';
import { lozoMConfig, type LozoMConfig } from './config.ts';

export interface LozoMState {
  vSeed: number | null;
  /** Per tensor: N (m×r, row-major) for matrices, a full-size EMA for the others. */
  momentum: Float32Array[];
}

/** N ← N·(V_oldᵀ·V_new)/n, forming the r×r product first. */
function changeBasis(
  n: Float32Array,
  vOld: Float32Array,
  vNew: Float32Array,
  cols: number,
  rank: number,
): Float32Array {
  const p = new Float64Array(rank * rank);
  for (let j = 0; j < cols; j++) {
    for (let a = 0; a < rank; a++) {
      const va = vOld[j * rank + a] as number;
      for (let b = 0; b < rank; b++)
        p[a * rank + b] = (p[a * rank + b] as number) + va * (vNew[j * rank + b] as number);
    }
  }
  const rows = n.length / rank;
  const out = new Float32Array(n.length);
  for (let i = 0; i < rows; i++) {
    for (let b = 0; b < rank; b++) {
      let sum = 0;
      for (let a = 0; a < rank; a++) sum += (n[i * rank + a] as number) * (p[a * rank + b] as number);
      out[i * rank + b] = sum / cols;
    }
  }
  return out;
}

export function createLozoM(config: LozoMConfig): Estimator<LozoMState> & LowRankPerturbing {
  const { rank, beta } = config;
  const vFactors = new VFactors();
  return {
    id: 'lozo-m',
    forwardPassesPerStep: 2,
    perturbationRank: rank,
    init: (params: Params) => ({
      vSeed: null,
      momentum: params.map((p) => {
        const shape = matrixShape(p.shape);
        return new Float32Array(shape ? shape.rows * rank : p.data.length);
      }),
    }),
    async estimate({ objective, params, state, step, seed }) {
      const previousSeed = state.vSeed;
      const vSeed = resamplesV(state, step, config.nu) ? seed : (previousSeed as number);
      const v = vFactors.get(params, vSeed, rank);
      let momentum = state.momentum;
      if (previousSeed !== null && previousSeed !== vSeed) {
        momentum = momentum.map((n, tensor) => {
          const shape = matrixShape((params[tensor] as Params[number]).shape);
          if (!shape) return n;
          const vOld = gaussianArray(shape.cols * rank, {
            seed: previousSeed,
            stream: Stream.lowRankV,
            tensor,
            sample: 0,
          });
          return changeBasis(n, vOld, v[tensor] as Float32Array, shape.cols, rank);
        });
      }
      const direction = lozoDirection(params, seed, v, rank);
      const perturber = new Perturber(objective);
      const { c, loss } = await perturber.centralDifference(params, direction, config.eps);
      const terms: EstimateTerm[][] = direction.map((list, tensor) => {
        const n = momentum[tensor] as Float32Array;
        const term = list[0] as EstimateTerm;
        if (term.kind === 'low-rank') {
          const scale = ((1 - beta) * c) / rank;
          for (let i = 0; i < n.length; i++)
            n[i] = beta * (n[i] as number) + scale * (term.left[i] as number);
          return [{ ...term, left: n }];
        }
        // Full-size EMA of c·z for tensors that are not matrices (biases, norms: small).
        forEachChunk([{ ...term, coef: c }], tensor, n.length, (g, start) => {
          for (let i = 0; i < g.length; i++)
            n[start + i] = beta * (n[start + i] as number) + (1 - beta) * (g[i] as number);
        });
        return [{ kind: 'dense', data: n, coef: 1 }];
      });
      return {
        estimate: { terms },
        state: { vSeed, momentum },
        forwardPasses: perturber.takeForwardPasses(),
        loss,
      };
    },
  };
}

export const lozoM = defineEstimator({
  id: 'lozo-m',
  name: 'LOZO-M (low-rank ZO with momentum)',
  paper:
    'Chen, Zhang, Cao, Yuan, Wen, Enhancing Zeroth-order Fine-tuning for Language Models with Low-rank Structures, ICLR 2025',
  help: 'LOZO plus momentum stored as an m×r factor (carried across V changes), so momentum costs almost no memory; pair it with zo-sgd.',
  schema: lozoMConfig,
  forwardPassesPerStep: () => 2,
  presets: [{ name: 'RoBERTa-large (script)', values: { eps: 1e-3, rank: 4, nu: 50, beta: 0.9 } }],
  suggested: {
    full: { lr: 1e-6, eps: 1e-3, source: 'LOZO README, OPT-13B: lr {1e-6, 1e-7}' },
    lora: { lr: 1e-3, eps: 1e-2, source: 'estimators.md §10: stories260k LoRA' },
  },
  create: createLozoM,
});
