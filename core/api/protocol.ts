// Frames on the wire. The WebSocket carries calls, results and events; Electron IPC carries the same
// call/result payloads through invoke and the same events through one push channel.
import { z } from 'zod';
import { apiErrorSchema } from './errors.ts';
import { apiEventSchema } from './events.ts';

export const callFrameSchema = z.object({
  type: z.literal('call'),
  id: z.number().int().nonnegative(),
  method: z.string(),
  payload: z.unknown(),
});
export type CallFrame = z.infer<typeof callFrameSchema>;

export const resultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: apiErrorSchema }),
]);
export type CallResult = z.infer<typeof resultSchema>;

export const serverFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('result'), id: z.number().int().nonnegative(), result: resultSchema }),
  z.object({ type: z.literal('event'), event: apiEventSchema }),
]);
export type ServerFrame = z.infer<typeof serverFrameSchema>;
