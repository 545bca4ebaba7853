// What every update rule exports: a strict config schema (defaults + help per field), the source, and
// a factory binding the config. The registry lists these.
import { z } from 'zod';
import type { UpdateRule } from './types.ts';

export interface UpdateRuleDefinition<C extends Record<string, unknown> = Record<string, unknown>> {
  id: string;
  name: string;
  paper: string;
  help: string;
  schema: z.ZodType<C, Partial<C>>;
  /** Extra memory in units of d (the trainable size): 0 for SGD, 1 for momentum, 2 for Adam. */
  stateFloatsPerParam: number;
  create(config: C): UpdateRule<unknown>;
}

export function defineUpdateRule<C extends Record<string, unknown>>(
  definition: UpdateRuleDefinition<C>,
): UpdateRuleDefinition<C> {
  return definition;
}

/** The schema of a rule without settings (unknown keys are refused by name). */
export const noSettings = z.object({}).strict();
