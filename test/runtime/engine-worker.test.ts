// The engine inside a worker_thread: same numbers as the reference, and the main thread's event loop
// keeps turning while the worker computes (what the training worker relies on).
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { expect, it } from 'vitest';
import { ATOL, MODELS, maxLossError, promptsBatch, readReference } from '../parity/reference-fixture.ts';

it('runs a forward pass in a worker_thread without blocking the main thread', async () => {
  const { batch, expected } = promptsBatch(readReference('stories260k'));
  const worker = new Worker(new URL('./helpers/engine-in-worker.ts', import.meta.url), {
    workerData: { modelDir: path.join(MODELS, 'stories260k'), batch },
    // The worker loads TypeScript sources the same way the CLI does.
    execArgv: ['--import', 'tsx'],
  });
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  try {
    const result = await new Promise<{ loss: Float32Array; ep: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`worker exited with code ${code} before replying`)));
    });
    expect(result.ep).toBe('cpu');
    expect(maxLossError(result.loss, expected.mean_nll)).toBeLessThan(ATOL);
    expect(ticks).toBeGreaterThan(0);
  } finally {
    clearInterval(timer);
    await worker.terminate();
  }
});
