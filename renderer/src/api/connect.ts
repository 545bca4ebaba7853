// Picks the transport: the Electron preload bridge when present, else the serve WebSocket, whose
// token comes from the page URL (?token=...) and is kept for reloads of this tab.
import { createApiClient, type ApiClient } from '../../../core/api/client.ts';
import type { ZoBridge } from '../../../core/api/bridge.ts';
import { createWsTransport } from './ws-transport.ts';

declare global {
  interface Window {
    zo?: ZoBridge;
  }
}

export function connectApi(): ApiClient {
  if (window.zo) return createApiClient(window.zo);
  const params = new URLSearchParams(window.location.search);
  const token = params.get('token') ?? sessionStorage.getItem('zo-token');
  if (!token)
    throw new Error(
      'This page needs the access token printed by `zo-studio serve` (open the full URL with ?token=...).',
    );
  sessionStorage.setItem('zo-token', token);
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  return createApiClient(
    createWsTransport(`${scheme}://${window.location.host}/api/ws?token=${encodeURIComponent(token)}`),
  );
}
