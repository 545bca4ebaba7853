// The host side of a training worker: starts one and exposes it as a WorkerHandle. TrainingManager
// only sees WorkerHandle, so Electron can supply a utilityProcess-backed spawner instead of this
// worker_threads one (the worker entry, worker.ts, connects to either through port.ts).
import { fork } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { bundledMainEntry } from '../app-root.ts';
import type { WorkerCommand, WorkerMessage } from './protocol.ts';

export interface WorkerHandle {
  send(command: WorkerCommand): void;
  onMessage(listener: (message: WorkerMessage) => void): void;
  /** Called once when the worker is gone; `error` is set when it crashed or exited abnormally. */
  onExit(listener: (error: Error | undefined) => void): void;
  terminate(): Promise<void>;
}

export type WorkerSpawner = () => WorkerHandle;

/**
 * The bundled training worker (out/main/run-worker.js) when this code runs from the electron-vite
 * build, where the source entry below does not exist; undefined when running from source.
 */
export function bundledRunWorker(from: string = import.meta.dirname): string | undefined {
  return bundledMainEntry('run-worker.js', from);
}

/** The source entry registers tsx, then loads worker.ts. */
const WORKER_ENTRY = bundledRunWorker() ?? new URL('./worker-entry.mjs', import.meta.url);

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

/**
 * The same worker in a child process, the shape of Electron's utilityProcess: a crash in native code
 * (ORT, out of memory) then takes down only the worker, never the host.
 */
export function forkWorkerProcess(entry: URL | string = WORKER_ENTRY): WorkerHandle {
  // 'advanced' serialization: structured clone, as worker_threads and utilityProcess use.
  const child = fork(entry, [], {
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let spawnError: Error | undefined;
  child.on('error', (error) => (spawnError = error));
  return {
    send: (command) => child.send(command),
    onMessage: (listener) => child.on('message', (message) => listener(message as WorkerMessage)),
    onExit: (listener) =>
      child.on('exit', (code, signal) =>
        listener(
          spawnError ??
            (code === 0
              ? undefined
              : new Error(`training worker process exited with ${signal ?? `code ${code}`}`)),
        ),
      ),
    terminate: async () => {
      if (child.exitCode === null) child.kill();
    },
  };
}
