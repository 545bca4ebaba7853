// estimators.*: wizard step 4 — the registry table of gradient estimators with help and paper presets.
import { z } from 'zod';
import { defineMethod } from '../method.ts';

export const estimatorFieldSchema = z.object({
  name: z.string(),
  help: z.string(),
  default: z.union([z.number(), z.string(), z.boolean()]),
});

export const estimatorInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  summary: z.string(),
  paper: z.string(),
  forwardPassesPerStep: z.number().nonnegative(),
  fields: z.array(estimatorFieldSchema),
  /** Named presets from the paper (e.g. "OPT full, paper"), each a field → value map. */
  /** Learning rate and ε that suit each PEFT mode, with where the numbers come from. */
  suggested: z.record(z.string(), z.object({ lr: z.number(), eps: z.number(), source: z.string() })),
  presets: z.array(
    z.object({
      name: z.string(),
      values: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
    }),
  ),
});
export type EstimatorInfo = z.infer<typeof estimatorInfoSchema>;

export const estimatorsMethods = {
  'estimators.list': defineMethod(
    z.object({}),
    z.object({ estimators: z.array(estimatorInfoSchema) }),
    'Every estimator with a one-line explanation, its fields and the paper defaults.',
  ),
};
