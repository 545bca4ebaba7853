import { z } from 'zod';
import { lozoConfig } from '../lozo/config.ts';

export const lozoMConfig = lozoConfig
  .extend({
    beta: z.number().min(0).max(1).default(0.9).describe('momentum β of the factored EMA (paper: 0.9)'),
  })
  .strict();

export type LozoMConfig = z.infer<typeof lozoMConfig>;
