// The packaged app cannot run TypeScript: code running from out/main starts the bookkeeping pool's
// bundled worker (out/main/random-pool-worker.js). This resolves it as the bundle does and has that
// worker alone do every item of a job through the shared control block.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundledMainEntry } from '../../core/app-root.ts';
import { fillGaussian } from '../../core/random/gaussian.ts';
import { controlViews, createControlBuffer, type JobMessage } from '../../core/random/pool/protocol.ts';
import { sharedFloat32 } from '../../core/random/pool/shared-memory.ts';
import { ensureBuilt } from '../e2e/build.ts';
import { projectRoot } from '../server/serve-process.ts';

beforeAll(() => ensureBuilt());

describe('bundled bookkeeping-pool worker', () => {
  it('is what code running from out/main starts, and source code does not', () => {
    const bundled = join(projectRoot, 'out', 'main', 'random-pool-worker.js');
    expect(bundledMainEntry('random-pool-worker.js', join(projectRoot, 'out', 'main', 'chunks'))).toBe(
      bundled,
    );
    expect(
      bundledMainEntry('random-pool-worker.js', join(projectRoot, 'core', 'random', 'pool')),
    ).toBeUndefined();
  });

  it('claims and fills every item of a job', async () => {
    const buffer = createControlBuffer();
    const control = controlViews(buffer);
    const worker = new Worker(join(projectRoot, 'out', 'main', 'random-pool-worker.js'), {
      workerData: buffer,
    });
    try {
      const address = { seed: 5, stream: 1, tensor: 2, sample: 0 };
      const out = sharedFloat32(10 * 4096 + 3);
      const job: JobMessage = {
        task: { kind: 'gaussian', out, address },
        first: 0n,
        items: 11,
        itemLength: 4096,
      };
      worker.postMessage(job);
      for (let waited = 0; Atomics.load(control.done, 0) < job.items && waited < 30_000; waited += 20)
        await sleep(20);
      expect(Atomics.load(control.done, 0)).toBe(11);
      expect(Atomics.load(control.next, 0)).toBe(11n);
      const expected = new Float32Array(out.length);
      fillGaussian(expected, address);
      expect(out).toEqual(expected);
    } finally {
      await worker.terminate();
    }
  });
});
