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
      maxNewTokens: z.number().int().min(1).max(1024).default(64),
      temperature: z.number().min(0).max(2).default(0),
      seed: z.number().int().min(0).default(0),
    }),
    z.object({ base: generation, tuned: generation }),
    "Generate from the run's base model and from the tuned model with the same prompt and seed.",
  ),
};
