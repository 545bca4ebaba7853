// The update-rule contract (optax-style: plain-data state, one pure-ish `init`/`apply` pair).
// `apply` mutates the parameters in place (they are the fp32 master copy) and returns the new state;
// compact estimates are expanded chunk by chunk inside the same pass (core/estimators/expand.ts).
import type { Estimate, Objective, Params } from '../estimators/types.ts';

export interface UpdateRule<S = unknown> {
  readonly id: string;
  init(params: Params): S;
  /** θ ← update(θ, ĝ); `lr` is this step's learning rate (schedules live in core/optim/schedules.ts). */
  apply(params: Params, estimate: Estimate, state: S, lr: number): S;
  /**
   * Only for step-level rules, which evaluate the step's minibatch before they update (ZO-SGD-Cons).
   * `zoStep` (zo-step.ts) runs it between estimate and `apply` and applies the learning rate it chooses.
   */
  readonly policy?: StepPolicy;
  /**
   * Whether `apply` on the tensor named `name` is exactly θ ← θ − lr·lrScale·ĝ (no state, no decay), so
   * a copy of θ held elsewhere (the WebGPU device copy) can repeat the update from ĝ alone. Absent: no.
   */
  readonly isPlainStep?: (name: string) => boolean;
}

/** What a step-level rule sees: the step's minibatch, the parameters, the estimate and the step's lr. */
export interface StepPolicyInput {
  objective: Objective;
  params: Params;
  estimate: Estimate;
  lr: number;
}

export interface StepPolicyChoice {
  /** The learning rate `apply` gets: the step's lr or another multiple of it; 0 keeps θ (no apply). */
  lr: number;
  /** The minibatch loss at the point chosen (as evaluated). */
  loss: number;
  /** Forward passes the policy ran (counted, not assumed). */
  forwardPasses: number;
}

export interface StepPolicy {
  /** Upper bound on the forward passes it adds to each step, for budgets and cost displays. */
  readonly forwardPassesPerStep: number;
  choose(input: StepPolicyInput): Promise<StepPolicyChoice>;
}
