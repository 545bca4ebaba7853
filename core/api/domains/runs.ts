// runs.*: the run history (SQLite): list, details, aligned metric series and config differences.
import { z } from 'zod';
import { defineMethod } from '../method.ts';

export const runStatusSchema = z.enum([
  'queued',
  'running',
  'paused',
  'completed',
  'cancelled',
  'failed',
  'interrupted',
]);
export type RunStatus = z.infer<typeof runStatusSchema>;

export const runSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  status: runStatusSchema,
  model: z.string(),
  dataset: z.string(),
  task: z.string(),
  estimator: z.string(),
  /** The update rule id (the run config's `optimizer.id`). */
  updateRule: z.string(),
  peft: z.string(),
  seed: z.number().int(),
  createdAtMs: z.number(),
  steps: z.number().int().nonnegative(),
  forwardPasses: z.number().int().nonnegative(),
  finalLoss: z.number().nullable(),
  bestMetric: z.object({ name: z.string(), value: z.number() }).nullable(),
  tags: z.array(z.string()),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

export const xAxisSchema = z.enum(['step', 'forward_passes', 'wall_time']);
export type XAxis = z.infer<typeof xAxisSchema>;

export const seriesSchema = z.object({
  runId: z.string(),
  metric: z.string(),
  points: z.array(z.object({ x: z.number(), y: z.number() })),
});
export type Series = z.infer<typeof seriesSchema>;

export const runPointSchema = z.object({
  step: z.number().int().nonnegative(),
  forwardPasses: z.number().int().nonnegative(),
  elapsedMs: z.number().nonnegative(),
  value: z.number(),
});
export type RunPoint = z.infer<typeof runPointSchema>;

const configValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const runsMethods = {
  'runs.list': defineMethod(
    z.object({ status: runStatusSchema.optional(), search: z.string().optional() }),
    z.object({ runs: z.array(runSummarySchema) }),
    'All runs, newest first.',
  ),
  'runs.get': defineMethod(
    z.object({ id: z.string().min(1) }),
    z.object({
      run: runSummarySchema,
      config: z.record(z.string(), z.unknown()),
      checkpoints: z.array(
        z.object({ step: z.number().int(), bytes: z.number().nonnegative(), createdAtMs: z.number() }),
      ),
      baseline: z.record(z.string(), z.number()).nullable(),
    }),
    'One run with its config, checkpoints and zero-shot baseline.',
  ),
  'runs.series': defineMethod(
    z.object({
      ids: z.array(z.string()).min(1).max(32),
      x: xAxisSchema.default('step'),
      metrics: z.array(z.string()).optional(),
    }),
    z.object({ series: z.array(seriesSchema) }),
    'Metric series of several runs aligned on one x-axis.',
  ),
  'runs.metrics': defineMethod(
    z.object({ id: z.string().min(1) }),
    z.object({ metrics: z.array(z.object({ name: z.string(), points: z.array(runPointSchema) })) }),
    "Every recorded metric of one run with all three coordinates (the live dashboard's history).",
  ),
  'runs.configDiff': defineMethod(
    z.object({ ids: z.array(z.string()).min(1).max(32) }),
    z.object({
      rows: z.array(z.object({ key: z.string(), values: z.array(configValue), differs: z.boolean() })),
    }),
    'Flattened configs side by side, each key marked when the runs disagree.',
  ),
  'runs.delete': defineMethod(
    z.object({ id: z.string().min(1) }),
    z.object({ deleted: z.boolean() }),
    'Delete a run and its files.',
  ),
  'runs.tag': defineMethod(
    z.object({ id: z.string().min(1), tags: z.array(z.string().min(1).max(40)) }),
    z.object({ tags: z.array(z.string()) }),
    'Replace the tags of a run.',
  ),
};
