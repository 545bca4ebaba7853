// Expansion of compact estimate terms (seeded Gaussian, low-rank factors, dense vectors) into values,
// one cache-sized chunk at a time. Both sides use it: estimators write θ ± ε·d through `writePerturbed`,
// update rules read ĝ through `forEachChunk`, so the direction applied is by construction the one that
// was evaluated. Low-rank terms are expanded row by row inside the chunk and never materialized whole.
import { fillGaussian } from '../random/gaussian.ts';
import { runPooled } from '../random/pool/pool.ts';
import { lookupDirection } from './direction-cache.ts';
import type { EstimateTerm } from './types.ts';

/** Chunk length: small enough to stay in L1/L2 next to the parameter stream. */
// A multiple of GAUSS_RUN, so regenerating an uncached chunk never generates entries it then skips.
export const CHUNK = 4096;

const scratch = new Float32Array(CHUNK);

/**
 * chunk[i] = Σ_terms value of element start + i of tensor `tensor`. The first term assigns instead of
 * adding, so the common single-term case (MeZO's z) is one pass over the chunk, not a clear and an add.
 */
function accumulate(
  terms: readonly EstimateTerm[],
  tensor: number,
  length: number,
  chunk: Float32Array,
  start: number,
): void {
  const n = chunk.length;
  if (terms.length === 0) chunk.fill(0);
  let assign = true;
  for (const term of terms) {
    if (term.kind === 'gaussian') {
      const address = { seed: term.seed, stream: term.stream, tensor, sample: term.sample };
      const cached = lookupDirection(address, length);
      let z: Float32Array;
      if (cached) {
        z = cached.subarray(start, start + n);
      } else {
        z = scratch.subarray(0, n);
        fillGaussian(z, address, start);
      }
      const coef = term.coef;
      if (assign) for (let i = 0; i < n; i++) chunk[i] = coef * (z[i] as number);
      else for (let i = 0; i < n; i++) chunk[i] = (chunk[i] as number) + coef * (z[i] as number);
    } else if (term.kind === 'dense') {
      const { data, coef } = term;
      if (assign) for (let i = 0; i < n; i++) chunk[i] = coef * (data[start + i] as number);
      else for (let i = 0; i < n; i++) chunk[i] = (chunk[i] as number) + coef * (data[start + i] as number);
    } else {
      if (assign) chunk.fill(0);
      addLowRank(term, chunk, start);
    }
    assign = false;
  }
}

/** chunk += (left·rightᵀ)[start … start+n) in row-major flat indexing, O(n·rank). */
function addLowRank(term: Extract<EstimateTerm, { kind: 'low-rank' }>, chunk: Float32Array, start: number) {
  const { cols, rank, left, right } = term;
  const end = start + chunk.length;
  let flat = start;
  while (flat < end) {
    const row = Math.floor(flat / cols);
    const rowEnd = Math.min(end, (row + 1) * cols);
    const l = row * rank;
    for (let col = flat - row * cols; flat < rowEnd; flat++, col++) {
      const r = col * rank;
      let sum = 0;
      for (let k = 0; k < rank; k++) sum += (left[l + k] as number) * (right[r + k] as number);
      chunk[flat - start] = (chunk[flat - start] as number) + sum;
    }
  }
}

/** A term that does not cover exactly the tensor's entries is a bug upstream: fail with its shape. */
function checkTerms(terms: readonly EstimateTerm[], tensor: number, length: number): void {
  for (const term of terms) {
    if (term.kind === 'low-rank') {
      const { rows, cols, rank, left, right } = term;
      if (rows * cols !== length || left.length !== rows * rank || right.length !== cols * rank) {
        throw new Error(
          `tensor ${tensor}: low-rank term ${rows}×${cols} (rank ${rank}, left ${left.length}, right ${right.length}) does not match its ${length} entries`,
        );
      }
    } else if (term.kind === 'dense' && term.data.length !== length) {
      throw new Error(`tensor ${tensor}: dense term has ${term.data.length} entries, the tensor ${length}`);
    }
  }
}

const chunkBuffer = new Float32Array(CHUNK);

/**
 * Calls fn(chunk, start) over consecutive chunks of Σ terms for tensor `tensor` of `length` entries.
 * `chunk` is reused between calls: read it inside fn, do not keep it.
 */
export function forEachChunk(
  terms: readonly EstimateTerm[],
  tensor: number,
  length: number,
  fn: (chunk: Float32Array, start: number) => void,
): void {
  checkTerms(terms, tensor, length);
  for (let start = 0; start < length; start += CHUNK) {
    const chunk = chunkBuffer.subarray(0, Math.min(CHUNK, length - start));
    accumulate(terms, tensor, length, chunk, start);
    fn(chunk, start);
  }
}

/**
 * out = base + scale·Σ terms. Elementwise, so out may be base itself (an in-place update θ ← θ − η·ĝ).
 * A lone cached Gaussian term — MeZO's ±εz and its update, the full-parameter hot path — is one fused
 * sweep over (base, z) instead of staging each chunk.
 */
export function writePerturbed(
  out: Float32Array,
  base: Float32Array,
  terms: readonly EstimateTerm[],
  tensor: number,
  scale: number,
): void {
  const only = terms.length === 1 ? terms[0] : undefined;
  if (only?.kind === 'gaussian') {
    const address = { seed: only.seed, stream: only.stream, tensor, sample: only.sample };
    const z = lookupDirection(address, base.length);
    if (z) {
      // The kernel rounds like the chunked path (fround(coef·z), see range-kernels.ts), so a resumed run
      // that misses the cache reproduces a cached run bit for bit; the pool splits it when out, base and z
      // are all shared memory.
      runPooled({ kind: 'axpy', out, base, z, coef: only.coef, scale });
      return;
    }
  }
  forEachChunk(terms, tensor, base.length, (chunk, start) => {
    for (let i = 0; i < chunk.length; i++)
      out[start + i] = (base[start + i] as number) + scale * (chunk[i] as number);
  });
}

/** The dense vector Σ terms (tests, and rules that need a whole tensor at once). */
export function materialize(terms: readonly EstimateTerm[], tensor: number, length: number): Float32Array {
  const out = new Float32Array(length);
  forEachChunk(terms, tensor, length, (chunk, start) => out.set(chunk, start));
  return out;
}

/** The same terms multiplied by s (low-rank: the left factor is scaled into a new array). */
export function scaleTerms(terms: readonly EstimateTerm[], s: number): EstimateTerm[] {
  return terms.map((term) => {
    if (term.kind === 'low-rank') return { ...term, left: term.left.map((v) => v * s) };
    return { ...term, coef: term.coef * s };
  });
}
