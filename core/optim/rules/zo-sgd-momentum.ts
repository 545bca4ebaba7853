/**
 * ZO-SGD-MMT (ZO-Bench): heavy-ball momentum as in torch.optim.SGD (dampening 0):
 * b ← β·b + ĝ + λθ;  θ ← θ − η·b. One d-size buffer.
 */
import { z } from 'zod';
import { forEachChunk } from '../../estimators/expand.ts';
import { defineUpdateRule } from '../definition.ts';
import type { UpdateRule } from '../types.ts';
import { decays } from '../weight-decay.ts';

export const zoSgdMomentumConfig = z
  .object({
    beta: z.number().min(0).max(1).default(0.9).describe('momentum β (ZO-Bench: 0.9)'),
    weightDecay: z.number().min(0).default(0).describe('L2 weight decay λ added to ĝ (skips bias/norm)'),
  })
  .strict();

export interface MomentumState {
  buffers: Float32Array[];
}

export function createZoSgdMomentum(config: z.infer<typeof zoSgdMomentumConfig>): UpdateRule<MomentumState> {
  return {
    id: 'zo-sgd-momentum',
    init: (params) => ({ buffers: params.map((p) => new Float32Array(p.data.length)) }),
    apply(params, estimate, state, lr) {
      const step = lr * (estimate.lrScale ?? 1);
      const { beta } = config;
      params.forEach((p, tensor) => {
        const theta = p.data;
        const buffer = state.buffers[tensor] as Float32Array;
        const wd = decays(p.name) ? config.weightDecay : 0;
        forEachChunk(estimate.terms[tensor] ?? [], tensor, theta.length, (g, start) => {
          for (let i = 0; i < g.length; i++) {
            const t = theta[start + i] as number;
            const b = beta * (buffer[start + i] as number) + (g[i] as number) + wd * t;
            buffer[start + i] = b;
            theta[start + i] = t - step * b;
          }
        });
      });
      return state;
    },
  };
}

export const zoSgdMomentum = defineUpdateRule({
  id: 'zo-sgd-momentum',
  name: 'ZO-SGD with momentum',
  paper: 'Zhang et al., Revisiting Zeroth-Order Optimization for Memory-Efficient LLM Fine-Tuning, ICML 2024',
  help: 'Heavy-ball momentum on the estimate (one d-size buffer); smooths noisy ZO steps.',
  schema: zoSgdMomentumConfig,
  stateFloatsPerParam: 1,
  create: createZoSgdMomentum,
});
