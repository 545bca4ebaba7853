// The small port interface the backend worker is written against. Electron hosts it in a
// utilityProcess, tests in worker_threads; only the adapters below know which.
import type { Worker } from 'node:worker_threads';

/** The host's handle on a running worker. */
export interface WorkerHandle {
  post(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number) => void): void;
  kill(): void;
}

/** The worker's side: its channel back to the host. */
export interface ParentPort {
  post(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
}

export function workerThreadHandle(worker: Worker): WorkerHandle {
  return {
    post: (message) => worker.postMessage(message),
    onMessage: (listener) => worker.on('message', listener),
    onExit: (listener) => worker.on('exit', listener),
    kill: () => void worker.terminate(),
  };
}
