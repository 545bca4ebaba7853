// The update-rule contract (optax-style: plain-data state, one pure-ish `init`/`apply` pair).
// `apply` mutates the parameters in place (they are the fp32 master copy) and returns the new state;
// compact estimates are expanded chunk by chunk inside the same pass (core/estimators/expand.ts).
import type { Estimate, Params } from '../estimators/types.ts';

export interface UpdateRule<S = unknown> {
  readonly id: string;
  init(params: Params): S;
  /** θ ← update(θ, ĝ); `lr` is this step's learning rate (schedules live in core/optim/schedules.ts). */
  apply(params: Params, estimate: Estimate, state: S, lr: number): S;
}
