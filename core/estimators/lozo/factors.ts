// LOZO's factors for one step. U_p = Gauss(step seed, lowRankU, p) is fresh every step; V_p =
// Gauss(vSeed, lowRankV, p) is fixed for a ν-period and is a pure function of the seed of the step that
// drew it, so state holds only that seed. Separate streams mean the U that is applied is always the U
// that was evaluated (the reference code's draw-order defect, estimators.md §4 Open b, cannot happen).
import { gaussianArray } from '../../random/gaussian.ts';
import { Stream } from '../../random/streams.ts';
import type { Direction } from '../perturb.ts';
import { matrixShape } from '../shapes.ts';
import type { EstimateTerm, Params } from '../types.ts';

export interface LozoState {
  /** Seed of the step that last resampled V (null before the first step). */
  vSeed: number | null;
}

/** V factors are regenerated only when vSeed changes (n·r floats per matrix). */
export class VFactors {
  private seed: number | null = null;
  private factors: (Float32Array | null)[] = [];

  get(params: Params, vSeed: number, rank: number): (Float32Array | null)[] {
    if (this.seed !== vSeed || this.factors.length !== params.length) {
      this.factors = params.map((p, tensor) => {
        const shape = matrixShape(p.shape);
        return shape
          ? gaussianArray(shape.cols * rank, { seed: vSeed, stream: Stream.lowRankV, tensor, sample: 0 })
          : null;
      });
      this.seed = vSeed;
    }
    return this.factors;
  }
}

/** Whether step t starts a new ν-period (or no V exists yet). */
export function resamplesV(state: LozoState, step: number, nu: number): boolean {
  return state.vSeed === null || step % nu === 0;
}

/** The perturbation direction of a step: U_pV_pᵀ for matrices, a full Gaussian z for other tensors. */
export function lozoDirection(
  params: Params,
  seed: number,
  v: readonly (Float32Array | null)[],
  rank: number,
): Direction {
  return params.map((p, tensor): EstimateTerm[] => {
    const shape = matrixShape(p.shape);
    const right = v[tensor];
    if (!shape || !right) return [{ kind: 'gaussian', seed, stream: Stream.direction, sample: 0, coef: 1 }];
    const left = gaussianArray(shape.rows * rank, { seed, stream: Stream.lowRankU, tensor, sample: 0 });
    return [{ kind: 'low-rank', rows: shape.rows, cols: shape.cols, rank, left, right }];
  });
}
