// The `serve` server: the built renderer at /, the API at POST /api/<method> and a WebSocket at
// /api/ws (calls + events). Everything under /api/ needs the per-launch token (see access.ts).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { dispatchCall } from '../api/dispatch.ts';
import type { ApiErrorCode } from '../api/errors.ts';
import type { Handlers } from '../api/methods.ts';
import { checkApiAccess, newAccessToken, type AccessPolicy } from './access.ts';
import type { EventBus } from './event-bus.ts';
import { attachWsSession } from './ws-session.ts';
import { serveStatic } from './static-files.ts';

export interface StudioServerOptions {
  handlers: Handlers;
  events: EventBus;
  rendererDir: string;
  host?: string;
  port?: number;
  /** Fixed token for tests; a random one per launch otherwise. */
  token?: string;
}

export interface StudioServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const maxBodyBytes = 8 * 1024 * 1024;

const httpStatusOf: Record<ApiErrorCode, number> = {
  invalid_request: 400,
  not_found: 404,
  conflict: 409,
  internal: 500,
};

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) throw new Error(`request body over ${maxBodyBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response
    .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    .end(JSON.stringify(body));
}

export async function startStudioServer(options: StudioServerOptions): Promise<StudioServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? newAccessToken();
  const allowedHosts = new Set<string>();
  const policy: AccessPolicy = { token, allowedHosts };
  const sockets = new WebSocketServer({ noServer: true, maxPayload: maxBodyBytes });

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://placeholder');
    if (!url.pathname.startsWith('/api/')) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return void response.writeHead(405).end();
      void serveStatic(options.rendererDir, url.pathname, response, request).catch(() => {
        if (!response.headersSent) response.writeHead(500).end();
      });
      return;
    }
    const verdict = checkApiAccess(request, url, policy);
    if (!verdict.ok) return sendJson(response, verdict.status, { error: verdict.reason });
    if (request.method !== 'POST')
      return sendJson(response, 405, { error: 'API calls are POST /api/<method>' });
    const method = url.pathname.slice('/api/'.length);
    readBody(request)
      .then((body) => dispatchCall(options.handlers, method, body ? JSON.parse(body) : {}))
      .then(
        (result) => sendJson(response, result.ok ? 200 : httpStatusOf[result.error.code], result),
        (error: unknown) =>
          sendJson(response, 400, { ok: false, error: { code: 'invalid_request', message: String(error) } }),
      );
  });

  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://placeholder');
    const verdict =
      url.pathname === '/api/ws'
        ? checkApiAccess(request, url, policy)
        : ({ ok: false, status: 403, reason: 'no such socket' } as const);
    if (!verdict.ok) {
      socket.end(
        `HTTP/1.1 ${verdict.status} ${verdict.status === 401 ? 'Unauthorized' : 'Forbidden'}\r\nconnection: close\r\n\r\n`,
      );
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) =>
      attachWsSession(ws, options.handlers, options.events),
    );
  });

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port ?? 0, host, () => resolveListen());
  });
  const port = (server.address() as AddressInfo).port;
  allowedHosts.add(`${host.includes(':') ? `[${host}]` : host}:${port}`);
  if (host === '127.0.0.1' || host === '::1') allowedHosts.add(`localhost:${port}`);
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolveClose) => {
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}
