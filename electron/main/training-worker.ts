// Entry of the utilityProcess that hosts the backend (built to out/main/training-worker.js).
// Electron wraps messages from the parent in a MessageEvent; the adapter unwraps `.data`.
import { runBackendWorker } from './backend-worker.ts';

interface UtilityParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

const parentPort = (process as unknown as { parentPort?: UtilityParentPort }).parentPort;
if (!parentPort) throw new Error('training-worker must run as an Electron utilityProcess');
runBackendWorker({
  post: (message) => parentPort.postMessage(message),
  onMessage: (listener) => parentPort.on('message', (event) => listener(event.data)),
});
