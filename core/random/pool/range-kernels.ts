// The two kinds of work the bookkeeping pool splits: each is a pure function of its inputs over an entry
// range [from, to), so any thread can do any range and the result does not depend on the split.
import { fillGaussian, type RandomAddress } from '../gaussian.ts';

export type RangeTask =
  /** out[i] = Gauss(address, i): generating a direction. */
  | { kind: 'gaussian'; out: Float32Array; address: RandomAddress }
  /**
   * out[i] = base[i] + scale·fround(coef·z[i]): θ ± εz and the in-place ZO-SGD update. fround(coef·z) is
   * the fp32 value expand.ts's chunked path stages, so both paths round identically.
   */
  | { kind: 'axpy'; out: Float32Array; base: Float32Array; z: Float32Array; coef: number; scale: number };

export function runRange(task: RangeTask, from: number, to: number): void {
  if (task.kind === 'gaussian') {
    fillGaussian(task.out.subarray(from, to), task.address, from);
    return;
  }
  const { out, base, z, coef, scale } = task;
  for (let i = from; i < to; i++) out[i] = (base[i] as number) + scale * Math.fround(coef * (z[i] as number));
}

/** Entries the task covers. */
export function taskLength(task: RangeTask): number {
  return task.out.length;
}

/** The task's buffers: all must be shared for other threads to take part. */
export function taskBuffers(task: RangeTask): Float32Array[] {
  return task.kind === 'gaussian' ? [task.out] : [task.out, task.base, task.z];
}
