// Run by pool.test.ts as a child process and as a worker_thread (where training runs): splits a Gaussian
// fill until the pool's workers have taken part, compares every fill with fillGaussian, reports, and then
// just returns. The process or thread must end by itself although the pool is never closed (its workers
// are unref'd), so a hang here is a failure of the pool, caught by the test's timeout.
import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort } from 'node:worker_threads';
import { fillGaussian } from '../../core/random/gaussian.ts';
import { bookkeepingPoolStatus, MIN_PARALLEL_ENTRIES, runPooled } from '../../core/random/pool/pool.ts';
import { sharedFloat32 } from '../../core/random/pool/shared-memory.ts';

const length = 2 * MIN_PARALLEL_ENTRIES + 77;
const address = { seed: 2024, stream: 1, tensor: 9, sample: 1 };
const expected = new Float32Array(length);
fillGaussian(expected, address);
let itemsByWorkers = 0;
let identical = true;
for (let attempt = 0; attempt < 200 && itemsByWorkers === 0; attempt++) {
  const out = sharedFloat32(length);
  runPooled({ kind: 'gaussian', out, address });
  identical &&= out.every((value, i) => Object.is(value, expected[i]));
  const job = bookkeepingPoolStatus().lastJob;
  itemsByWorkers = job ? job.items - job.byCaller : 0;
  // Lets the workers finish starting (they load through tsx) before the next try.
  await sleep(50);
}
const report = JSON.stringify({ itemsByWorkers, identical, threads: bookkeepingPoolStatus().threads });
if (parentPort) parentPort.postMessage(report);
else process.stdout.write(`${report}\n`);
