// Counter-based random entries: the Gauss / uniform / Rademacher value of element i is a pure function of
// (seed, stream, tensor, sample, i), so any chunk of any tensor can be generated alone, bit-identically
// (resume, the direction cache, and ±ε/update regeneration all rely on it).
//
// Uniform and Rademacher entries: element i is lane i mod 4 of Philox block ⌊i/4⌋, counter
// (block, tensor, stream, sample), key = seed.
//
// Gaussian entries (the hot path of full-parameter ZO) are two-level: the entries are cut into runs of
// GAUSS_RUN; run b is a short sequential stream of xoshiro128** seeded with the 128-bit Philox block
// (b, tensor, stream, sample; seed), turned into normals by Marsaglia–Tsang's 128-layer ziggurat. Philox
// keeps every run independent and addressable; inside a run the generator costs a few integer ops per
// entry and 98.8% of the entries are one table compare and one multiply. (Philox + Box–Muller with
// polynomial log/sincos cost 30–80 ns per entry here; this costs a fifth of that, see
// `npm run bench -- zo --rng`.) The ziggurat is an exact rejection sampler, so there is no approximation
// error to document: outputs are the float32 rounding of an exactly N(0, 1)-distributed double, up to the
// rounding of the layer tables. Its rare tail/wedge path calls Math.log/Math.exp, which V8 implements with
// the same fdlibm port on every platform, so values are reproducible on any Node/Electron build.
// Entry i of a run costs generating entries 0 … i−1 of that run first, so callers should ask for chunks
// aligned to GAUSS_RUN (expand.ts's CHUNK is a multiple); any offset is still correct.
import { philox4x32, seedKey } from './philox.ts';

/** Where a random vector lives: everything except the element index. */
export interface RandomAddress {
  seed: number;
  stream: number;
  /** Tensor id: the tensor's position in the parameter list (or any id agreed by both ends). */
  tensor: number;
  /** Independent draws for the same (seed, stream, tensor): direction j of n-SPSA, row j, ... */
  sample: number;
}

/** Gaussian entries per Philox-seeded sequential run. */
export const GAUSS_RUN = 256;

const INV_2_32 = 1 / 4294967296;

// Ziggurat tables (Marsaglia & Tsang, "The ziggurat method for generating random variables", JSS 2000,
// RNOR with 128 layers): a signed 32-bit word hz picks layer iz = hz & 127 and the candidate x = hz·wn[iz];
// it is accepted outright when |hz| < kn[iz] (x lies inside the layer's rectangle under the density).
const LAYERS = 128;
const R = 3.442619855899; // x where the base layer (rectangle + tail) meets the others
const LAYER_AREA = 9.91256303526217e-3;
const M31 = 2147483648;
const kn = new Float64Array(LAYERS);
const wn = new Float64Array(LAYERS);
const fn = new Float64Array(LAYERS);
{
  let dn = R;
  let tn = R;
  const q = LAYER_AREA / Math.exp(-0.5 * dn * dn);
  kn[0] = (dn / q) * M31;
  kn[1] = 0;
  wn[0] = q / M31;
  wn[LAYERS - 1] = dn / M31;
  fn[0] = 1;
  fn[LAYERS - 1] = Math.exp(-0.5 * dn * dn);
  for (let i = LAYERS - 2; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(LAYER_AREA / dn + Math.exp(-0.5 * dn * dn)));
    kn[i + 1] = (dn / tn) * M31;
    tn = dn;
    fn[i] = Math.exp(-0.5 * dn * dn);
    wn[i] = dn / M31;
  }
}

/** xoshiro128** state of the run being generated; the hot loop keeps it in locals and syncs it here. */
const state = new Int32Array(4);

/** Next xoshiro128** word (signed int32) from `state`: the ziggurat's slow path only. */
function nextWord(): number {
  const s0 = state[0] as number;
  const s1 = state[1] as number;
  const s2 = (state[2] as number) ^ s0;
  const s3 = (state[3] as number) ^ s1;
  const m = Math.imul(s1, 5);
  const result = Math.imul((m << 7) | (m >>> 25), 9);
  state[1] = s1 ^ s2;
  state[0] = s0 ^ s3;
  state[2] = s2 ^ (s1 << 9);
  state[3] = (s3 << 11) | (s3 >>> 21);
  return result;
}

/** Uniform in (0, 1), never 0: for the logs of the tail sampler. */
function nextUnit(): number {
  return ((nextWord() >>> 0) + 0.5) * INV_2_32;
}

/** The ziggurat's rejection path for a word hz that missed its layer's rectangle (~1.2% of entries). */
function zigguratSlow(hz: number, iz: number): number {
  for (;;) {
    const x = hz * (wn[iz] as number);
    if (iz === 0) {
      // Base layer: Marsaglia's exponential-majorant tail sampler for |x| > R.
      let tx: number;
      let ty: number;
      do {
        tx = -Math.log(nextUnit()) / R;
        ty = -Math.log(nextUnit());
      } while (ty + ty < tx * tx);
      return hz > 0 ? R + tx : -R - tx;
    }
    const below = fn[iz] as number;
    if (below + nextUnit() * ((fn[iz - 1] as number) - below) < Math.exp(-0.5 * x * x)) return x;
    hz = nextWord();
    iz = hz & (LAYERS - 1);
    if (Math.abs(hz) < (kn[iz] as number)) return hz * (wn[iz] as number);
  }
}

const words = new Uint32Array(4);

/** Seeds `state` for run `run` of an address from its Philox block. */
function seedRun(run: number, tensor: number, stream: number, sample: number, k0: number, k1: number): void {
  philox4x32(run, tensor, stream, sample, k0, k1, words);
  state.set(words);
  // xoshiro's one forbidden state; Philox yields it with probability 2^-128.
  if (((state[0] as number) | (state[1] as number) | (state[2] as number) | (state[3] as number)) === 0)
    state[0] = 1;
}

/**
 * Generates entries 0 … skip+count−1 of the seeded run and writes entries skip … into out[at …].
 * One monomorphic loop with the xoshiro state in locals: the hot path of every full-parameter step.
 */
function fillRun(out: Float32Array, at: number, skip: number, count: number): void {
  let s0 = state[0] as number;
  let s1 = state[1] as number;
  let s2 = state[2] as number;
  let s3 = state[3] as number;
  const total = skip + count;
  for (let j = 0; j < total; j++) {
    const m = Math.imul(s1, 5);
    const hz = Math.imul((m << 7) | (m >>> 25), 9);
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= s1 << 9;
    s3 = (s3 << 11) | (s3 >>> 21);
    const iz = hz & (LAYERS - 1);
    let x: number;
    if (Math.abs(hz) < (kn[iz] as number)) {
      x = hz * (wn[iz] as number);
    } else {
      state[0] = s0;
      state[1] = s1;
      state[2] = s2;
      state[3] = s3;
      x = zigguratSlow(hz, iz);
      s0 = state[0] as number;
      s1 = state[1] as number;
      s2 = state[2] as number;
      s3 = state[3] as number;
    }
    if (j >= skip) out[at + j - skip] = x;
  }
}

/** out[i] = Gauss(address, offset + i), standard normal. */
export function fillGaussian(out: Float32Array, address: RandomAddress, offset = 0): void {
  const [k0, k1] = seedKey(address.seed);
  const { tensor, stream, sample } = address;
  const end = offset + out.length;
  for (let i = offset; i < end;) {
    const run = Math.floor(i / GAUSS_RUN);
    const runStart = run * GAUSS_RUN;
    const count = Math.min(end, runStart + GAUSS_RUN) - i;
    seedRun(run, tensor, stream, sample, k0, k1);
    fillRun(out, i - offset, i - runStart, count);
    i += count;
  }
}

// Per-block values of the uniform and Rademacher walks, written by their block functions.
const lanes = new Float64Array(4);

type BlockFn = (
  block: number,
  tensor: number,
  stream: number,
  sample: number,
  k0: number,
  k1: number,
) => void;

/** Shared block walk: out[i] = lane value of element offset + i, handling partial head and tail blocks. */
function fillFromBlocks(out: Float32Array, address: RandomAddress, offset: number, blockFn: BlockFn): void {
  const [k0, k1] = seedKey(address.seed);
  const { tensor, stream, sample } = address;
  const end = offset + out.length;
  for (let i = offset; i < end;) {
    const block = Math.floor(i / 4);
    blockFn(block, tensor, stream, sample, k0, k1);
    for (let lane = i - block * 4; lane < 4 && i < end; lane++, i++) out[i - offset] = lanes[lane] as number;
  }
}

function uniformBlock(block: number, tensor: number, stream: number, sample: number, k0: number, k1: number) {
  philox4x32(block, tensor, stream, sample, k0, k1, words);
  for (let lane = 0; lane < 4; lane++) lanes[lane] = ((words[lane] as number) + 0.5) * INV_2_32;
}

/** out[i] = uniform in (0, 1) for element offset + i (32-bit resolution, never exactly 0 or 1). */
export function fillUniform(out: Float32Array, address: RandomAddress, offset = 0): void {
  fillFromBlocks(out, address, offset, uniformBlock);
}

function rademacherBlock(
  block: number,
  tensor: number,
  stream: number,
  sample: number,
  k0: number,
  k1: number,
) {
  philox4x32(block, tensor, stream, sample, k0, k1, words);
  for (let lane = 0; lane < 4; lane++) lanes[lane] = (words[lane] as number) >>> 31 === 0 ? 1 : -1;
}

/** out[i] = ±1 with equal probability for element offset + i (the top bit of its Philox word). */
export function fillRademacher(out: Float32Array, address: RandomAddress, offset = 0): void {
  fillFromBlocks(out, address, offset, rademacherBlock);
}

/** Standard-normal entries as a new array (small factors: U, V, Z; tests). */
export function gaussianArray(length: number, address: RandomAddress): Float32Array {
  const out = new Float32Array(length);
  fillGaussian(out, address);
  return out;
}
