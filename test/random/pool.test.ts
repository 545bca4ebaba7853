// The bookkeeping pool (core/random/pool): parallel Gaussian fills are bit-identical to fillGaussian for
// any length and buffer offset, every reason not to split falls back to the calling thread, and the pool
// works inside a worker_thread and never keeps a process alive.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { fillGaussian, GAUSS_RUN, type RandomAddress } from '../../core/random/gaussian.ts';
import {
  bookkeepingPoolStatus,
  closeBookkeepingPool,
  configureBookkeepingPool,
  MIN_PARALLEL_ENTRIES,
  runPooled,
} from '../../core/random/pool/pool.ts';
import { sharedFloat32 } from '../../core/random/pool/shared-memory.ts';

const probe = path.join(import.meta.dirname, 'pool-probe.ts');

afterAll(async () => {
  await configureBookkeepingPool({ threads: 2 });
});

function expectedGaussian(length: number, address: RandomAddress): Float32Array {
  const out = new Float32Array(length);
  fillGaussian(out, address);
  return out;
}

/** Runs `fill` until the pool's workers took items of a job (they start asynchronously); returns how many. */
async function untilWorkersHelp(fill: () => void): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    fill();
    const job = bookkeepingPoolStatus().lastJob;
    if (job && job.byCaller < job.items) return job.items - job.byCaller;
    await sleep(50);
  }
  return 0;
}

function expectBitIdentical(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  let mismatches = 0;
  for (let i = 0; i < actual.length; i++) if (!Object.is(actual[i], expected[i])) mismatches++;
  expect(mismatches).toBe(0);
}

describe('bookkeeping pool: Gaussian fills', () => {
  it('splits across workers, bit-identical to fillGaussian, for run-unaligned lengths and buffer offsets', async () => {
    await configureBookkeepingPool({ threads: 3 });
    const address = { seed: 77, stream: 1, tensor: 4, sample: 2 };
    // 3 runs short of a multiple of the item length, plus an odd tail: the last item is partial.
    const length = 3 * MIN_PARALLEL_ENTRIES - 3 * GAUSS_RUN + 13;
    const expected = expectedGaussian(length, address);
    // A view that starts 5 floats into its SharedArrayBuffer (views the pool receives are subarrays).
    const backing = sharedFloat32(length + 9);
    const out = backing.subarray(5, 5 + length);
    const byWorkers = await untilWorkersHelp(() => {
      out.fill(0);
      runPooled({ kind: 'gaussian', out, address });
    });
    expect(byWorkers).toBeGreaterThan(0);
    expectBitIdentical(out, expected);
    expect([...backing.subarray(0, 5), ...backing.subarray(5 + length)]).toEqual(new Array(9).fill(0));
    expect(bookkeepingPoolStatus()).toMatchObject({ threads: 3, workers: 2, unavailable: undefined });
  });

  it('runs small tasks, non-shared buffers and a one-thread setting on the calling thread', async () => {
    const address = { seed: 3, stream: 1, tensor: 0, sample: 0 };
    await configureBookkeepingPool({ threads: 3 });
    const small = sharedFloat32(MIN_PARALLEL_ENTRIES - 1);
    runPooled({ kind: 'gaussian', out: small, address });
    expectBitIdentical(small, expectedGaussian(small.length, address));
    const plain = new Float32Array(MIN_PARALLEL_ENTRIES * 2);
    runPooled({ kind: 'gaussian', out: plain, address });
    expectBitIdentical(plain, expectedGaussian(plain.length, address));
    // Neither started a worker nor split a job.
    expect(bookkeepingPoolStatus()).toMatchObject({ workers: 0, lastJob: undefined });

    await configureBookkeepingPool({ threads: 1 });
    const large = sharedFloat32(MIN_PARALLEL_ENTRIES * 2);
    runPooled({ kind: 'gaussian', out: large, address });
    expectBitIdentical(large, expectedGaussian(large.length, address));
    expect(bookkeepingPoolStatus()).toMatchObject({ threads: 1, workers: 0, lastJob: undefined });
  });

  it('finishes every job on the calling thread when the workers fail to start, and says why', async () => {
    await configureBookkeepingPool({
      threads: 3,
      entry: new URL('data:text/javascript,throw new Error("pool worker cannot load")'),
    });
    const address = { seed: 11, stream: 1, tensor: 1, sample: 0 };
    const expected = expectedGaussian(MIN_PARALLEL_ENTRIES + 1, address);
    for (let attempt = 0; attempt < 100 && bookkeepingPoolStatus().unavailable === undefined; attempt++) {
      const out = sharedFloat32(expected.length);
      runPooled({ kind: 'gaussian', out, address });
      expectBitIdentical(out, expected);
      await sleep(50);
    }
    expect(bookkeepingPoolStatus().unavailable).toMatch(/pool worker cannot load/);
    expect(bookkeepingPoolStatus().workers).toBe(0);
    const out = sharedFloat32(expected.length);
    runPooled({ kind: 'gaussian', out, address });
    expectBitIdentical(out, expected);
    await closeBookkeepingPool();
  });
});

describe('bookkeeping pool: where training runs', () => {
  it('works inside a worker_thread, whose pool ends with it', async () => {
    // The training worker registers tsx the same way (core/train/worker-entry.mjs).
    const code = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(probe)}); });`;
    const worker = new Worker(code, { eval: true, env: { ...process.env, ZO_BOOKKEEPING_THREADS: '3' } });
    const report = await new Promise<string>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const exitCode = await new Promise<number>((resolve) => worker.once('exit', resolve));
    expect(JSON.parse(report)).toMatchObject({ identical: true, threads: 3 });
    expect(JSON.parse(report).itemsByWorkers).toBeGreaterThan(0);
    expect(exitCode).toBe(0);
  });

  it('never keeps a process alive: a script that leaves the pool open exits by itself', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', probe], {
      env: { ...process.env, ZO_BOOKKEEPING_THREADS: '2' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.error).toBeUndefined();
    expect(child.status).toBe(0);
    const report = JSON.parse(child.stdout.trim()) as { itemsByWorkers: number; identical: boolean };
    expect(report.identical).toBe(true);
    expect(report.itemsByWorkers).toBeGreaterThan(0);
  });
});
