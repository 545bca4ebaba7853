/**
 * ZO-Adam (ZO-Bench): Adam (Kingma & Ba) on the estimate, with bias correction:
 * m ← β₁m + (1−β₁)ĝ, v ← β₂v + (1−β₂)ĝ², θ ← θ − η·m̂/(√v̂ + δ) − η·λθ (decoupled, AdamW-style).
 * Two d-size buffers.
 */
import { z } from 'zod';
import { forEachChunk } from '../../estimators/expand.ts';
import { defineUpdateRule } from '../definition.ts';
import type { UpdateRule } from '../types.ts';
import { decays } from '../weight-decay.ts';

export const zoAdamConfig = z
  .object({
    beta1: z.number().min(0).max(1).default(0.9).describe('first-moment decay β₁'),
    beta2: z.number().min(0).max(1).default(0.999).describe('second-moment decay β₂'),
    epsilon: z.number().positive().default(1e-8).describe('denominator guard δ'),
    weightDecay: z.number().min(0).default(0).describe('decoupled weight decay λ (skips bias/norm)'),
  })
  .strict();

export interface AdamState {
  count: number;
  m: Float32Array[];
  v: Float32Array[];
}

export function createZoAdam(config: z.infer<typeof zoAdamConfig>): UpdateRule<AdamState> {
  return {
    id: 'zo-adam',
    init: (params) => ({
      count: 0,
      m: params.map((p) => new Float32Array(p.data.length)),
      v: params.map((p) => new Float32Array(p.data.length)),
    }),
    apply(params, estimate, state, lr) {
      const { beta1, beta2, epsilon } = config;
      const count = state.count + 1;
      const step = lr * (estimate.lrScale ?? 1);
      const correction1 = 1 - beta1 ** count;
      const correction2 = 1 - beta2 ** count;
      params.forEach((p, tensor) => {
        const theta = p.data;
        const m = state.m[tensor] as Float32Array;
        const v = state.v[tensor] as Float32Array;
        const wd = decays(p.name) ? config.weightDecay : 0;
        forEachChunk(estimate.terms[tensor] ?? [], tensor, theta.length, (g, start) => {
          for (let i = 0; i < g.length; i++) {
            const k = start + i;
            const gi = g[i] as number;
            const mi = beta1 * (m[k] as number) + (1 - beta1) * gi;
            const vi = beta2 * (v[k] as number) + (1 - beta2) * gi * gi;
            m[k] = mi;
            v[k] = vi;
            const t = theta[k] as number;
            theta[k] = t - step * (mi / correction1 / (Math.sqrt(vi / correction2) + epsilon) + wd * t);
          }
        });
      });
      return { ...state, count };
    },
  };
}

export const zoAdam = defineUpdateRule({
  id: 'zo-adam',
  name: 'ZO-Adam',
  paper: 'Zhang et al., Revisiting Zeroth-Order Optimization for Memory-Efficient LLM Fine-Tuning, ICML 2024',
  help: 'Adam on the estimate (two d-size buffers); per-coordinate step sizes, strongest on LoRA in ZO-Bench.',
  schema: zoAdamConfig,
  stateFloatsPerParam: 2,
  create: createZoAdam,
});
