/**
 * PseuZO (Yue, Yang, Xiao, Lin, NeurIPS 2025). With o = h(θ) the model outputs before the head and
 * e = ∇_o ℓ(o) (only the head and loss are differentiated):
 *   o_t, e_t, L_t at θ_t;  Δo_t = h(θ_t + εz_t) − o_t (one-sided);  push (s_t, Δo_t) into a FIFO of W;
 *   ĝ_t = Σ_i a_i·z_i,  a_i = β^{t−i}·⟨Δo_i, e_t⟩/ε   (z_i regenerated from s_i).
 * This is Ĵ_tᵀe_t for the windowed, unnormalized EMA Ĵ_t of rank-1 Jacobian estimates; memory W·|o|,
 * independent of d. Cost: 2 passes (+ the head backward inside the objective).
 * Default: fixed β = 0.9. The reference code's cyclic schedule sets β = 0 for most epochs, which turns
 * the trainer into plain MeZO (central SPSA), so a "PseuZO vs MeZO" comparison would mostly compare
 * MeZO with itself; the cyclic schedule is offered as a preset. Δo from earlier minibatches is paired
 * with the current e position-wise, right-aligned and cut to the shorter length (as the reference).
 * Tied embeddings: Δo sees only the input side of a tied matrix; the head side is not trained by PseuZO.
 * Properties: linear h gives E[ĝ] = S·∇f, S = Σ_{k<min(t+1,W)} β^k, for any ε; the window never exceeds W.
 */
import { Stream } from '../../random/streams.ts';
import { defineEstimator } from '../definition.ts';
import { gaussianDirection } from '../mezo/mezo.ts';
import { Perturber, warmDirection } from '../perturb.ts';
import type { EstimateTerm, Estimator } from '../types.ts';
import { pseuzoConfig, type PseuzoConfig } from './config.ts';
import { outputDifference, windowDots } from './window-dots.ts';

export interface PseuzoState {
  /** Oldest first; at most `window` entries. */
  window: { seed: number; deltaOutputs: Float32Array }[];
}

/** β for step t, and whether the step starts a new cycle (β = 1 resets the window). */
export function pseuzoBeta(config: PseuzoConfig, step: number): { beta: number; resets: boolean } {
  if (config.schedule === 'fixed') return { beta: config.beta, resets: false };
  const epoch = Math.floor(step / config.epochSteps);
  const k = epoch % config.cycleEpochs;
  return { beta: k <= 10 ? 1 / (1 + 10 * k) : 0, resets: k === 0 && step % config.epochSteps === 0 };
}

function requireArray(value: Float32Array | undefined, what: string): Float32Array {
  if (!value) {
    throw new Error(
      `pseuzo: the objective returned no ${what}; PseuZO needs an engine that emits the final hidden states and their loss gradient (evaluate(..., { outputs: true, outputGrad: true }))`,
    );
  }
  return value;
}

export function createPseuzo(config: PseuzoConfig): Estimator<PseuzoState> {
  return {
    id: 'pseuzo',
    forwardPassesPerStep: 2,
    init: () => ({ window: [] }),
    async estimate({ objective, params, state, step, seed }) {
      const perturber = new Perturber(objective);
      const { beta, resets } = pseuzoBeta(config, step);
      const direction = gaussianDirection(params, seed);
      if (beta === 0) {
        // The reference trainer's β = 0 phase: plain MeZO on the loss; the window is left as it is.
        const { c, loss } = await perturber.centralDifference(params, direction, config.eps);
        const terms = gaussianDirection(params, seed, 0, c);
        return { estimate: { terms, c }, state, forwardPasses: perturber.takeForwardPasses(), loss };
      }
      const base = await perturber.evaluateAt(params, null, 0, { outputs: true, outputGrad: true });
      const outputs = requireArray(base.outputs, 'outputs');
      const outputGrad = requireArray(base.outputGrad, 'outputGrad');
      warmDirection(direction, params);
      const perturbed = await perturber.evaluateAt(params, direction, config.eps, { outputs: true });
      const shifted = requireArray(perturbed.outputs, 'outputs');
      const deltaOutputs = outputDifference(shifted, outputs);
      const window = [...(resets ? [] : state.window), { seed, deltaOutputs }].slice(-config.window);
      const dots = windowDots(
        window.map((entry) => entry.deltaOutputs),
        outputGrad,
      );
      let weightSum = 0;
      const coefs = window.map((_, index) => {
        const age = window.length - 1 - index;
        const weight = beta ** age;
        weightSum += weight;
        return (weight * (dots[index] as number)) / config.eps;
      });
      const norm = config.normalization === 'ema' ? 1 / weightSum : 1;
      // One gaussian term per window entry: the update regenerates the W directions together per chunk.
      const terms = params.map(() =>
        window.map((entry, index): EstimateTerm => ({
          kind: 'gaussian',
          seed: entry.seed,
          stream: Stream.direction,
          sample: 0,
          coef: (coefs[index] as number) * norm,
        })),
      );
      return {
        estimate: { terms },
        state: { window },
        forwardPasses: perturber.takeForwardPasses(),
        loss: base.value,
      };
    },
  };
}

export const pseuzo = defineEstimator({
  id: 'pseuzo',
  name: 'PseuZO (pseudo-zeroth-order)',
  paper:
    'Yue, Yang, Xiao, Lin, PseuZO: Pseudo-Zeroth-Order Algorithm for Training Deep Neural Networks, NeurIPS 2025',
  help: "Estimates the Jacobian of the model outputs from a window of past perturbations and combines it with the exact head gradient; fixed β = 0.9 by default because the paper code's cyclic β is plain MeZO most of the time.",
  schema: pseuzoConfig,
  forwardPassesPerStep: () => 2,
  presets: [
    { name: 'Fixed β 0.9 (default)', values: { window: 14, beta: 0.9, schedule: 'fixed' } },
    {
      name: 'Reference cyclic schedule',
      values: { window: 14, schedule: 'cyclic', epochSteps: 64, cycleEpochs: 78 },
    },
  ],
  suggested: {
    full: { lr: 1e-7, eps: 1e-3, source: 'PseuZO README, OPT-1.3B SST-2 full' },
    lora: { lr: 5e-5, eps: 1e-2, source: 'PseuZO README, OPT-1.3B SST-2 LoRA' },
    prefix: { lr: 1e-3, eps: 1e-1, source: 'PseuZO README, OPT-1.3B SST-2 prefix' },
  },
  create: createPseuzo,
});
