// The little dense linear algebra the estimators need: orthonormalizing a few long vectors and solving
// small symmetric positive-definite systems. Sizes are tiny (≤ a few hundred vectors), so plain loops
// in float64 beat pulling in a BLAS binding.

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

/**
 * Orthonormalizes `vectors` in place by modified Gram–Schmidt, run twice ("twice is enough", Giraud et
 * al. 2005) so orthogonality holds to float64 rounding. Gram–Schmidt keeps R's diagonal positive, which
 * is exactly the sign fix that makes the result Haar-distributed when the inputs are i.i.d. Gaussian.
 * Returns the input norms (chi-distributed lengths for Gaussian inputs). Needs count ≤ length.
 */
export function orthonormalize(vectors: Float64Array[]): number[] {
  const norms = vectors.map((v) => Math.sqrt(dot(v, v)));
  vectors.forEach((v, i) => {
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < i; k++) {
        const q = vectors[k] as Float64Array;
        const proj = dot(v, q);
        for (let j = 0; j < v.length; j++) v[j] = (v[j] as number) - proj * (q[j] as number);
      }
    }
    const norm = Math.sqrt(dot(v, v));
    if (!(norm > 1e-300))
      throw new Error(`orthonormalize: vector ${i} is linearly dependent on the previous ones`);
    for (let j = 0; j < v.length; j++) v[j] = (v[j] as number) / norm;
  });
  return norms;
}

/** Solves K·x = y for symmetric positive-definite K (n×n, row-major) by Cholesky. */
export function solveSpd(K: Float64Array, y: Float64Array): Float64Array {
  const n = y.length;
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = K[i * n + j] as number;
      for (let k = 0; k < j; k++) sum -= (L[i * n + k] as number) * (L[j * n + k] as number);
      if (i === j) {
        if (!(sum > 0)) throw new Error(`solveSpd: matrix is not positive definite (pivot ${i} = ${sum})`);
        L[i * n + i] = Math.sqrt(sum);
      } else {
        L[i * n + j] = sum / (L[j * n + j] as number);
      }
    }
  }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = y[i] as number;
    for (let k = 0; k < i; k++) sum -= (L[i * n + k] as number) * (z[k] as number);
    z[i] = sum / (L[i * n + i] as number);
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = z[i] as number;
    for (let k = i + 1; k < n; k++) sum -= (L[k * n + i] as number) * (x[k] as number);
    x[i] = sum / (L[i * n + i] as number);
  }
  return x;
}

/** Gram matrix K[i][j] = ⟨a_i, a_j⟩ of vectors of equal length. */
export function gram(vectors: readonly Float64Array[]): Float64Array {
  const n = vectors.length;
  const K = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = dot(vectors[i] as Float64Array, vectors[j] as Float64Array);
      K[i * n + j] = v;
      K[j * n + i] = v;
    }
  }
  return K;
}
