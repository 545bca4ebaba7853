// How the calling thread and the pool's workers share one job without a lock. A job is `items` ranges of
// `itemLength` entries. Items are numbered globally and monotonically (a 64-bit counter that is never
// reset), job k owning numbers [first, first + items). Any thread claims the next number by
// compare-and-swap, and only while it is below its job's end: so a worker that reads a job's message
// late (after the job finished) finds the counter past that job's end and does nothing, and can never
// take a number that belongs to a later job. The caller works too and then waits until `done` reaches
// `items`: it only ever waits for items a worker has claimed and is computing, so a worker that is slow
// to start, busy, or never started cannot stall a job.
import { runRange, type RangeTask } from './range-kernels.ts';

export interface ControlBlock {
  /** The next unclaimed global item number. */
  next: BigInt64Array;
  /** Items of the current job finished (by any thread). */
  done: Int32Array;
}

export interface JobMessage {
  task: RangeTask;
  /** The job's first global item number. */
  first: bigint;
  items: number;
  itemLength: number;
}

export function createControlBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(16);
}

export function controlViews(buffer: SharedArrayBuffer): ControlBlock {
  return { next: new BigInt64Array(buffer, 0, 1), done: new Int32Array(buffer, 8, 1) };
}

/** Claims and runs items of `job` until none is left; returns how many this thread ran. */
export function workOn(control: ControlBlock, job: JobMessage): number {
  const end = job.first + BigInt(job.items);
  const length = job.task.out.length;
  let ran = 0;
  for (;;) {
    const item = Atomics.load(control.next, 0);
    if (item >= end) return ran;
    if (Atomics.compareExchange(control.next, 0, item, item + 1n) !== item) continue;
    const from = Number(item - job.first) * job.itemLength;
    runRange(job.task, from, Math.min(length, from + job.itemLength));
    ran++;
    Atomics.add(control.done, 0, 1);
    Atomics.notify(control.done, 0);
  }
}
