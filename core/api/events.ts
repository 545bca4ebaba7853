// Events pushed from the backend to every open window/page, keyed by `kind`. The UI switches on kind
// exhaustively; each transport validates an event with apiEventSchema before handing it on.
import { z } from 'zod';
import { runStatusSchema } from './domains/runs.ts';

export const runStepEventSchema = z.object({
  kind: z.literal('run.step'),
  runId: z.string(),
  step: z.number().int().nonnegative(),
  forwardPasses: z.number().int().nonnegative(),
  elapsedMs: z.number().nonnegative(),
  trainLoss: z.number(),
  learningRate: z.number(),
  stepsPerSecond: z.number().nonnegative(),
  /** Estimated time to the end of the budget; null until enough steps ran to say. */
  etaMs: z.number().nonnegative().nullable(),
  memoryBytes: z.number().nonnegative(),
  device: z.string(),
});

export const runEvalEventSchema = z.object({
  kind: z.literal('run.eval'),
  runId: z.string(),
  step: z.number().int().nonnegative(),
  forwardPasses: z.number().int().nonnegative(),
  elapsedMs: z.number().nonnegative(),
  /** Step 0 with isBaseline = the zero-shot score of the base model. */
  isBaseline: z.boolean(),
  metrics: z.record(z.string(), z.number()),
});

export const runStatusEventSchema = z.object({
  kind: z.literal('run.status'),
  runId: z.string(),
  status: runStatusSchema,
  message: z.string().optional(),
});

export const downloadProgressEventSchema = z.object({
  kind: z.literal('download.progress'),
  downloadId: z.string(),
  what: z.enum(['model', 'dataset']),
  id: z.string(),
  file: z.string(),
  loadedBytes: z.number().nonnegative(),
  totalBytes: z.number().nonnegative().nullable(),
  state: z.enum(['running', 'done', 'failed']),
  /** On done: the local folder/file; on failed: the reason. */
  result: z.string().optional(),
});

export const apiEventSchema = z.discriminatedUnion('kind', [
  runStepEventSchema,
  runEvalEventSchema,
  runStatusEventSchema,
  downloadProgressEventSchema,
]);
export type ApiEvent = z.infer<typeof apiEventSchema>;
export type ApiEventKind = ApiEvent['kind'];
export type ApiEventOf<K extends ApiEventKind> = Extract<ApiEvent, { kind: K }>;
