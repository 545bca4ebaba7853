/**
 * Linear interpolation (Berahas et al. 2022, and "Linear Interpolation Gives Better Gradients than
 * Gaussian Smoothing", arXiv 1905.13043): with unit directions as the rows of Q and y_i the directional
 * difference along u_i, ĝ solves Q·g = y in the least-squares sense: minimum-norm g = Qᵀ(QQᵀ)⁻¹y for
 * N ≤ d (the projection of ∇f onto span{u_i}), g = (QᵀQ)⁻¹Qᵀy for N > d. Orthonormal rows make it Qᵀy.
 * Cost: N+1 passes (forward) or 2N (central). Property: on a quadratic with N = d and central
 * differences the estimate is exact.
 */
import { defineEstimator } from '../definition.ts';
import { differencePasses, sampleDifferences, totalLength, weightedRows } from '../directions.ts';
import { gram, solveSpd } from '../linalg.ts';
import type { EstimateTerm, Estimator } from '../types.ts';
import { interpolationConfig, type InterpolationConfig } from './config.ts';

/** Largest d for which the N > d normal equations (d×d) are formed. */
const MAX_OVERDETERMINED_D = 4096;

export function createInterpolation(config: InterpolationConfig): Estimator<null> {
  const n = config.directions;
  return {
    id: 'interpolation',
    forwardPassesPerStep: differencePasses(n, config.difference),
    init: () => null,
    async estimate({ objective, params, seed }) {
      const d = totalLength(params);
      if (n > d && d > MAX_OVERDETERMINED_D) {
        throw new Error(
          `interpolation: directions ${n} > d = ${d} needs a d×d solve; allowed only for d ≤ ${MAX_OVERDETERMINED_D} (lower "directions")`,
        );
      }
      // Unit rows: the least-squares system is in terms of directions, not Gaussian-scaled samples.
      const { rows, differences, loss, forwardPasses } = await sampleDifferences(objective, params, seed, {
        ...config,
        length: 'unit',
      });
      const y = Float64Array.from(differences);
      let terms: EstimateTerm[][];
      if (n <= d) {
        // Minimum-norm solution: g = Qᵀw with (QQᵀ)w = y. Orthonormal rows (float64 QR, stored float32)
        // have QQᵀ = I up to float32 rounding, so w = y: no Gram matrix over N full-length rows, which
        // was about a fifth of this estimator's full-parameter bookkeeping.
        const weights =
          config.sampling === 'orthogonal' ? y : solveSpd(gram(rows.map((r) => Float64Array.from(r))), y);
        terms = weightedRows(params, rows, weights);
      } else {
        const wide = rows.map((r) => Float64Array.from(r));
        // Least squares: (QᵀQ)g = Qᵀy, with QᵀQ = Σ_i u_i u_iᵀ (d×d).
        const K = new Float64Array(d * d);
        const rhs = new Float64Array(d);
        wide.forEach((u, i) => {
          for (let a = 0; a < d; a++) {
            rhs[a] = (rhs[a] as number) + (u[a] as number) * (y[i] as number);
            for (let b = 0; b < d; b++)
              K[a * d + b] = (K[a * d + b] as number) + (u[a] as number) * (u[b] as number);
          }
        });
        const g = Float32Array.from(solveSpd(K, rhs));
        terms = weightedRows(params, [g], [1]);
      }
      return { estimate: { terms }, state: null, forwardPasses, loss };
    },
  };
}

export const interpolation = defineEstimator({
  id: 'interpolation',
  name: 'Linear interpolation',
  paper:
    'Berahas, Cao, Choromanski, Scheinberg, A Theoretical and Empirical Comparison of Gradient Approximations in Derivative-Free Optimization, FoCM 2022',
  help: "Least-squares gradient over N directional differences: the projection of the gradient onto N orthonormal directions, exact for N = d (small problems, calibration); being a projection (scale N/d), it wants a learning rate about d/N times MeZO's.",
  schema: interpolationConfig,
  forwardPassesPerStep: (config) => differencePasses(config.directions, config.difference),
  presets: [{ name: 'Forward, 8 orthonormal directions', values: { directions: 8, difference: 'forward' } }],
  suggested: {},
  create: createInterpolation,
});
