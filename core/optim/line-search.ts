/**
 * Armijo backtracking line search with noise slack, as analysed for derivative-free gradients by
 * Berahas, Cao, Choromanski, Scheinberg (FoCM 2022) on top of Berahas, Cao, Scheinberg's noisy line search:
 *   accept α when f(x − αg) ≤ f(x) − c₁·α·‖g‖² + 2ε_f, else α ← τ·α (down to α_min);
 *   after an accepted step the next trial starts at α/τ.
 * c₁ = 1e-4 and τ = 0.5 are our defaults (the paper leaves them open). Meant for full-batch analytic
 * objectives and calibration runs, not minibatch LLM training (a minibatch loss is not one function).
 */

export interface ArmijoOptions {
  /** Sufficient-decrease constant c₁. */
  c1?: number;
  /** Backtracking factor τ ∈ (0, 1). */
  shrink?: number;
  /** Smallest step tried before giving up. */
  minStep?: number;
  /** Bound ε_f on the noise in f (0 for exact objectives). */
  noise?: number;
}

export interface ArmijoResult {
  /** The new point (x itself when no step was accepted). */
  x: Float64Array;
  value: number;
  /** The accepted step α (0 when none). */
  step: number;
  /** Where the next search should start: α/τ after success, the last α tried after failure. */
  nextStep: number;
  evaluations: number;
  accepted: boolean;
}

export async function armijoStep(
  f: (x: Float64Array) => number | Promise<number>,
  x: Float64Array,
  fx: number,
  g: Float64Array,
  initialStep: number,
  options: ArmijoOptions = {},
): Promise<ArmijoResult> {
  const { c1 = 1e-4, shrink = 0.5, minStep = 1e-12, noise = 0 } = options;
  if (!(shrink > 0 && shrink < 1)) throw new RangeError(`armijo: shrink ${shrink} must lie in (0, 1)`);
  let gg = 0;
  for (const v of g) gg += v * v;
  let step = initialStep;
  let evaluations = 0;
  while (step >= minStep) {
    const trial = x.map((v, i) => v - step * (g[i] as number));
    const value = await f(trial);
    evaluations++;
    if (value <= fx - c1 * step * gg + 2 * noise) {
      return { x: trial, value, step, nextStep: step / shrink, evaluations, accepted: true };
    }
    step *= shrink;
  }
  return { x, value: fx, step: 0, nextStep: step / shrink, evaluations, accepted: false };
}
