/**
 * Sign-based ZO updates, in both conventions found in the literature (estimators.md §7, Open):
 * - zo-sign-scalar (ZO-Bench's code): θ ← θ − η·sign(c)·d, i.e. the estimate with |c| dropped;
 *   needs an estimate of the form c·d (MeZO n=1, LOZO, SubZero).
 * - zo-sign-elementwise (ZO-signSGD literature): θ ← θ − η·sign(ĝ) entry by entry.
 */
import { forEachChunk } from '../../estimators/expand.ts';
import { defineUpdateRule, noSettings } from '../definition.ts';
import type { UpdateRule } from '../types.ts';

export function createZoSignScalar(): UpdateRule<null> {
  return {
    id: 'zo-sign-scalar',
    init: () => null,
    apply(params, estimate, state, lr) {
      if (estimate.c === undefined) {
        throw new Error(
          'zo-sign-scalar needs an estimate of the form c·d with one shared scalar c (mezo with directions 1, lozo, subzero); use zo-sign-elementwise for other estimators',
        );
      }
      if (estimate.c === 0) return state;
      const step = (lr * (estimate.lrScale ?? 1)) / Math.abs(estimate.c);
      params.forEach((p, tensor) => {
        const theta = p.data;
        forEachChunk(estimate.terms[tensor] ?? [], tensor, theta.length, (g, start) => {
          for (let i = 0; i < g.length; i++)
            theta[start + i] = (theta[start + i] as number) - step * (g[i] as number);
        });
      });
      return state;
    },
  };
}

export function createZoSignElementwise(): UpdateRule<null> {
  return {
    id: 'zo-sign-elementwise',
    init: () => null,
    apply(params, estimate, state, lr) {
      const step = lr * (estimate.lrScale ?? 1);
      params.forEach((p, tensor) => {
        const theta = p.data;
        forEachChunk(estimate.terms[tensor] ?? [], tensor, theta.length, (g, start) => {
          for (let i = 0; i < g.length; i++)
            theta[start + i] = (theta[start + i] as number) - step * Math.sign(g[i] as number);
        });
      });
      return state;
    },
  };
}

export const zoSignScalar = defineUpdateRule({
  id: 'zo-sign-scalar',
  name: 'ZO-Sign (sign of c)',
  paper: 'Zhang et al., ICML 2024 (ZO-Bench code: sign(c)·z)',
  help: 'Steps along the evaluated direction with the magnitude of c dropped: robust to loss-scale outliers.',
  schema: noSettings,
  stateFloatsPerParam: 0,
  create: createZoSignScalar,
});

export const zoSignElementwise = defineUpdateRule({
  id: 'zo-sign-elementwise',
  name: 'ZO-SignSGD (elementwise)',
  paper: 'Liu et al., signSGD via Zeroth-Order Oracle, ICLR 2019',
  help: 'Steps by the sign of every entry of the estimate (a fixed-size step per coordinate).',
  schema: noSettings,
  stateFloatsPerParam: 0,
  create: createZoSignElementwise,
});
