// The backend worker: the whole engine (handlers, run history, training manager) runs here, outside
// the main process, so a forward pass never blocks window management or IPC. Written against
// ParentPort so worker_threads (tests) and Electron's utilityProcess host it alike.
import { dispatchCall } from '../../core/api/dispatch.ts';
import { startBackend, type Backend, type BackendOptions } from '../../core/server/start-backend.ts';
import { toWorkerSchema, type FromWorker } from './backend-protocol.ts';
import type { ParentPort } from './worker-port.ts';

export function runBackendWorker(port: ParentPort, options: BackendOptions = {}): void {
  let backend: Promise<Backend> | null = null;
  const post = (message: FromWorker) => port.post(message);

  port.onMessage((raw) => {
    const message = toWorkerSchema.safeParse(raw);
    if (!message.success)
      return post({
        type: 'fatal',
        message: `backend worker got a malformed message: ${message.error.message}`,
      });
    const data = message.data;
    if (data.type === 'init') {
      backend = startBackend(data.dataDir, options);
      backend.then(
        (started) => {
          started.context.events.subscribe((event) => post({ type: 'event', event }));
          post({ type: 'ready' });
        },
        (error: Error) => post({ type: 'fatal', message: `backend failed to start: ${error.message}` }),
      );
      return;
    }
    if (!backend) {
      return post({
        type: 'result',
        id: data.id,
        result: { ok: false, error: { code: 'internal', message: 'backend not initialised' } },
      });
    }
    void backend
      .then((started) => dispatchCall(started.handlers, data.method, data.payload))
      .then((result) => post({ type: 'result', id: data.id, result }));
  });
}
