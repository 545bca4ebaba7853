// The typed client every UI uses. A transport only moves frames (Electron preload bridge or
// WebSocket); the client validates requests before sending and responses/events on arrival, so a
// mismatched backend fails loudly at the boundary instead of deep in a component.
import { ApiError, formatZodError } from './errors.ts';
import { apiEventSchema, type ApiEvent } from './events.ts';
import { apiMethods, type MethodName, type RequestInput, type Response } from './methods.ts';
import { resultSchema, type CallResult } from './protocol.ts';

export interface Transport {
  call(method: string, payload: unknown): Promise<CallResult>;
  /** Subscribe to raw events; returns the unsubscribe function. */
  onEvent(listener: (event: unknown) => void): () => void;
}

export interface ApiClient {
  call<M extends MethodName>(method: M, payload: RequestInput<M>): Promise<Response<M>>;
  on(listener: (event: ApiEvent) => void): () => void;
}

export function createApiClient(transport: Transport): ApiClient {
  return {
    async call(method, payload) {
      const spec = apiMethods[method];
      const request = spec.request.safeParse(payload);
      if (!request.success)
        throw new ApiError('invalid_request', `${method}: ${formatZodError(request.error)}`);
      const result = resultSchema.parse(await transport.call(method, request.data));
      if (!result.ok) throw ApiError.fromWire(result.error);
      const response = spec.response.safeParse(result.value);
      if (!response.success) {
        throw new ApiError('internal', `${method}: unexpected response: ${formatZodError(response.error)}`);
      }
      return response.data as Response<typeof method>;
    },
    on(listener) {
      return transport.onEvent((raw) => {
        const event = apiEventSchema.safeParse(raw);
        // A malformed event is a backend bug; dropping it keeps the UI alive, the console says why.
        if (event.success) listener(event.data);
        else console.error('zo: dropped malformed event', formatZodError(event.error));
      });
    },
  };
}
