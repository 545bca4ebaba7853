// A minimal training loop for estimator tests: one zoStep (estimate, step policy, apply) per step — the
// same step core/train runs, so a rule's step policy is never skipped — with every state exposed so
// tests can checkpoint and resume mid-run.
import type { Estimator, Objective, Params } from '../../core/estimators/types.ts';
import type { UpdateRule } from '../../core/optim/types.ts';
import { zoStep } from '../../core/optim/zo-step.ts';
import { stepSeed } from '../../core/random/seed-sequence.ts';

export interface RunState {
  params: Params;
  estimatorState: unknown;
  optimizerState: unknown;
  step: number;
}

export interface StepLog {
  step: number;
  seed: number;
  loss: number;
  forwardPasses: number;
}

export function cloneParams(params: Params): Params {
  return params.map((p) => ({ ...p, data: Float32Array.from(p.data) }));
}

export function startRun(estimator: Estimator, rule: UpdateRule, params: Params): RunState {
  const copy = cloneParams(params);
  return { params: copy, estimatorState: estimator.init(copy), optimizerState: rule.init(copy), step: 0 };
}

/** Runs `steps` steps from `run` (mutating it) with seeds from the run seed sequence. */
export async function runSteps(
  estimator: Estimator,
  rule: UpdateRule,
  run: RunState,
  objective: Objective,
  steps: number,
  lr: number,
  runSeed = 7,
  anchorObjective?: Objective,
): Promise<StepLog[]> {
  const logs: StepLog[] = [];
  for (let i = 0; i < steps; i++) {
    const outcome = await zoStep(run, {
      estimator,
      rule,
      objective,
      step: run.step,
      runSeed,
      lr,
      anchorObjective,
    });
    logs.push({
      step: run.step,
      seed: stepSeed(runSeed, run.step),
      loss: outcome.result.loss,
      forwardPasses: outcome.forwardPasses,
    });
    run.step++;
  }
  return logs;
}
