/**
 * Smoothing estimators over N directions (Berahas et al. 2022; Choromanski et al. 2018):
 * ĝ = (1/N)Σ_i c_i·u_i with c_i the central or forward difference along u_i. With sampling "gaussian"
 * this is Gaussian smoothing (n-SPSA); "orthogonal" makes the N rows mutually orthogonal (Haar, via QR
 * with the sign fix), rescaled to chi lengths (each row still marginally N(0, I)) or to exactly √d.
 * Cost: 2N passes (central) or N+1 (forward); memory N·d for the rows (PEFT-sized d).
 * Property (linear f = aᵀx): E‖ĝ − a‖² = (d+1)/N·‖a‖² gaussian, ((d+2)/N − 1)·‖a‖² orthogonal chi,
 * (d/N − 1)·‖a‖² orthogonal √d (exact at N = d).
 */
import { defineEstimator } from '../definition.ts';
import { differencePasses, sampleDifferences, weightedRows } from '../directions.ts';
import type { Estimator } from '../types.ts';
import { orthogonalConfig, type OrthogonalConfig } from './config.ts';

export function createOrthogonal(config: OrthogonalConfig): Estimator<null> {
  const n = config.directions;
  return {
    id: 'orthogonal',
    forwardPassesPerStep: differencePasses(n, config.difference),
    init: () => null,
    async estimate({ objective, params, seed }) {
      const { rows, differences, loss, forwardPasses } = await sampleDifferences(
        objective,
        params,
        seed,
        config,
      );
      const terms = weightedRows(
        params,
        rows,
        differences.map((c) => c / n),
      );
      return { estimate: { terms }, state: null, forwardPasses, loss };
    },
  };
}

export const orthogonal = defineEstimator({
  id: 'orthogonal',
  name: 'Orthogonal / Gaussian smoothing',
  paper:
    'Berahas, Cao, Choromanski, Scheinberg, A Theoretical and Empirical Comparison of Gradient Approximations in Derivative-Free Optimization, FoCM 2022; Choromanski et al., ICML 2018',
  help: 'Averages N directional differences; orthogonal rows cut the variance of Gaussian sampling at the same cost (best for small, PEFT-sized parameter sets).',
  schema: orthogonalConfig,
  forwardPassesPerStep: (config) => differencePasses(config.directions, config.difference),
  presets: [
    { name: 'Orthogonal 5-SPSA', values: { directions: 5, sampling: 'orthogonal', length: 'chi' } },
    { name: 'Gaussian 5-SPSA', values: { directions: 5, sampling: 'gaussian', length: 'chi' } },
  ],
  suggested: {
    lora: { lr: 1e-2, eps: 1e-2, source: 'estimators.md §10: stories260k LoRA, 5 directions' },
    full: { lr: 3e-4, eps: 1e-3, source: 'estimators.md §10: stories260k full, 5 directions' },
  },
  create: createOrthogonal,
});
