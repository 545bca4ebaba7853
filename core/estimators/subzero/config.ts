import { z } from 'zod';

export const subzeroConfig = z
  .object({
    eps: z.number().positive().default(1e-3).describe('perturbation scale ε (code default 1e-3)'),
    rank: z
      .number()
      .int()
      .min(1)
      .default(8)
      .describe('subspace rank r per matrix (code 8; README example 24)'),
    refresh: z
      .number()
      .int()
      .min(1)
      .default(1000)
      .describe('T₀: steps between regenerating the orthonormal bases U, V (paper 1000; code 2000)'),
    peftReshape: z
      .boolean()
      .default(false)
      .describe(
        'view each 2-D tensor as a×b, a = largest divisor ≤ √numel (the paper does this for LoRA/prefix/prompt)',
      ),
  })
  .strict();

export type SubzeroConfig = z.infer<typeof subzeroConfig>;
