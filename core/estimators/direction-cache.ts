// A bounded cache of the most recently generated Gaussian directions. Generation is the hot path of
// full-parameter ZO (about 10 ns per entry, see DESIGN.md); a MeZO step needs z three times
// (θ+εz, θ−εz, the update), so keeping the newest z turns three generations into one, and PseuZO's
// window reuses its last W directions. Correctness never depends on it: an entry is bit-identical to
// regeneration (tested), and misses fall back to it.
import { fillGaussian, type RandomAddress } from '../random/gaussian.ts';

/** Cap on cached floats (1 GiB of fp32). */
const MAX_CACHED_FLOATS = 1 << 28;
/** Directions of at most this many seeds are kept (PseuZO's default window is 14). */
const MAX_SEEDS = 16;

/** seed → (stream:tensor:sample → direction), oldest seed first. */
const bySeed = new Map<number, Map<string, Float32Array>>();
let cachedFloats = 0;
/** Buffers of evicted directions, reused for new ones of the same length (no model-sized garbage). */
let spare: Float32Array[] = [];
let spareFloats = 0;

function keyOf(address: RandomAddress): string {
  return `${address.stream}:${address.tensor}:${address.sample}`;
}

/** The cached direction for `address` if it was generated with exactly `length` entries. */
export function lookupDirection(address: RandomAddress, length: number): Float32Array | undefined {
  const hit = bySeed.get(address.seed)?.get(keyOf(address));
  return hit && hit.length === length ? hit : undefined;
}

function evictOldestSeed(): void {
  const oldest = bySeed.keys().next();
  if (oldest.done) return;
  const group = bySeed.get(oldest.value);
  bySeed.delete(oldest.value);
  for (const data of group?.values() ?? []) {
    cachedFloats -= data.length;
    spare.push(data);
    spareFloats += data.length;
  }
}

/**
 * Generates Gauss(address, 0 … length−1) into the cache and returns it (oldest seeds are evicted to make
 * room); a direction larger than the whole cap is generated but not kept.
 */
export function generateDirection(address: RandomAddress, length: number): Float32Array {
  const hit = lookupDirection(address, length);
  if (hit) return hit;
  if (length > MAX_CACHED_FLOATS) {
    const data = new Float32Array(length);
    fillGaussian(data, address);
    return data;
  }
  if (!bySeed.has(address.seed) && bySeed.size >= MAX_SEEDS) evictOldestSeed();
  while (cachedFloats + length > MAX_CACHED_FLOATS && bySeed.size > 0) evictOldestSeed();
  const reuse = spare.findIndex((buffer) => buffer.length === length);
  const data = reuse >= 0 ? (spare.splice(reuse, 1)[0] as Float32Array) : new Float32Array(length);
  if (reuse >= 0) spareFloats -= length;
  // Live plus spare buffers stay within the cap: beyond it the spares are left to the GC.
  if (cachedFloats + length + spareFloats > MAX_CACHED_FLOATS) {
    spare = [];
    spareFloats = 0;
  }
  fillGaussian(data, address);
  let group = bySeed.get(address.seed);
  if (!group) bySeed.set(address.seed, (group = new Map()));
  group.set(keyOf(address), data);
  cachedFloats += length;
  return data;
}

/** Drops every cached direction (tests, and callers that want the memory back). */
export function clearDirectionCache(): void {
  bySeed.clear();
  spare = [];
  spareFloats = 0;
  cachedFloats = 0;
}
