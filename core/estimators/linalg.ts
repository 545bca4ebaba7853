// The little dense linear algebra the estimators need: orthonormalizing a few long vectors and solving
// small symmetric positive-definite systems. Sizes are tiny (≤ a few hundred vectors), so plain loops
// in float64 beat pulling in a BLAS binding.

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

/** Columns per block of the Cholesky–QR sweeps: N rows × 2,048 float64 stay in L1/L2 for every N ≤ 16. */
const BLOCK = 2048;

/**
 * Orthonormalizes `vectors` in place: the Q of the QR factorization V = R·Q with R's diagonal positive,
 * which is exactly the sign fix that makes the result Haar-distributed when the inputs are i.i.d.
 * Gaussian. Returns the input norms (chi-distributed lengths for Gaussian inputs). Needs count ≤ length.
 *
 * Few long vectors (the estimators' N ≪ d rows) go through Cholesky–QR: the Gram matrix and the
 * triangular solve are each one blocked sweep that reads every row once per block, where Gram–Schmidt
 * makes O(N²) passes over full rows. One round suffices when the inputs are nearly orthogonal already
 * (random Gaussian rows with N ≪ d); otherwise a second round ("CholeskyQR2", Fukaya et al. 2014)
 * brings orthogonality to float64 rounding.
 * Anything Cholesky cannot factor (nearly dependent inputs) falls back to modified Gram–Schmidt run
 * twice ("twice is enough", Giraud et al. 2005), which yields the same Q: both are the QR factor with a
 * positive diagonal.
 */
export function orthonormalize(vectors: Float64Array[]): number[] {
  let G = blockedGram(vectors);
  const n = vectors.length;
  const norms = vectors.map((_, i) => Math.sqrt(G[i * n + i] as number));
  for (let round = 0; round < 2; round++) {
    const factor = cholesky(G);
    if (!factor) {
      gramSchmidtTwice(vectors);
      return norms;
    }
    solveLowerInPlace(factor, vectors);
    // One round loses orthogonality in proportion to κ(V)²; when the inputs were already nearly
    // orthogonal (N ≪ d Gaussian rows) that is float64 rounding and the second round is skipped.
    if (nearlyOrthogonal(G)) break;
    if (round === 0) G = blockedGram(vectors);
  }
  return norms;
}

/**
 * Gershgorin on the normalized Gram matrix: every row's off-diagonal mass under 1/4 bounds its
 * condition number by 5/3, so one Cholesky–QR round is orthogonal to a few float64 ulps.
 */
function nearlyOrthogonal(G: Float64Array): boolean {
  const n = Math.round(Math.sqrt(G.length));
  for (let i = 0; i < n; i++) {
    let offDiagonal = 0;
    for (let j = 0; j < n; j++) {
      if (j !== i)
        offDiagonal +=
          Math.abs(G[i * n + j] as number) / Math.sqrt((G[i * n + i] as number) * (G[j * n + j] as number));
    }
    if (!(offDiagonal < 0.25)) return false;
  }
  return true;
}

/** G = V·Vᵀ, accumulated block by block so each block of every row is read from cache. */
function blockedGram(vectors: readonly Float64Array[]): Float64Array {
  const n = vectors.length;
  const length = vectors[0]?.length ?? 0;
  const G = new Float64Array(n * n);
  for (let start = 0; start < length; start += BLOCK) {
    const end = Math.min(length, start + BLOCK);
    for (let i = 0; i < n; i++) {
      const a = vectors[i] as Float64Array;
      for (let j = 0; j <= i; j++) {
        const b = vectors[j] as Float64Array;
        let sum = 0;
        for (let k = start; k < end; k++) sum += (a[k] as number) * (b[k] as number);
        G[i * n + j] = (G[i * n + j] as number) + sum;
      }
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) G[j * n + i] = G[i * n + j] as number;
  return G;
}

/** Lower-triangular L with G = L·Lᵀ, or null when G is not (numerically) positive definite. */
function cholesky(G: Float64Array): Float64Array | null {
  const n = Math.round(Math.sqrt(G.length));
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = G[i * n + j] as number;
      for (let k = 0; k < j; k++) sum -= (L[i * n + k] as number) * (L[j * n + k] as number);
      if (i === j) {
        // A pivot this small relative to its row's norm means near-dependence: let Gram–Schmidt judge.
        if (!(sum > 1e-10 * (G[i * n + i] as number))) return null;
        L[i * n + i] = Math.sqrt(sum);
      } else {
        L[i * n + j] = sum / (L[j * n + j] as number);
      }
    }
  }
  return L;
}

/** V ← L⁻¹·V by forward substitution, block by block (row i uses rows < i already solved). */
function solveLowerInPlace(L: Float64Array, vectors: Float64Array[]): void {
  const n = vectors.length;
  const length = vectors[0]?.length ?? 0;
  for (let start = 0; start < length; start += BLOCK) {
    const end = Math.min(length, start + BLOCK);
    for (let i = 0; i < n; i++) {
      const v = vectors[i] as Float64Array;
      for (let k = 0; k < i; k++) {
        const coef = L[i * n + k] as number;
        const q = vectors[k] as Float64Array;
        for (let c = start; c < end; c++) v[c] = (v[c] as number) - coef * (q[c] as number);
      }
      const inverse = 1 / (L[i * n + i] as number);
      for (let c = start; c < end; c++) v[c] = (v[c] as number) * inverse;
    }
  }
}

/** Modified Gram–Schmidt, run twice; throws on a vector (numerically) dependent on the previous ones. */
function gramSchmidtTwice(vectors: Float64Array[]): void {
  vectors.forEach((v, i) => {
    const before = Math.sqrt(dot(v, v));
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < i; k++) {
        const q = vectors[k] as Float64Array;
        const proj = dot(v, q);
        for (let j = 0; j < v.length; j++) v[j] = (v[j] as number) - proj * (q[j] as number);
      }
    }
    const norm = Math.sqrt(dot(v, v));
    // What is left after removing the span of the previous vectors is rounding noise: dependent.
    if (!(norm > 1e-10 * before))
      throw new Error(`orthonormalize: vector ${i} is linearly dependent on the previous ones`);
    for (let j = 0; j < v.length; j++) v[j] = (v[j] as number) / norm;
  });
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
