// A bounded cache of the most recently generated Gaussian directions. Generation is the hot path of
// full-parameter ZO (a Philox block + Box–Muller per 4 entries); a MeZO step needs z three times
// (θ+εz, θ−εz, the update), so keeping the newest z turns three generations into one. Correctness never
// depends on it: an entry is bit-identical to regeneration (tested), and misses fall back to it.
import { fillGaussian, type RandomAddress } from '../random/gaussian.ts';

/** Cap on cached floats (1 GiB of fp32): beyond it the oldest directions are evicted first. */
const MAX_CACHED_FLOATS = 1 << 28;

const entries = new Map<string, Float32Array>();
let cachedFloats = 0;

function keyOf(address: RandomAddress): string {
  return `${address.seed}:${address.stream}:${address.tensor}:${address.sample}`;
}

/** The cached direction for `address` if it was generated with exactly `length` entries. */
export function lookupDirection(address: RandomAddress, length: number): Float32Array | undefined {
  const hit = entries.get(keyOf(address));
  return hit && hit.length === length ? hit : undefined;
}

/**
 * Generates Gauss(address, 0 … length−1) into the cache (evicting the oldest entries to make room) and
 * returns it; a direction larger than the whole cap is generated but not kept.
 */
export function generateDirection(address: RandomAddress, length: number): Float32Array {
  const hit = lookupDirection(address, length);
  if (hit) return hit;
  const data = new Float32Array(length);
  fillGaussian(data, address);
  if (length > MAX_CACHED_FLOATS) return data;
  for (const [key, old] of entries) {
    if (cachedFloats + length <= MAX_CACHED_FLOATS) break;
    entries.delete(key);
    cachedFloats -= old.length;
  }
  entries.set(keyOf(address), data);
  cachedFloats += length;
  return data;
}

/** Drops every cached direction (tests, and callers that want the memory back). */
export function clearDirectionCache(): void {
  entries.clear();
  cachedFloats = 0;
}
