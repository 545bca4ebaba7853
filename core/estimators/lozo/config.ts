import { z } from 'zod';

export const lozoConfig = z
  .object({
    eps: z.number().positive().default(1e-3).describe('perturbation scale ε (LOZO README: 1e-3)'),
    rank: z.number().int().min(1).default(2).describe('rank r of the perturbation U·Vᵀ (README: 1 or 2)'),
    nu: z
      .number()
      .int()
      .min(1)
      .default(50)
      .describe('ν: steps between resampling V (lazy sampling; README 50 or 100)'),
  })
  .strict();

export type LozoConfig = z.infer<typeof lozoConfig>;
