// training.*: start a run from the wizard's settings, and control live runs. Runs live in the backend
// (worker), never in the page: closing the window does not stop them. The run config schema is
// core/train's own (pure zod, no Node imports), so the wizard, the CLI and run.json share one shape.
import { z } from 'zod';
import { RunConfigSchema, RunRequestSchema, type RunConfigInput } from '../../train/config.ts';
import { defineMethod } from '../method.ts';
import { runStatusSchema } from './runs.ts';

export { RunConfigSchema };
export type { RunConfigInput };

const runRef = z.object({ runId: z.string().min(1) });
const ack = z.object({ runId: z.string(), status: runStatusSchema });

export const trainingMethods = {
  'training.start': defineMethod(
    // lr may be left out: the backend takes the estimator's suggestion for the PEFT mode and says so.
    RunRequestSchema,
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
      /** Changed settings merged over the stored config (objects merge, the budget replaces). */
      overrides: z.record(z.string(), z.unknown()).default({}),
    }),
    z.object({ runId: z.string() }),
    'Start a new run from a checkpoint of another, with changed settings.',
  ),
  'training.estimate': defineMethod(
    RunConfigSchema,
    z.object({
      /** Measured growth of the backend plus the update rule's state (`updateRuleStateBytes`). */
      memoryBytes: z.number().nonnegative(),
      /** The update rule's state, counted rather than measured (allocated at the first step). */
      updateRuleStateBytes: z.number().int().nonnegative(),
      availableMemoryBytes: z.number().nonnegative(),
      fits: z.boolean(),
      forwardPasses: z.number().int().nonnegative(),
      trainableParameters: z.number().int().nonnegative(),
      /** Measured on this machine with one timed forward pass; null when it could not be measured. */
      secondsPerForwardPass: z.number().nonnegative().nullable(),
      estimatedSeconds: z.number().nonnegative().nullable(),
    }),
    'Memory and time estimate of a config on this machine (the Review step).',
  ),
};
