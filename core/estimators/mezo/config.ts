import { z } from 'zod';

export const mezoConfig = z
  .object({
    eps: z
      .number()
      .positive()
      .default(1e-3)
      .describe('perturbation scale ε (MeZO: 1e-3 full, 1e-2 LoRA, 1e-1 prefix)'),
    directions: z
      .number()
      .int()
      .min(1)
      .default(1)
      .describe('n in n-SPSA: independent directions averaged per step (2n forward passes; paper default 1)'),
  })
  .strict();

export type MezoConfig = z.infer<typeof mezoConfig>;
