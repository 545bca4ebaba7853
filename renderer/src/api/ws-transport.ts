// Transport for `serve` mode: one WebSocket to /api/ws carrying calls and events. It reconnects after
// a drop (server restart, laptop sleep) so the dashboard reattaches to runs that kept going.
import type { Transport } from '../../../core/api/client.ts';
import { serverFrameSchema, type CallResult } from '../../../core/api/protocol.ts';

interface Pending {
  resolve: (result: CallResult) => void;
}

export function createWsTransport(url: string): Transport {
  const listeners = new Set<(event: unknown) => void>();
  const pending = new Map<number, Pending>();
  const queue: string[] = [];
  let nextId = 1;
  let socket: WebSocket;
  let retryMs = 250;

  const connect = () => {
    socket = new WebSocket(url);
    socket.addEventListener('open', () => {
      retryMs = 250;
      for (const frame of queue.splice(0)) socket.send(frame);
    });
    socket.addEventListener('message', (message) => {
      const frame = serverFrameSchema.safeParse(JSON.parse(String(message.data)));
      if (!frame.success) return console.error('zo: bad frame from server', frame.error.message);
      if (frame.data.type === 'event') {
        for (const listener of listeners) listener(frame.data.event);
      } else {
        pending.get(frame.data.id)?.resolve(frame.data.result);
        pending.delete(frame.data.id);
      }
    });
    socket.addEventListener('close', () => {
      // Calls in flight on a dead socket will never be answered: fail them with a clear reason.
      for (const [id, call] of pending) {
        call.resolve({
          ok: false,
          error: { code: 'internal', message: 'connection to the studio server was lost' },
        });
        pending.delete(id);
      }
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    });
  };
  connect();

  return {
    call(method, payload) {
      const id = nextId++;
      const frame = JSON.stringify({ type: 'call', id, method, payload });
      return new Promise<CallResult>((resolve) => {
        pending.set(id, { resolve });
        if (socket.readyState === WebSocket.OPEN) socket.send(frame);
        else queue.push(frame);
      });
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
