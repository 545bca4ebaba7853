// Error codes and the wire shape of a failed call. Both transports (Electron IPC and the serve
// WebSocket/HTTP) send exactly this object, so the renderer shows the same message either way.
import { z } from 'zod';

export const apiErrorCodes = [
  'invalid_request', // the payload or method name failed validation
  'not_found', // a run, file or folder that does not exist
  'conflict', // the request is valid but the state does not allow it (e.g. pausing a finished run)
  'internal', // an unexpected failure; the message carries the cause
] as const;

export const apiErrorCodeSchema = z.enum(apiErrorCodes);
export type ApiErrorCode = z.infer<typeof apiErrorCodeSchema>;

export const apiErrorSchema = z.object({
  code: apiErrorCodeSchema,
  message: z.string(),
  details: z.unknown().optional(),
});
export type ApiErrorShape = z.infer<typeof apiErrorSchema>;

/** Thrown by handlers and by the client; carries a code the UI can branch on. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly details: unknown;

  constructor(code: ApiErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.details = details;
  }

  toWire(): ApiErrorShape {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  static fromWire(shape: ApiErrorShape): ApiError {
    return new ApiError(shape.code, shape.message, shape.details);
  }
}

/** Turns any thrown value into the wire shape; unknown errors keep their message, not their stack. */
export function toApiErrorShape(error: unknown): ApiErrorShape {
  if (error instanceof ApiError) return error.toWire();
  if (error instanceof z.ZodError) {
    return { code: 'invalid_request', message: formatZodError(error) };
  }
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}

/** "field.path: problem; other.field: problem" — names the field, as the style guide asks. */
export function formatZodError(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`).join('; ');
}
