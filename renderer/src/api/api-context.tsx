// React access to the API: <ApiProvider> holds the client; useApi() returns it; useCall() runs one
// call and tracks loading/error/data; useApiEvents() subscribes for the component's lifetime.
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { ApiClient } from '../../../core/api/client.ts';
import type { ApiEvent } from '../../../core/api/events.ts';
import type { MethodName, RequestInput, Response } from '../../../core/api/methods.ts';

const ApiContext = createContext<ApiClient | null>(null);

export function ApiProvider({ client, children }: { client: ApiClient; children: ReactNode }) {
  return <ApiContext.Provider value={client}>{children}</ApiContext.Provider>;
}

export function useApi(): ApiClient {
  const client = useContext(ApiContext);
  if (!client) throw new Error('useApi outside <ApiProvider>');
  return client;
}

export interface CallState<T> {
  data: T | null;
  error: Error | null;
  isLoading: boolean;
  reload: () => void;
}

/** Runs `method(payload)` on mount and whenever `key` changes; a null payload skips the call. */
export function useCall<M extends MethodName>(
  method: M,
  payload: RequestInput<M> | null,
  key = '',
): CallState<Response<M>> {
  const api = useApi();
  const [state, setState] = useState<{ data: Response<M> | null; error: Error | null; isLoading: boolean }>({
    data: null,
    error: null,
    isLoading: payload !== null,
  });
  const [generation, setGeneration] = useState(0);
  const payloadRef = useRef(payload);
  payloadRef.current = payload;
  const isSkipped = payload === null;

  useEffect(() => {
    const current = payloadRef.current;
    if (current === null) return;
    let isCurrent = true;
    setState((previous) => ({ ...previous, isLoading: true }));
    api.call(method, current).then(
      (data) => isCurrent && setState({ data, error: null, isLoading: false }),
      (error: Error) => isCurrent && setState({ data: null, error, isLoading: false }),
    );
    return () => {
      isCurrent = false;
    };
  }, [api, method, key, generation, isSkipped]);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return { ...state, reload };
}

export function useApiEvents(listener: (event: ApiEvent) => void): void {
  const api = useApi();
  const listenerRef = useRef(listener);
  listenerRef.current = listener;
  useEffect(() => api.on((event) => listenerRef.current(event)), [api]);
}
