// Entry of the utilityProcess that hosts the backend (built to out/main/backend-process.js). Each
// training run then gets its own worker thread from the bundled run worker (out/main/run-worker.js,
// core/train/worker.ts), so neither main nor this process runs forward passes.
// Electron wraps messages from the parent in a MessageEvent; the adapter unwraps `.data`.
import { join } from 'node:path';
import { spawnWorkerThread } from '../../core/train/worker-host.ts';
import { runBackendWorker } from './backend-worker.ts';

interface UtilityParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

const parentPort = (process as unknown as { parentPort?: UtilityParentPort }).parentPort;
if (!parentPort) throw new Error('backend-process must run as an Electron utilityProcess');
runBackendWorker(
  {
    post: (message) => parentPort.postMessage(message),
    onMessage: (listener) => parentPort.on('message', (event) => listener(event.data)),
  },
  { spawnTrainingWorker: () => spawnWorkerThread(join(import.meta.dirname, 'run-worker.js')) },
);
