// Few-shot data as in LM-BFF / MeZO: the training rows are shuffled with a seed and the first k of each
// class go to train, the next k of each class to validation (LM-BFF's generate_k_shot_data.py);
// tasks without classes take k (and the next k) overall. MeZO's large-model runs instead sample fixed
// counts (1000 / 500 / 1000) at random: `sampleCounts`. Both are pure functions of the seed.
import { philox4x32, seedKey } from '../random/philox.ts';

/** Philox counter word for data sampling ('kshot' abbreviated, far from core/random's stream ids). */
const SAMPLING_STREAM = 0x6b73686f;

/** A seeded permutation of 0..n-1 (Fisher–Yates on Philox draws addressed by swap index). */
export function seededPermutation(n: number, seed: number): Uint32Array {
  const [k0, k1] = seedKey(seed);
  const words = new Uint32Array(4);
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    philox4x32(i, 0, SAMPLING_STREAM, 0, k0, k1, words);
    const uniform = (((words[0] as number) >>> 11) * 2 ** 32 + (words[1] as number)) / 2 ** 53;
    const j = Math.floor(uniform * (i + 1));
    const swap = order[i] as number;
    order[i] = order[j] as number;
    order[j] = swap;
  }
  return order;
}

export interface KShotOptions<T> {
  /** Examples per class (per split). */
  k: number;
  seed: number;
  /** The class of an item; omit for tasks without classes (k overall). */
  classOf?: (item: T) => number;
}

export interface KShotSample<T> {
  train: T[];
  validation: T[];
  /** Classes with fewer than 2k items, so their validation share came up short. */
  shortClasses: number[];
}

export function sampleKShot<T>(items: readonly T[], options: KShotOptions<T>): KShotSample<T> {
  const { k } = options;
  if (!Number.isInteger(k) || k < 1) throw new Error(`k-shot: k must be a positive integer, got ${k}`);
  const classOf = options.classOf ?? (() => 0);
  const taken = new Map<number, number>();
  const train: T[] = [];
  const validation: T[] = [];
  for (const index of seededPermutation(items.length, options.seed)) {
    const item = items[index] as T;
    const cls = classOf(item);
    const count = taken.get(cls) ?? 0;
    if (count < k) train.push(item);
    else if (count < 2 * k) validation.push(item);
    else continue;
    taken.set(cls, count + 1);
  }
  const shortClasses = [...taken].filter(([, count]) => count < 2 * k).map(([cls]) => cls);
  return { train, validation, shortClasses: shortClasses.sort((a, b) => a - b) };
}

/** Disjoint random subsets of the given sizes, in order (e.g. [1000, 500, 1000] for train/dev/test). */
export function sampleCounts<T>(items: readonly T[], counts: readonly number[], seed: number): T[][] {
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total > items.length)
    throw new Error(`cannot sample ${counts.join(' + ')} = ${total} rows from ${items.length}`);
  const order = seededPermutation(items.length, seed);
  let start = 0;
  return counts.map((count) => {
    const subset = Array.from(order.subarray(start, start + count), (index) => items[index] as T);
    start += count;
    return subset;
  });
}
