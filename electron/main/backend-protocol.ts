// Messages between the main process and the backend worker: the API's call/result/event frames
// (core/api/protocol.ts) plus the init handshake that tells the worker where the data lives.
import { z } from 'zod';
import { callFrameSchema, serverFrameSchema } from '../../core/api/protocol.ts';

export const toWorkerSchema = z.union([
  z.object({ type: z.literal('init'), dataDir: z.string().min(1) }),
  callFrameSchema,
]);
export type ToWorker = z.infer<typeof toWorkerSchema>;

export const fromWorkerSchema = z.union([
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('fatal'), message: z.string() }),
  serverFrameSchema,
]);
export type FromWorker = z.infer<typeof fromWorkerSchema>;
