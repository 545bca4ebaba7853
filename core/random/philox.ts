// Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011): a
// counter-based generator. An output block is a bijection of (counter; key), so any element of any
// stream is a pure function of (seed, counter): no sequential state, no draw order, identical on
// resume and on any device implementing the same 10 rounds. Checked against Random123's known-answer
// vectors in test/random/philox.test.ts.

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
// 16-bit limbs of the multipliers: the high word of a 32×32 product is assembled from four
// Math.imul partial products, which stays in V8's integer fast path (float64 or BigInt is 2–3× slower).
const M0_HI = M0 >>> 16;
const M0_LO = M0 & 0xffff;
const M1_HI = M1 >>> 16;
const M1_LO = M1 & 0xffff;

/** High 32 bits of a·b for uint32 a and a 32-bit constant split as (bHi, bLo). */
function mulHi(a: number, bHi: number, bLo: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const ll = Math.imul(aLo, bLo) >>> 0;
  const lh = Math.imul(aLo, bHi) >>> 0;
  const hl = Math.imul(aHi, bLo) >>> 0;
  const hh = Math.imul(aHi, bHi) >>> 0;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (hh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) | 0;
}

/**
 * Philox-4x32-10 of counter (c0..c3) under key (k0, k1); writes the 4 output words to out[0..3].
 * Arguments are 32-bit integers (signed or unsigned views of the same bits).
 */
export function philox4x32(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Uint32Array,
): void {
  for (let round = 0; round < 10; round++) {
    const hi0 = mulHi(c0, M0_HI, M0_LO);
    const lo0 = Math.imul(c0, M0);
    const hi1 = mulHi(c2, M1_HI, M1_LO);
    const lo1 = Math.imul(c2, M1);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
    k0 = (k0 + W0) | 0;
    k1 = (k1 + W1) | 0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

const TWO_32 = 4294967296;

/** Splits a seed (a non-negative safe integer) into the two 32-bit Philox key words [lo, hi]. */
export function seedKey(seed: number): [number, number] {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`seed ${seed} is not a non-negative safe integer (0 … 2^53−1)`);
  }
  return [(seed % TWO_32) | 0, Math.floor(seed / TWO_32) | 0];
}
