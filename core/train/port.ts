// The worker side of the host connection, behind one tiny interface so the same worker entry runs in
// worker_threads (tests, CLI), child_process.fork, and Electron's utilityProcess (where messages
// arrive wrapped as `{ data }` on process.parentPort).
import { parentPort } from 'node:worker_threads';
import type { WorkerCommand, WorkerMessage } from './protocol.ts';

export interface WorkerPort {
  postMessage(message: WorkerMessage): void;
  onMessage(listener: (command: WorkerCommand) => void): void;
  /** Lets the process exit once the run is over (a listening port keeps it alive). */
  close(): void;
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  removeAllListeners(event?: string): void;
}

/** Connects to whichever host started this process or thread; throws when there is none. */
export function connectToHost(): WorkerPort {
  if (parentPort) {
    const port = parentPort;
    return {
      postMessage: (message) => port.postMessage(message),
      onMessage: (listener) => port.on('message', (data: WorkerCommand) => listener(data)),
      close: () => port.close(),
    };
  }
  const electronPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (electronPort) {
    return {
      postMessage: (message) => electronPort.postMessage(message),
      onMessage: (listener) => electronPort.on('message', (event) => listener(event.data as WorkerCommand)),
      close: () => electronPort.removeAllListeners('message'),
    };
  }
  if (process.send) {
    return {
      postMessage: (message) => process.send?.(message),
      onMessage: (listener) => process.on('message', (data) => listener(data as WorkerCommand)),
      close: () => process.disconnect?.(),
    };
  }
  throw new Error(
    'training worker: no host to talk to (start it as a worker thread, forked or utility process)',
  );
}
