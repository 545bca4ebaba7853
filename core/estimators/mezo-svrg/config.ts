import { z } from 'zod';

export const mezoSvrgConfig = z
  .object({
    eps: z.number().positive().default(1e-3).describe('perturbation scale ε (CLI default 1e-3)'),
    q: z
      .number()
      .int()
      .min(1)
      .default(2)
      .describe('q: a large-batch anchor step every q steps (CLI default 2)'),
    anchorLrRatio: z
      .number()
      .positive()
      .default(1)
      .describe(
        'η₁/η₂: learning-rate multiplier on anchor steps (the paper tunes a separate full-batch rate η₁)',
      ),
    anchor: z
      .enum(['minibatch', 'large-batch'])
      .default('minibatch')
      .describe(
        'anchor gradient ḡ from the step minibatch, or from a large-batch objective the loop supplies (the paper: the full training set)',
      ),
  })
  .strict();

export type MezoSvrgConfig = z.infer<typeof mezoSvrgConfig>;
