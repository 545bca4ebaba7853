// The run configuration: everything that defines a training run, validated with zod at the door
// (CLI flags, run.json, the UI's start request, a fork's overrides). A stored run is this object, so
// resume and fork re-validate what was saved instead of trusting it.
import { z } from 'zod';

const positiveInt = z.number().int().positive();

export const DataConfigSchema = z.object({
  /** Training rows: a file path (jsonl, json, csv, tsv, parquet, txt) or `hf:owner/name[:subset][@split]`. */
  train: z.string().min(1),
  /** Validation rows; without it the last rows of `train` are held out (see `heldOutRows`). */
  validation: z.string().min(1).optional(),
  /** `lm`, `classification`, or a built-in task name (sst2, rte, ...). */
  task: z.string().min(1).default('lm'),
  /** Task field (text, label, premise, ...) → dataset column, when detection guesses wrong. */
  columns: z.record(z.string(), z.string()).optional(),
  /** Tokens per training sequence; longer rows are truncated (and counted). */
  maxLength: positiveInt.default(128),
  /** Use only the first N training rows (after import): quick experiments, k-shot setups. */
  trainRows: positiveInt.optional(),
  /** Rows held out of `train` for validation when no validation file is given. */
  heldOutRows: positiveInt.default(64),
});

export const PeftConfigSchema = z.discriminatedUnion('mode', [
  z.object({
    mode: z.literal('lora'),
    rank: positiveInt.default(8),
    alpha: z.number().positive().default(16),
    /** Module names to adapt (q_proj, v_proj, c_attn, ...); unset = the model family's default. */
    targets: z.array(z.string().min(1)).min(1).optional(),
  }),
  z.object({ mode: z.literal('prefix'), tokens: positiveInt.default(5) }),
  z.object({ mode: z.literal('full') }),
]);

export const ScheduleSchema = z.object({
  kind: z.enum(['constant', 'linear', 'cosine']).default('constant'),
  /** Steps of linear warm-up from 0 to the base learning rate (0 = none). */
  warmupSteps: z.number().int().nonnegative().default(0),
  /** Learning rate at the end of a linear/cosine decay, as a fraction of the base rate. */
  finalRatio: z.number().min(0).max(1).default(0),
});

/** The budget is counted in steps or in forward passes (ZO's unit of cost); exactly one of them. */
export const BudgetSchema = z.union([
  z.object({ steps: positiveInt }).strict(),
  z.object({ forwardPasses: positiveInt }).strict(),
]);

export const RunConfigSchema = z.object({
  name: z.string().optional(),
  /** Local Hugging Face model folder (config.json, *.safetensors, tokenizer.json). */
  model: z.string().min(1),
  data: DataConfigSchema,
  peft: PeftConfigSchema.default({ mode: 'lora', rank: 8, alpha: 16 }),
  /**
   * A PEFT adapter folder (adapter_config.json + adapter_model.safetensors) whose tensors are the
   * run's starting parameters; `peft` must describe the same adapter (see init-adapter.ts).
   */
  initAdapter: z.string().min(1).optional(),
  /** Estimator id from core/estimators' registry; `settings` is checked against its own schema. */
  estimator: z
    .object({
      id: z.string().min(1).default('mezo'),
      settings: z.record(z.string(), z.unknown()).default({}),
    })
    .default({ id: 'mezo', settings: {} }),
  /** Update rule id from core/optim (zo-sgd, zo-adam, ...) and its settings. */
  optimizer: z
    .object({
      id: z.string().min(1).default('zo-sgd'),
      settings: z.record(z.string(), z.unknown()).default({}),
    })
    .default({ id: 'zo-sgd', settings: {} }),
  lr: z.number().positive(),
  schedule: ScheduleSchema.default({ kind: 'constant', warmupSteps: 0, finalRatio: 0 }),
  budget: BudgetSchema,
  batchSize: positiveInt.default(16),
  eval: z
    .object({
      /** Evaluate on the validation rows every N steps (and always before step 0 and at the end). */
      everySteps: positiveInt.default(50),
      /** Validation rows used per evaluation (the first N, so every evaluation sees the same rows). */
      rows: positiveInt.default(100),
    })
    .default({ everySteps: 50, rows: 100 }),
  seed: z.number().int().nonnegative().default(0),
  ep: z.enum(['cpu', 'webgpu', 'cuda', 'auto']).default('cpu'),
  /** ORT intra-op threads; unset = the runtime's default. */
  threads: positiveInt.optional(),
  /** What the estimator minimizes: the loss, or 1 − accuracy (MeZO: non-differentiable objectives work). */
  objective: z.enum(['loss', 'accuracy']).default('loss'),
  /** Stop when validation loss has not improved by `minDelta` for `patience` evaluations. */
  earlyStopping: z
    .object({ patience: positiveInt, minDelta: z.number().nonnegative().default(0) })
    .optional(),
  /** Stop when a train loss is NaN/inf or exceeds `lossFactor` × the baseline validation loss. */
  divergence: z.object({ lossFactor: z.number().gt(1).default(3) }).default({ lossFactor: 3 }),
  checkpoint: z
    .object({ everySteps: positiveInt.default(100), keep: positiveInt.default(3) })
    .default({ everySteps: 100, keep: 3 }),
});

export type RunConfig = z.infer<typeof RunConfigSchema>;
export type RunConfigInput = z.input<typeof RunConfigSchema>;

/**
 * What a caller may send to start a run: a RunConfig whose lr may be left out, to be filled by
 * TrainingManager.start from the estimator's suggestion for the run's PEFT mode.
 */
export const RunRequestSchema = RunConfigSchema.extend({ lr: z.number().positive().optional() });
export type RunRequestInput = z.input<typeof RunRequestSchema>;
export type PeftConfig = z.infer<typeof PeftConfigSchema>;
export type DataConfig = z.infer<typeof DataConfigSchema>;
export type Schedule = z.infer<typeof ScheduleSchema>;

export class RunConfigError extends Error {
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(`${source}: ${message}`);
    this.name = 'RunConfigError';
  }
}

/** Validates a run config; `source` names where it came from (a file, "flags", "fork overrides"). */
export function parseRunConfig(input: unknown, source: string): RunConfig {
  const result = RunConfigSchema.safeParse(input);
  if (!result.success)
    throw new RunConfigError(source, `invalid run config\n${z.prettifyError(result.error)}`);
  return result.data;
}

/** A fork's changed settings applied over a stored config: objects merge, everything else replaces. */
export function applyOverrides(
  base: RunConfig,
  overrides: Record<string, unknown>,
  source: string,
): RunConfig {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    // A budget is steps XOR forward passes: merging {steps} with {forwardPasses} would set both.
    merged[key] = key === 'budget' ? value : deepMerge(merged[key], value);
  }
  return parseRunConfig(merged, source);
}

function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) merged[key] = deepMerge(base[key], value);
  return merged;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
