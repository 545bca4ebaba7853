// The host side of a training worker: starts one and exposes it as a WorkerHandle. TrainingManager
// only sees WorkerHandle, so Electron can supply a utilityProcess-backed spawner instead of this
// worker_threads one (the worker entry, worker.ts, connects to either through port.ts).
import { Worker } from 'node:worker_threads';
import type { WorkerCommand, WorkerMessage } from './protocol.ts';

export interface WorkerHandle {
  send(command: WorkerCommand): void;
  onMessage(listener: (message: WorkerMessage) => void): void;
  /** Called once when the worker is gone; `error` is set when it crashed or exited abnormally. */
  onExit(listener: (error: Error | undefined) => void): void;
  terminate(): Promise<void>;
}

export type WorkerSpawner = () => WorkerHandle;

const WORKER_ENTRY = new URL('./worker-entry.mjs', import.meta.url);

export function spawnWorkerThread(entry: URL | string = WORKER_ENTRY): WorkerHandle {
  const worker = new Worker(entry);
  let exitError: Error | undefined;
  worker.on('error', (error) => (exitError = error));
  return {
    send: (command) => worker.postMessage(command),
    onMessage: (listener) => worker.on('message', listener),
    onExit: (listener) =>
      worker.on('exit', (code) =>
        listener(
          exitError ?? (code === 0 ? undefined : new Error(`training worker exited with code ${code}`)),
        ),
      ),
    terminate: async () => {
      await worker.terminate();
    },
  };
}
