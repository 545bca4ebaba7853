/**
 * SPSA (MeZO): ĝ = (1/n)Σ_j c_j·z_j, c_j = [L(θ+εz_j) − L(θ−εz_j)]/(2ε), z_j ~ N(0, I) over every
 * trainable entry. Cost: 2n forward passes; the estimate is n (seed, c) pairs, z is regenerated (or read
 * from the direction cache) when the update is applied. All n directions use the step's one minibatch
 * (the medium-model code's choice; the paper's Alg. 2 draws a batch per direction).
 * Properties (test/estimators): E[ĝ] = ∇f on quadratics for any ε; E‖ĝ − ∇f‖² = (d+1)/n·‖∇f‖²;
 * memory-free n-SPSA equals explicit averaging of stored z's.
 */
import { Stream } from '../../random/streams.ts';
import { defineEstimator } from '../definition.ts';
import { Perturber, type Direction } from '../perturb.ts';
import type { Estimator, EstimateTerm, Params } from '../types.ts';
import { mezoConfig, type MezoConfig } from './config.ts';

/** Direction j of a step: a seeded Gaussian term on every tensor. */
export function gaussianDirection(params: Params, seed: number, sample = 0, coef = 1): Direction {
  return params.map(() => [{ kind: 'gaussian', seed, stream: Stream.direction, sample, coef }]);
}

export function createMezo(config: MezoConfig): Estimator<null> {
  const n = config.directions;
  return {
    id: 'mezo',
    forwardPassesPerStep: 2 * n,
    init: () => null,
    async estimate({ objective, params, seed }) {
      const perturber = new Perturber(objective);
      const terms: EstimateTerm[][] = params.map(() => []);
      let lossSum = 0;
      let single = 0;
      for (let j = 0; j < n; j++) {
        const { c, loss } = await perturber.centralDifference(
          params,
          gaussianDirection(params, seed, j),
          config.eps,
        );
        lossSum += loss;
        single = c;
        for (const list of terms)
          list.push({ kind: 'gaussian', seed, stream: Stream.direction, sample: j, coef: c / n });
      }
      return {
        estimate: n === 1 ? { terms, c: single } : { terms },
        state: null,
        forwardPasses: perturber.takeForwardPasses(),
        loss: lossSum / n,
      };
    },
  };
}

export const mezo = defineEstimator({
  id: 'mezo',
  name: 'MeZO (SPSA)',
  paper: 'Malladi et al., Fine-Tuning Language Models with Just Forward Passes, NeurIPS 2023',
  help: 'Two-point SPSA along one Gaussian direction per step (n-SPSA averages n); the memory-free baseline every other method is compared with.',
  schema: mezoConfig,
  forwardPassesPerStep: (config) => 2 * config.directions,
  presets: [
    { name: 'OPT full (paper)', values: { eps: 1e-3, directions: 1 } },
    { name: 'OPT LoRA (paper)', values: { eps: 1e-2, directions: 1 } },
    { name: 'OPT prefix (paper)', values: { eps: 1e-1, directions: 1 } },
  ],
  suggested: {
    full: { lr: 1e-6, eps: 1e-3, source: 'MeZO App. E, OPT full: lr {1e-6, 1e-7}' },
    lora: { lr: 1e-4, eps: 1e-2, source: 'MeZO App. E, OPT LoRA: lr {1e-4, 5e-5}' },
    prefix: { lr: 1e-2, eps: 1e-1, source: 'MeZO App. E, OPT prefix: lr {1e-2, 1e-3}' },
  },
  create: createMezo,
});
