/**
 * MeZO-SVRG (Gautam et al., ICML 2024). Every q steps (t mod q = 0) an anchor step: ḡ = c̄·z̄ by SPSA on
 * a large batch at θ, θ̄ ← θ, and the update applies ḡ with lr·η₁/η₂. Otherwise the control-variate
 * estimate on the step minibatch B with ONE shared z:
 *   v = [c_B(θ) − c_B(θ̄)]·z + ḡ,   c_B(x) = [L(x+εz; B) − L(x−εz; B)]/(2ε).
 * Sharing z (the public code draws two independent seeds) is what makes the difference small when θ is
 * near θ̄. ḡ stays compact (seed, c̄); θ̄ costs d floats. Cost: 2 passes on anchor steps, 4 otherwise.
 * Property: at θ = θ̄ with the same batch, v = ḡ exactly.
 * The default anchor is the step minibatch, because a large-batch anchor needs the training loop to
 * pass ctx.anchorObjective; with anchor "large-batch" the estimator refuses to run without one.
 */
import { Stream } from '../../random/streams.ts';
import { defineEstimator } from '../definition.ts';
import { gaussianDirection } from '../mezo/mezo.ts';
import { Perturber } from '../perturb.ts';
import type { EstimateTerm, Estimator, Params } from '../types.ts';
import { mezoSvrgConfig, type MezoSvrgConfig } from './config.ts';

export interface MezoSvrgState {
  /** ḡ = anchorC · Gauss(anchorSeed); null before the first anchor step. */
  anchorSeed: number | null;
  anchorC: number;
  /** θ̄, the parameters at the last anchor step. */
  anchorParams: Float32Array[];
}

export function createMezoSvrg(config: MezoSvrgConfig): Estimator<MezoSvrgState> {
  return {
    id: 'mezo-svrg',
    forwardPassesPerStep: 4,
    init: (params) => ({
      anchorSeed: null,
      anchorC: 0,
      anchorParams: params.map((p) => new Float32Array(p.data.length)),
    }),
    async estimate({ objective, anchorObjective, params, state, step, seed }) {
      if (state.anchorSeed === null || step % config.q === 0) {
        let large = objective;
        if (config.anchor === 'large-batch') {
          if (!anchorObjective) {
            throw new Error(
              'mezo-svrg: anchor steps need a large-batch objective (ctx.anchorObjective); set anchor: "minibatch" to use the step batch instead',
            );
          }
          large = anchorObjective;
        }
        const perturber = new Perturber(large);
        const { c, loss } = await perturber.centralDifference(
          params,
          gaussianDirection(params, seed),
          config.eps,
        );
        return {
          estimate: { terms: gaussianDirection(params, seed, 0, c), c, lrScale: config.anchorLrRatio },
          state: { anchorSeed: seed, anchorC: c, anchorParams: params.map((p) => Float32Array.from(p.data)) },
          forwardPasses: perturber.takeForwardPasses(),
          loss,
        };
      }
      const perturber = new Perturber(objective);
      const direction = gaussianDirection(params, seed);
      const current = await perturber.centralDifference(params, direction, config.eps);
      const anchorView: Params = params.map((p, i) => ({
        ...p,
        data: state.anchorParams[i] as Float32Array,
      }));
      const atAnchor = await perturber.centralDifference(anchorView, direction, config.eps);
      const diff = current.c - atAnchor.c;
      const terms = params.map((): EstimateTerm[] => [
        { kind: 'gaussian', seed, stream: Stream.direction, sample: 0, coef: diff },
        {
          kind: 'gaussian',
          seed: state.anchorSeed as number,
          stream: Stream.direction,
          sample: 0,
          coef: state.anchorC,
        },
      ]);
      return { estimate: { terms }, state, forwardPasses: perturber.takeForwardPasses(), loss: current.loss };
    },
  };
}

export const mezoSvrg = defineEstimator({
  id: 'mezo-svrg',
  name: 'MeZO-SVRG',
  paper:
    'Gautam, Park, Vattikuti, Zhang, Yin, Variance-reduced Zeroth-Order Methods for Fine-Tuning Language Models, ICML 2024',
  help: 'SVRG control variate on SPSA: a large-batch anchor gradient every q steps, corrected by the minibatch difference between θ and the anchor (4 passes per step; keeps a copy of θ).',
  schema: mezoSvrgConfig,
  forwardPassesPerStep: () => 4,
  presets: [
    { name: 'Paper CLI defaults', values: { eps: 1e-3, q: 2, anchorLrRatio: 1 } },
    { name: 'Paper (large-batch anchor)', values: { eps: 1e-3, q: 2, anchor: 'large-batch' } },
  ],
  suggested: {
    full: { lr: 1e-6, eps: 1e-3, source: 'mezo_svrg CLI default η₂ 1e-6' },
  },
  create: createMezoSvrg,
});
