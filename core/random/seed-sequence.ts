// The run-level seed sequence: the seed of step t is a pure function of (run seed, t), so a resumed run
// draws exactly the seeds it would have drawn, and the seeds logged per step replay any step alone.
import { philox4x32, seedKey } from './philox.ts';
import { Stream } from './streams.ts';

const words = new Uint32Array(4);
const TWO_32 = 4294967296;

/** Seed of step `step` (0-based) in the run seeded with `runSeed`; a non-negative 53-bit integer. */
export function stepSeed(runSeed: number, step: number): number {
  if (!Number.isSafeInteger(step) || step < 0)
    throw new RangeError(`step ${step} is not a non-negative integer`);
  const [k0, k1] = seedKey(runSeed);
  philox4x32((step % TWO_32) | 0, Math.floor(step / TWO_32) | 0, Stream.seedSequence, 0, k0, k1, words);
  // 21 high bits from one word and 32 from another: exactly 53 bits, the safe-integer range.
  return ((words[0] as number) >>> 11) * TWO_32 + (words[1] as number);
}
