// Shared by the export tests: fixture paths and "trained" parameter values for a PEFT plan.
import path from 'node:path';
import type { Params } from '../../core/estimators/types.ts';
import type { PeftPlan } from '../../core/peft/plan.ts';

export const MODELS = path.resolve(import.meta.dirname, '../../../shared/fixtures/models');

/** Deterministic non-zero values in [−scale, scale) for every trainable (B included, unlike PEFT's init). */
export function trainedParams(plan: PeftPlan, seed = 1, scale = 0.05): Params {
  let state = seed >>> 0;
  return plan.trainables.map((trainable) => {
    const size = trainable.shape.reduce((a, b) => a * b, 1);
    const data = Float32Array.from({ length: size }, () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return (state / 2 ** 32 - 0.5) * 2 * scale;
    });
    return { name: trainable.name, shape: [...trainable.shape], data };
  });
}
