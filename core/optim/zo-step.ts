// One ZO training step, the same everywhere it runs (the training loop, the benchmarks, the real-model
// tests): estimate with the step's seed, let the caller judge the estimate, run the update rule's step
// policy if it has one, then keep the estimator's state and apply the rule at the chosen learning rate.
// It lives in core/optim because it joins an estimator (core/estimators) to an update rule; core/train
// builds on it, never the reverse.
import type { Estimator, EstimateResult, Objective, Params } from '../estimators/types.ts';
import { stepSeed } from '../random/seed-sequence.ts';
import type { StepPolicyChoice, UpdateRule } from './types.ts';

/** The state a step reads and advances; the training loop's RunState is one. */
export interface ZoStepState {
  readonly params: Params;
  estimatorState: unknown;
  optimizerState: unknown;
}

export interface ZoStepInput {
  estimator: Estimator<unknown>;
  rule: UpdateRule<unknown>;
  /** The step's minibatch. */
  objective: Objective;
  /** Global step index t (0-based); the step's seed is stepSeed(runSeed, t). */
  step: number;
  runSeed: number;
  lr: number;
  /** A large-batch objective, for estimators that anchor on one (MeZO-SVRG). */
  anchorObjective?: Objective;
  /**
   * Runs after estimating, before anything changes: returns why this estimate must not reach the
   * parameters (the loop's divergence guard), or null to go on.
   */
  beforeApply?: (result: EstimateResult<unknown>) => string | null;
}

export type ZoStepOutcome =
  | {
      applied: true;
      result: EstimateResult<unknown>;
      /** The estimate's and the step policy's forward passes together. */
      forwardPasses: number;
      /** The learning rate the rule applied: `lr`, or what the step policy chose. */
      appliedLr: number;
      /** The step policy's choice, for rules that have one. */
      policy?: StepPolicyChoice;
    }
  | {
      applied: false;
      result: EstimateResult<unknown>;
      forwardPasses: number;
      /** What `beforeApply` said; the state and the parameters are untouched. */
      reason: string;
    };

export async function zoStep(state: ZoStepState, input: ZoStepInput): Promise<ZoStepOutcome> {
  const { estimator, rule, objective, step, lr } = input;
  const result = await estimator.estimate({
    objective,
    params: state.params,
    state: state.estimatorState,
    step,
    seed: stepSeed(input.runSeed, step),
    anchorObjective: input.anchorObjective,
  });
  const reason = input.beforeApply?.(result) ?? null;
  if (reason !== null) return { applied: false, result, forwardPasses: result.forwardPasses, reason };

  const policy = await rule.policy?.choose({
    objective,
    params: state.params,
    estimate: result.estimate,
    lr,
  });
  const appliedLr = policy ? policy.lr : lr;
  const forwardPasses = result.forwardPasses + (policy?.forwardPasses ?? 0);
  state.estimatorState = result.state;
  // A policy that keeps θ (lr 0) leaves the rule's state as it is too: no sweep over the parameters.
  // A plain lr of 0 still applies (a schedule's warm-up start; Adam's moments still advance).
  // The update rule applies the estimate's own lrScale (MeZO-SVRG anchor steps).
  if (policy?.lr !== 0)
    state.optimizerState = rule.apply(state.params, result.estimate, state.optimizerState, appliedLr);
  return { applied: true, result, forwardPasses, appliedLr, ...(policy ? { policy } : {}) };
}

/** Forward passes one step may spend: the estimator's bound plus the update rule's step policy. */
export function forwardPassesPerStep(estimator: Estimator<unknown>, rule: UpdateRule<unknown>): number {
  return estimator.forwardPassesPerStep + (rule.policy?.forwardPassesPerStep ?? 0);
}
