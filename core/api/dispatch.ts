// Server side of a call, shared by the serve transport and Electron's IPC handler: check the method
// name, parse the payload with its schema, run the handler, check the response, and always answer
// with a CallResult (never throw across the boundary).
import { ApiError, formatZodError, toApiErrorShape } from './errors.ts';
import { apiMethods, isMethodName, type Handlers } from './methods.ts';
import type { CallResult } from './protocol.ts';

export async function dispatchCall(
  handlers: Handlers,
  method: unknown,
  payload: unknown,
): Promise<CallResult> {
  try {
    if (!isMethodName(method)) {
      throw new ApiError(
        'invalid_request',
        `unknown method ${JSON.stringify(method)}; see core/api/methods.ts`,
      );
    }
    const spec = apiMethods[method];
    const request = spec.request.safeParse(payload ?? {});
    if (!request.success)
      throw new ApiError('invalid_request', `${method}: ${formatZodError(request.error)}`);
    const handler = handlers[method] as (request: unknown) => Promise<unknown>;
    const value = await handler(request.data);
    const response = spec.response.safeParse(value);
    if (!response.success) {
      throw new ApiError(
        'internal',
        `${method} returned an invalid response: ${formatZodError(response.error)}`,
      );
    }
    return { ok: true, value: response.data };
  } catch (error) {
    return { ok: false, error: toApiErrorShape(error) };
  }
}
