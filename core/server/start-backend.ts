// Builds the backend (context, event bus, handler map) that both transports serve: `zo-studio serve`
// over HTTP/WebSocket and the Electron main process over IPC.
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Handlers } from '../api/methods.ts';
import { appVersion } from './app-paths.ts';
import type { StudioContext } from './context.ts';
import { EventBus } from './event-bus.ts';
import { createHandlers } from './handlers/index.ts';

export interface Backend {
  context: StudioContext;
  handlers: Handlers;
}

export async function startBackend(dataDir: string): Promise<Backend> {
  const absolute = resolve(dataDir);
  await mkdir(absolute, { recursive: true });
  const context: StudioContext = { dataDir: absolute, events: new EventBus(), appVersion: appVersion() };
  return { context, handlers: createHandlers(context) };
}
