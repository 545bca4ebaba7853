// training.*: start a run from the wizard's settings, and control live runs. Runs live in the backend
// (worker), never in the page: closing the window does not stop them.
import { z } from 'zod';
import { defineMethod } from '../method.ts';
import { executionProviderSchema } from './system.ts';

const scalar = z.union([z.number(), z.string(), z.boolean()]);

export const peftSchema = z.discriminatedUnion('mode', [
  z.object({
    mode: z.literal('lora'),
    rank: z.number().int().min(1).max(256).default(8),
    alpha: z.number().positive().default(16),
    /** Module names to adapt; empty = the family's attention projections. */
    targets: z.array(z.string()).default([]),
  }),
  z.object({ mode: z.literal('prefix'), virtualTokens: z.number().int().min(1).max(512).default(16) }),
  z.object({ mode: z.literal('full') }),
]);
export type PeftSettings = z.infer<typeof peftSchema>;

export const runConfigInputSchema = z.object({
  name: z.string().max(120).optional(),
  modelDir: z.string().min(1),
  dataset: z.object({
    train: z.string().min(1),
    validation: z.string().min(1).optional(),
    task: z.string().min(1),
    mapping: z.record(z.string(), z.string()).optional(),
  }),
  peft: peftSchema,
  estimator: z.object({ id: z.string().min(1), params: z.record(z.string(), scalar).default({}) }),
  optimizer: z.object({
    name: z.string().default('sgd'),
    lr: z.number().positive(),
    weightDecay: z.number().min(0).default(0),
  }),
  budget: z.object({ unit: z.enum(['steps', 'forward_passes']), value: z.number().int().positive() }),
  batchSize: z.number().int().min(1).max(4096),
  evalEvery: z.number().int().min(0),
  seed: z.number().int().min(0),
  device: executionProviderSchema,
  tags: z.array(z.string()).default([]),
});
export type RunConfigInput = z.infer<typeof runConfigInputSchema>;

const runRef = z.object({ runId: z.string().min(1) });
const ack = z.object({ runId: z.string(), status: z.string() });

export const trainingMethods = {
  'training.start': defineMethod(
    runConfigInputSchema,
    z.object({ runId: z.string() }),
    'Validate a config and start a run.',
  ),
  'training.pause': defineMethod(runRef, ack, 'Pause a running run (checkpoints first).'),
  'training.resume': defineMethod(
    runRef,
    ack,
    'Resume a paused or interrupted run from its last checkpoint.',
  ),
  'training.cancel': defineMethod(runRef, ack, 'Stop a run for good (its history and checkpoints stay).'),
  'training.fork': defineMethod(
    runRef.extend({
      checkpointStep: z.number().int().min(0).optional(),
      overrides: runConfigInputSchema.partial().default({}),
    }),
    z.object({ runId: z.string() }),
    'Start a new run from a checkpoint of another, with changed settings.',
  ),
  'training.estimate': defineMethod(
    runConfigInputSchema,
    z.object({
      memoryBytes: z.number().nonnegative(),
      availableMemoryBytes: z.number().nonnegative(),
      fits: z.boolean(),
      forwardPasses: z.number().int().nonnegative(),
      secondsPerForwardPass: z.number().nonnegative().nullable(),
      estimatedSeconds: z.number().nonnegative().nullable(),
      trainableParameters: z.number().int().nonnegative(),
    }),
    'Memory and time estimate of a config on this machine (the Review step).',
  ),
};
