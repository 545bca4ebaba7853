/**
 * LOZO (Chen et al., ICLR 2025): each matrix W (m×n) is perturbed by ε·U·Vᵀ, U ~ N(0,1)^{m×r} fresh
 * every step, V ~ N(0,1)^{n×r} resampled every ν steps; other tensors by a full Gaussian z; one shared
 * c = [L(θ+εP) − L(θ−εP)]/(2ε). Estimate: ĝ_W = c·U·Vᵀ/r (the PAPER's scaling, so E[ĝ] = ∇L and the
 * learning rate is on MeZO's scale; the official code omits 1/r, so a code-tuned lr equals ours / r).
 * Non-matrix tensors: c·z. Cost: 2 passes; the estimate stays low-rank (U·Vᵀ is never formed).
 * Properties: E[ĝ | V] = G·V·Vᵀ/r; within a ν-period every row of ΔW lies in span(V).
 */
import { defineEstimator } from '../definition.ts';
import { scaleTerms } from '../expand.ts';
import { Perturber } from '../perturb.ts';
import type { LowRankPerturbing } from '../shapes.ts';
import type { Estimator } from '../types.ts';
import { lozoConfig, type LozoConfig } from './config.ts';
import { lozoDirection, resamplesV, VFactors, type LozoState } from './factors.ts';

export function createLozo(config: LozoConfig): Estimator<LozoState> & LowRankPerturbing {
  const vFactors = new VFactors();
  return {
    id: 'lozo',
    forwardPassesPerStep: 2,
    perturbationRank: config.rank,
    init: () => ({ vSeed: null }),
    async estimate({ objective, params, state, step, seed }) {
      const vSeed = resamplesV(state, step, config.nu) ? seed : (state.vSeed as number);
      const v = vFactors.get(params, vSeed, config.rank);
      const direction = lozoDirection(params, seed, v, config.rank);
      const perturber = new Perturber(objective);
      const { c, loss } = await perturber.centralDifference(params, direction, config.eps);
      const terms = direction.map((list) =>
        list.map((term) =>
          term.kind === 'low-rank' ? scaleTerms([term], c / config.rank)[0]! : { ...term, coef: c },
        ),
      );
      return { estimate: { terms, c }, state: { vSeed }, forwardPasses: perturber.takeForwardPasses(), loss };
    },
  };
}

export const lozo = defineEstimator({
  id: 'lozo',
  name: 'LOZO (low-rank ZO)',
  paper:
    'Chen, Zhang, Cao, Yuan, Wen, Enhancing Zeroth-order Fine-tuning for Language Models with Low-rank Structures, ICLR 2025',
  help: 'Perturbs each weight matrix by a rank-r U·Vᵀ with V kept for ν steps: gradient estimates that match the low-rank structure of LLM gradients, at MeZO cost (1/r scaling as in the paper).',
  schema: lozoConfig,
  forwardPassesPerStep: () => 2,
  presets: [
    { name: 'OPT-13B full (README)', values: { eps: 1e-3, rank: 2, nu: 50 } },
    { name: 'RoBERTa-large (script)', values: { eps: 1e-3, rank: 4, nu: 50 } },
  ],
  suggested: {
    full: { lr: 1e-6, eps: 1e-3, source: 'LOZO README, OPT-13B: lr {1e-6, 1e-7}' },
    lora: { lr: 1e-3, eps: 1e-2, source: 'estimators.md §10: stories260k LoRA' },
  },
  create: createLozo,
});
