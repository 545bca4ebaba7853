// What every estimator folder exports: a validated config schema (defaults + one-line help per field),
// the paper, presets, per-PEFT-mode suggestions, and a factory. The registry lists these; the CLI and
// the wizard read them.
import type { z } from 'zod';
import type { Estimator } from './types.ts';

export type PeftMode = 'full' | 'lora' | 'prefix';

export interface Suggestion {
  lr: number;
  eps: number;
  /** Where the numbers come from (paper table, repo script, or our small-scale measurement). */
  source: string;
}

export interface EstimatorDefinition<C extends Record<string, unknown> = Record<string, unknown>> {
  id: string;
  name: string;
  /** Citation: authors, title, venue. */
  paper: string;
  /** One line for the wizard: what it does and when to pick it. */
  help: string;
  /** A strict zod object: every field has a default and a `.describe()` help text. */
  schema: z.ZodType<C, Partial<C>>;
  forwardPassesPerStep(config: C): number;
  presets: { name: string; values: Partial<C> }[];
  suggested: Partial<Record<PeftMode, Suggestion>>;
  create(config: C): Estimator<unknown>;
}

/** Identity helper that keeps C inferred from the schema at each definition site. */
export function defineEstimator<C extends Record<string, unknown>>(
  definition: EstimatorDefinition<C>,
): EstimatorDefinition<C> {
  return definition;
}
