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
