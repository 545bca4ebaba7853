import { z } from 'zod';

export const interpolationConfig = z
  .object({
    eps: z.number().positive().default(1e-3).describe('sampling radius σ'),
    directions: z.number().int().min(1).default(8).describe('N directions per step (N ≥ d needs d ≤ 4096)'),
    sampling: z
      .enum(['orthogonal', 'gaussian'])
      .default('orthogonal')
      .describe('unit directions: orthonormal rows (‖Q⁻¹‖ = 1, the best case) or normalized Gaussians'),
    difference: z
      .enum(['forward', 'central'])
      .default('forward')
      .describe('forward F_i = f(θ+σu_i) − f(θ) (N+1 passes, as in the paper) or central (2N passes)'),
  })
  .strict();

export type InterpolationConfig = z.infer<typeof interpolationConfig>;
