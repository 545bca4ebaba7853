// A bookkeeping-pool worker: waits for job messages and helps with each (protocol.ts). It holds no
// state of its own beyond the shared control block, so terminating it between jobs loses nothing.
import { parentPort, workerData } from 'node:worker_threads';
import { controlViews, workOn, type JobMessage } from './protocol.ts';

if (!parentPort) throw new Error('core/random/pool/worker.ts must run as a worker_thread');
const control = controlViews(workerData as SharedArrayBuffer);
parentPort.on('message', (job: JobMessage) => workOn(control, job));
