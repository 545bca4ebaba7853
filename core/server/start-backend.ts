// Builds the backend that both transports serve — `zo-studio serve` over HTTP/WebSocket and the
// Electron backend worker over IPC: the run history, the training manager, the event bus and the
// handler map. Training events are relayed to the bus as API events.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Handlers } from '../api/methods.ts';
import { RunStore } from '../store/run-store.ts';
import { DB_FILE_NAME } from '../store/paths.ts';
import { TrainingManager } from '../train/manager.ts';
import type { WorkerSpawner } from '../train/worker-host.ts';
import { appVersion } from './app-paths.ts';
import type { StudioContext } from './context.ts';
import { EventBus } from './event-bus.ts';
import { createHandlers } from './handlers/index.ts';
import { toApiEvents } from './run-events.ts';

export interface Backend {
  context: StudioContext;
  handlers: Handlers;
  /** Notices from opening the run history (e.g. a corrupt database was moved aside). */
  notices: readonly string[];
  /** Cancels live runs (each writes a last checkpoint, so they can be resumed) and closes the store. */
  close(): Promise<void>;
}

export interface BackendOptions {
  /** How training workers start; the default runs core/train/worker.ts from source (tsx). The
   *  packaged app passes its bundled worker. */
  spawnTrainingWorker?: WorkerSpawner;
  /** The run history database (default: `<dataDir>/runs.sqlite`). */
  dbPath?: string;
}

export async function startBackend(dataDir: string, options: BackendOptions = {}): Promise<Backend> {
  const absolute = resolve(dataDir);
  await mkdir(absolute, { recursive: true });
  const store = RunStore.open(options.dbPath ?? join(absolute, DB_FILE_NAME));
  const manager = new TrainingManager({
    store,
    ...(options.spawnTrainingWorker ? { spawn: options.spawnTrainingWorker } : {}),
  });
  const context: StudioContext = {
    dataDir: absolute,
    events: new EventBus(),
    appVersion: appVersion(),
    store,
    manager,
  };
  manager.subscribe((runId, events) => {
    for (const event of toApiEvents(runId, events)) context.events.publish(event);
  });
  return {
    context,
    handlers: createHandlers(context),
    notices: store.notices,
    close: async () => {
      await manager.shutdown();
      store.close();
    },
  };
}
