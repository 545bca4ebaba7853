import { z } from 'zod';

export const pseuzoConfig = z
  .object({
    eps: z
      .number()
      .positive()
      .default(1e-3)
      .describe('perturbation scale ε (README: 1e-3 full, 1e-2 LoRA, 1e-1 prefix)'),
    window: z
      .number()
      .int()
      .min(1)
      .default(14)
      .describe('W: (seed, Δo) pairs kept in the sliding window (reference: 14)'),
    beta: z
      .number()
      .min(0)
      .max(1)
      .default(0.9)
      .describe('fixed EMA decay β of the Jacobian estimate (schedule "fixed")'),
    schedule: z
      .enum(['fixed', 'cyclic'])
      .default('fixed')
      .describe(
        "fixed β (default), or the reference code's cyclic hyperbola: β = 1/(1+10k) for epochs k = 0..10 of each cycle, then β = 0 = plain MeZO",
      ),
    epochSteps: z
      .number()
      .int()
      .min(1)
      .default(64)
      .describe('cyclic schedule: steps per epoch (reference: 1024 examples / batch 16)'),
    cycleEpochs: z
      .number()
      .int()
      .min(1)
      .default(78)
      .describe('cyclic schedule: epochs per cycle (reference: half the run)'),
    normalization: z
      .enum(['sum', 'ema'])
      .default('sum')
      .describe(
        "sum: Σβ^k terms as in the paper (unnormalized); ema: divided by Σβ^k so the scale is MeZO's",
      ),
  })
  .strict();

export type PseuzoConfig = z.infer<typeof pseuzoConfig>;
