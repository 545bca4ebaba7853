/** ZO-SGD: θ ← θ − η·(ĝ + λ·θ·[tensor decays]). Fused: ĝ is expanded chunk by chunk inside the one pass. */
import { z } from 'zod';
import { forEachChunk, writePerturbed } from '../../estimators/expand.ts';
import { defineUpdateRule } from '../definition.ts';
import type { UpdateRule } from '../types.ts';
import { decays } from '../weight-decay.ts';

export const zoSgdConfig = z
  .object({
    weightDecay: z
      .number()
      .min(0)
      .default(0)
      .describe('L2 weight decay λ added to ĝ (skips bias/norm tensors)'),
  })
  .strict();

export function createZoSgd(config: z.infer<typeof zoSgdConfig>): UpdateRule<null> {
  return {
    id: 'zo-sgd',
    init: () => null,
    isPlainStep: (name) => config.weightDecay === 0 || !decays(name),
    apply(params, estimate, state, lr) {
      const step = lr * (estimate.lrScale ?? 1);
      params.forEach((p, tensor) => {
        const theta = p.data;
        const wd = decays(p.name) ? config.weightDecay : 0;
        const terms = estimate.terms[tensor] ?? [];
        // Without decay the update is θ + (−η)·ĝ: the fused in-place sweep.
        if (wd === 0) return writePerturbed(theta, theta, terms, tensor, -step);
        forEachChunk(terms, tensor, theta.length, (g, start) => {
          for (let i = 0; i < g.length; i++) {
            const t = theta[start + i] as number;
            theta[start + i] = t - step * ((g[i] as number) + wd * t);
          }
        });
      });
      return state;
    },
  };
}

export const zoSgd = defineUpdateRule({
  id: 'zo-sgd',
  name: 'ZO-SGD',
  paper: 'Malladi et al., NeurIPS 2023 (MeZO); Zhang et al., ICML 2024 (ZO-Bench)',
  help: 'Plain SGD on the estimate; no extra memory. The default for every estimator.',
  schema: zoSgdConfig,
  stateFloatsPerParam: 0,
  create: createZoSgd,
});
