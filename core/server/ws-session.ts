// One WebSocket = one page: it sends call frames and receives result frames plus every event.
import type { WebSocket } from 'ws';
import { dispatchCall } from '../api/dispatch.ts';
import { formatZodError } from '../api/errors.ts';
import type { Handlers } from '../api/methods.ts';
import { callFrameSchema, type ServerFrame } from '../api/protocol.ts';
import type { EventBus } from './event-bus.ts';

export function attachWsSession(socket: WebSocket, handlers: Handlers, events: EventBus): void {
  const send = (frame: ServerFrame) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
  };
  const unsubscribe = events.subscribe((event) => send({ type: 'event', event }));
  socket.on('close', unsubscribe);
  socket.on('message', (data, isBinary) => {
    if (isBinary) return socket.close(1003, 'binary frames are not part of the protocol');
    let json: unknown;
    try {
      json = JSON.parse(String(data));
    } catch {
      return socket.close(1007, 'frame is not JSON');
    }
    const frame = callFrameSchema.safeParse(json);
    if (!frame.success) return socket.close(1007, `bad frame: ${formatZodError(frame.error)}`.slice(0, 120));
    const { id, method, payload } = frame.data;
    void dispatchCall(handlers, method, payload).then((result) => send({ type: 'result', id, result }));
  });
}
