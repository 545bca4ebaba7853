import { z } from 'zod';

export const orthogonalConfig = z
  .object({
    eps: z.number().positive().default(1e-3).describe('sampling radius σ'),
    directions: z
      .number()
      .int()
      .min(1)
      .default(5)
      .describe('N directions per step (2N passes central, N+1 forward)'),
    sampling: z
      .enum(['orthogonal', 'gaussian'])
      .default('orthogonal')
      .describe(
        'orthogonal: rows of a Haar-random orthogonal block (QR + sign fix); gaussian: i.i.d. N(0, I)',
      ),
    length: z
      .enum(['chi', 'sqrt-d'])
      .default('chi')
      .describe(
        'row length: chi = norm of a fresh Gaussian (drop-in for Gaussian smoothing), sqrt-d = exactly √d',
      ),
    difference: z
      .enum(['central', 'forward'])
      .default('central')
      .describe('central [f(θ+σu) − f(θ−σu)]/2σ or forward [f(θ+σu) − f(θ)]/σ'),
  })
  .strict();

export type OrthogonalConfig = z.infer<typeof orthogonalConfig>;
