/**
 * ZO-SGD-Cons (ZO-Bench's conservative SGD, estimators.md §7): after estimating ĝ, evaluate the step's
 * minibatch at θ, θ − ηĝ and θ + ηĝ and keep the point with the lowest loss, so a step never raises the
 * loss of the batch it was estimated on. A step policy, not a pure update: 3 forward passes on top of
 * the estimator's (MeZO: 2 + 3 = 5 per step), no extra memory.
 *
 * The candidates are evaluated through the estimator Perturber with the estimate's own compact terms as
 * the direction and scale ∓η, so they ride any Objective.evaluateAt fast path, and the point kept is
 * applied by ZO-SGD's fused sweep θ + (∓η)·ĝ — on the host path the very `writePerturbed` call that
 * built the evaluated candidate, so the parameters kept are bit for bit the ones evaluated.
 * Ties prefer the descent step, then θ (ZO-Bench's code breaks an exact descent/ascent tie the other
 * way; only the tie order differs). A NaN loss never wins.
 * No weight decay: θ − η(ĝ + λθ) is not θ + s·ĝ for any scale s, so the candidate evaluated would not
 * be the point applied without a d-size copy of θ.
 */
import { Perturber } from '../../estimators/perturb.ts';
import { defineUpdateRule, noSettings } from '../definition.ts';
import type { StepPolicy, UpdateRule } from '../types.ts';
import { createZoSgd } from './zo-sgd.ts';

/** θ, θ − ηĝ and θ + ηĝ: one forward pass each. */
const CANDIDATE_PASSES = 3;

const conservativePolicy: StepPolicy = {
  forwardPassesPerStep: CANDIDATE_PASSES,
  async choose({ objective, params, estimate, lr }) {
    const perturber = new Perturber(objective);
    const step = lr * (estimate.lrScale ?? 1);
    const stay = (await perturber.evaluateAt(params, null, 0)).value;
    const descent = (await perturber.evaluateAt(params, estimate.terms, -step)).value;
    const ascent = (await perturber.evaluateAt(params, estimate.terms, step)).value;
    const forwardPasses = perturber.takeForwardPasses();
    // NaN compares false with everything; as +∞ it simply never wins.
    const finite = (loss: number) => (Number.isNaN(loss) ? Infinity : loss);
    let best = { lr: 0, loss: stay };
    if (finite(descent) <= finite(best.loss)) best = { lr, loss: descent };
    if (finite(ascent) < finite(best.loss)) best = { lr: -lr, loss: ascent };
    return { ...best, forwardPasses };
  },
};

export function createZoSgdCons(): UpdateRule<null> {
  const sgd = createZoSgd({ weightDecay: 0 });
  return {
    id: 'zo-sgd-cons',
    init: sgd.init,
    apply: sgd.apply,
    isPlainStep: sgd.isPlainStep,
    policy: conservativePolicy,
  };
}

export const zoSgdCons = defineUpdateRule({
  id: 'zo-sgd-cons',
  name: 'ZO-SGD-Cons (conservative)',
  paper:
    'Zhang et al., Revisiting Zeroth-Order Optimization for Memory-Efficient LLM Fine-Tuning, ICML 2024 (ZO-Bench)',
  help: 'Keeps the lowest minibatch loss among θ, θ − ηĝ and θ + ηĝ, so no step raises its batch loss; 3 forward passes per step on top of the estimator.',
  schema: noSettings,
  stateFloatsPerParam: 0,
  create: createZoSgdCons,
});
