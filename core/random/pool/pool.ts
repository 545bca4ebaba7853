// The bookkeeping pool: worker threads that split full-parameter bookkeeping (generating z, the fused
// θ ± εz / update sweeps) with the calling thread. ZO training alternates forward passes (ORT, all
// cores) with this host work (one core), so during bookkeeping the other cores are idle; the pool puts
// them to work. `runPooled` stays synchronous — estimators and update rules call it like a plain loop —
// because the caller takes part and then blocks (Atomics.wait) only for items a worker has claimed
// (protocol.ts). Workers start lazily on the first large task, are unref'd (they never keep a process
// alive), die with the thread that started them (a training worker), and can be closed explicitly.
// Anything that prevents parallel work — one thread, a small task, a buffer that is not shared, workers
// that fail to start — runs the task on the calling thread, with the same result bit for bit.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { bundledMainEntry } from '../../app-root.ts';
import { GAUSS_RUN } from '../gaussian.ts';
import { controlViews, createControlBuffer, workOn, type ControlBlock, type JobMessage } from './protocol.ts';
import { runRange, taskBuffers, taskLength, type RangeTask } from './range-kernels.ts';
import { isShared, sharedFloat32 } from './shared-memory.ts';

/** Total bookkeeping threads (the caller included); 1 turns the pool off. Default: every core. */
export const THREADS_ENV = 'ZO_BOOKKEEPING_THREADS';

/**
 * Tasks shorter than this run on the calling thread: below it, posting the job and waking the workers
 * costs more than the split saves (`npm run bench -- zo --rng` prints the crossover; DESIGN.md).
 */
export const MIN_PARALLEL_ENTRIES = 1 << 17;

/**
 * A buffer for full-parameter bookkeeping: shared memory from MIN_PARALLEL_ENTRIES on, so the pool can
 * split the sweeps that write or read it; an ordinary array below. The direction cache allocates z with
 * it; perturbation scratch and parameter masters allocated with it let θ ± εz and the update split too.
 */
export function bookkeepingFloat32(length: number): Float32Array {
  return length >= MIN_PARALLEL_ENTRIES ? sharedFloat32(length) : new Float32Array(length);
}

/**
 * `data` in bookkeeping memory: a shared copy when it is large enough for the pool, else `data` itself.
 * For buffers made elsewhere (the engine's initial weights, a checkpoint's tensors) that the hot sweeps
 * then read and write every step, such as the fp32 masters.
 */
export function inBookkeepingMemory(data: Float32Array): Float32Array {
  if (isShared(data) || data.length < MIN_PARALLEL_ENTRIES) return data;
  const shared = sharedFloat32(data.length);
  shared.set(data);
  return shared;
}

/** A claimed item that has not finished after this long means a worker died mid-item. */
const STALL_MS = 30_000;

interface Pool {
  workers: Set<Worker>;
  control: ControlBlock;
}

let threads = threadsFromEnv();
/** Set by configureBookkeepingPool (tests start broken workers through it); else workerEntry(). */
let entryOverride: URL | string | undefined;
let pool: Pool | undefined;
/** Items of the last split job, and how many the calling thread ran itself. */
let lastJob: { items: number; byCaller: number } | undefined;
/** Why the pool is not running (set when starting it failed); reset by closeBookkeepingPool and configureBookkeepingPool. */
let unavailable: string | undefined;

function threadsFromEnv(): number {
  const raw = process.env[THREADS_ENV];
  if (raw === undefined || raw === '') return availableParallelism();
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`${THREADS_ENV}=${raw}: expected a whole number of threads ≥ 1 (1 turns the pool off)`);
  }
  return n;
}

/** The bundled entry in an electron-vite build, else the source entry (registers tsx). */
function workerEntry(): URL | string {
  return (
    bundledMainEntry('random-pool-worker.js', import.meta.dirname) ??
    new URL('./worker-entry.mjs', import.meta.url)
  );
}

function startPool(): Pool | undefined {
  if (pool || unavailable !== undefined) return pool;
  if (threads <= 1) return undefined;
  const buffer = createControlBuffer();
  const workers = new Set<Worker>();
  try {
    const entry = entryOverride ?? workerEntry();
    for (let i = 0; i < threads - 1; i++) {
      const worker = new Worker(entry, { workerData: buffer, name: `zo-bookkeeping-${i + 1}` });
      worker.unref();
      // A worker that fails to load or exits simply stops claiming items; jobs still finish without it.
      worker.on('error', (error) => {
        workers.delete(worker);
        unavailable ??= workers.size === 0 ? `workers failed: ${error.message}` : undefined;
      });
      worker.on('exit', () => workers.delete(worker));
      workers.add(worker);
    }
  } catch (error) {
    for (const worker of workers) void worker.terminate();
    unavailable = `workers could not start: ${(error as Error).message}`;
    return undefined;
  }
  pool = { workers, control: controlViews(buffer) };
  return pool;
}

/** Entries per item: a few items per thread for balance, whole Gaussian runs, at most ~2 ms each. */
function itemLengthFor(length: number): number {
  const perItem = Math.ceil(length / (threads * 4));
  const aligned = Math.ceil(perItem / GAUSS_RUN) * GAUSS_RUN;
  return Math.min(1 << 18, Math.max(16 * GAUSS_RUN, aligned));
}

/** Runs `task` over all its entries, split across the pool when it is large and its buffers are shared. */
export function runPooled(task: RangeTask): void {
  if (taskLength(task) < MIN_PARALLEL_ENTRIES) runRange(task, 0, taskLength(task));
  else runSplit(task);
}

/**
 * Splits `task` across the pool whatever its size (the bench measures the crossover with it); still on
 * the calling thread when a buffer is not shared or no worker runs.
 */
export function runSplit(task: RangeTask): void {
  const length = taskLength(task);
  const active = taskBuffers(task).every(isShared) ? startPool() : undefined;
  if (!active || active.workers.size === 0) {
    runRange(task, 0, length);
    return;
  }
  const itemLength = itemLengthFor(length);
  const job: JobMessage = {
    task,
    first: Atomics.load(active.control.next, 0),
    items: Math.ceil(length / itemLength),
    itemLength,
  };
  Atomics.store(active.control.done, 0, 0);
  for (const worker of active.workers) worker.postMessage(job);
  const byCaller = workOn(active.control, job);
  waitForItems(active.control, job.items);
  lastJob = { items: job.items, byCaller };
}

/** Blocks until `items` items are done; only items a worker claimed and is computing are outstanding. */
function waitForItems(control: ControlBlock, items: number): void {
  let seen = Atomics.load(control.done, 0);
  let progressAt = performance.now();
  while (seen < items) {
    Atomics.wait(control.done, 0, seen, 100);
    const now = Atomics.load(control.done, 0);
    if (now !== seen) {
      seen = now;
      progressAt = performance.now();
    } else if (performance.now() - progressAt > STALL_MS) {
      throw new Error(
        `bookkeeping pool: ${items - seen} of ${items} items claimed by a worker did not finish within ${STALL_MS / 1000} s (a worker thread died?)`,
      );
    }
  }
}

export interface PoolStatus {
  /** Configured threads, the caller included. */
  threads: number;
  /** Workers alive now (0 before the first large task). */
  workers: number;
  /** Why the pool cannot run, if starting it failed. */
  unavailable: string | undefined;
  /** The last job split across threads: its items and how many the calling thread ran. */
  lastJob: { items: number; byCaller: number } | undefined;
}

export function bookkeepingPoolStatus(): PoolStatus {
  return { threads, workers: pool?.workers.size ?? 0, unavailable, lastJob };
}

/** Terminates the workers; the next large task starts new ones. */
export async function closeBookkeepingPool(): Promise<void> {
  const closing = pool;
  pool = undefined;
  unavailable = undefined;
  lastJob = undefined;
  if (closing) await Promise.all([...closing.workers].map((worker) => worker.terminate()));
}

/**
 * Sets the thread count (the caller included; 1 = off) and, for tests, the worker entry, closing the
 * current pool; later tasks start workers with the new settings.
 */
export async function configureBookkeepingPool(options: {
  threads: number;
  entry?: URL | string;
}): Promise<void> {
  const { threads: count, entry } = options;
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`bookkeeping threads ${count}: expected a whole number ≥ 1 (1 turns the pool off)`);
  }
  await closeBookkeepingPool();
  threads = count;
  entryOverride = entry;
}
