// Which tensors low-rank estimators treat as matrices, and in which shape.

/** The m×n matrix view of a tensor whose squeezed rank is 2 (size-1 axes dropped), else null. */
export function matrixShape(shape: readonly number[]): { rows: number; cols: number } | null {
  const dims = shape.filter((d) => d !== 1);
  if (dims.length !== 2) return null;
  return { rows: dims[0] as number, cols: dims[1] as number };
}

/**
 * SubZero's PEFT reshape: view numel entries as a×b with a the largest divisor ≤ √numel
 * (prompt 10×2048 = 20480 → 128×160; a prime p → 1×p).
 */
export function squarishShape(numel: number): { rows: number; cols: number } {
  let a = Math.floor(Math.sqrt(numel));
  while (a > 1 && numel % a !== 0) a--;
  return { rows: Math.max(a, 1), cols: numel / Math.max(a, 1) };
}

/**
 * What an estimator declares when every matrix it perturbs as a matrix gets ONE low-rank term
 * left·rightᵀ of rank `perturbationRank`, in the tensor's stored rows×cols view (`matrixShape`). A
 * full-parameter training session then feeds those terms to the graph's low-rank branch
 * (core/train/low-rank-objective.ts) instead of writing θ ± ε·U·Vᵀ densely. Absent: no such promise.
 */
export interface LowRankPerturbing {
  readonly perturbationRank?: number;
}

/** The rank an estimator perturbs matrices with (see LowRankPerturbing), or undefined. */
export function perturbationRankOf(estimator: object): number | undefined {
  const rank = (estimator as LowRankPerturbing).perturbationRank;
  return typeof rank === 'number' && Number.isInteger(rank) && rank > 0 ? rank : undefined;
}
