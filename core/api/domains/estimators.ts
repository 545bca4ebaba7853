// estimators.*: wizard step 4 — the registry tables of gradient estimators (help, paper presets) and of
// the update rules that turn an estimate into a parameter change (zo-sgd, momentum, Adam, sign, Cons).
import { z } from 'zod';
import { defineMethod } from '../method.ts';

/** One setting of an estimator or an update rule: its name, one-line help and default. */
export const settingFieldSchema = z.object({
  name: z.string(),
  help: z.string(),
  default: z.union([z.number(), z.string(), z.boolean()]),
});
export type SettingField = z.infer<typeof settingFieldSchema>;

export const estimatorInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  summary: z.string(),
  paper: z.string(),
  forwardPassesPerStep: z.number().nonnegative(),
  fields: z.array(settingFieldSchema),
  /** Learning rate and ε that suit each PEFT mode, with where the numbers come from. */
  suggested: z.record(z.string(), z.object({ lr: z.number(), eps: z.number(), source: z.string() })),
  /** Named presets from the paper (e.g. "OPT full, paper"), each a field → value map. */
  presets: z.array(
    z.object({
      name: z.string(),
      values: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
    }),
  ),
});
export type EstimatorInfo = z.infer<typeof estimatorInfoSchema>;

export const updateRuleInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  summary: z.string(),
  paper: z.string(),
  /** Forward passes the rule adds to every step on top of the estimator's (a step policy's; 0 for most). */
  extraForwardPassesPerStep: z.number().int().nonnegative(),
  /** Optimizer state kept per trainable parameter (Adam: 2), for the memory it costs. */
  stateFloatsPerParam: z.number().int().nonnegative(),
  fields: z.array(settingFieldSchema),
});
export type UpdateRuleInfo = z.infer<typeof updateRuleInfoSchema>;

export const estimatorsMethods = {
  'estimators.list': defineMethod(
    z.object({}),
    z.object({ estimators: z.array(estimatorInfoSchema) }),
    'Every estimator with a one-line explanation, its fields and the paper defaults.',
  ),
  'estimators.updateRules': defineMethod(
    z.object({}),
    z.object({ updateRules: z.array(updateRuleInfoSchema) }),
    'Every update rule (the run config `optimizer`) with its help, settings, defaults and extra passes.',
  ),
};
