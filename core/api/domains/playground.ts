// playground.*: base vs tuned model, generating from the same prompt.
import { z } from 'zod';
import { defineMethod } from '../method.ts';

const generation = z.object({
  text: z.string(),
  tokens: z.number().int().nonnegative(),
  elapsedMs: z.number().nonnegative(),
});

export const playgroundMethods = {
  'playground.generate': defineMethod(
    z.object({
      runId: z.string().min(1),
      prompt: z.string().min(1).max(20_000),
      maxNewTokens: z.number().int().min(1).max(512).default(48),
    }),
    z.object({ base: generation, tuned: generation }),
    "Greedy-decode the same prompt with the run's base model and with its newest checkpoint.",
  ),
};
