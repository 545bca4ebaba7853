// `zo-studio serve` as users run it: a real process on a free loopback port. Access control (token,
// Origin, Host), the HTTP and WebSocket transports, and the static renderer.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServe, type ServeProcess } from './serve-process.ts';

let serve: ServeProcess;

beforeAll(async () => {
  serve = await startServe();
});
afterAll(() => serve?.stop());

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${serve.origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** fetch() cannot set Host; node:http can. */
function postWithHost(host: string): Promise<number> {
  return new Promise((resolveStatus, reject) => {
    const url = new URL(`${serve.origin}/api/system.info?token=${serve.token}`);
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: 'POST',
        headers: { host },
      },
      (res) => {
        res.resume();
        resolveStatus(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end('{}');
  });
}

function openSocket(query: string, origin?: string): Promise<WebSocket> {
  const socket = new WebSocket(
    `${serve.origin.replace('http', 'ws')}/api/ws${query}`,
    origin ? { origin } : {},
  );
  return new Promise((resolveOpen, reject) => {
    socket.once('open', () => resolveOpen(socket));
    socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    socket.once('error', reject);
  });
}

describe('zo-studio serve', () => {
  it('prints a loopback URL with a long random token', () => {
    expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
  });

  it('answers 401 to API requests without the token or with a wrong one', async () => {
    expect((await post('/api/system.info', {})).status).toBe(401);
    expect((await post('/api/system.info?token=nope', {})).status).toBe(401);
    expect((await post('/api/system.info', {}, { authorization: 'Bearer nope' })).status).toBe(401);
  });

  it('answers 403 to a request from another origin, even with the token', async () => {
    const response = await post(
      `/api/system.info?token=${serve.token}`,
      {},
      { origin: 'http://evil.example' },
    );
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: 'origin http://evil.example not allowed' });
  });

  it('answers 403 to a foreign Host header (DNS rebinding)', async () => {
    expect(await postWithHost('attacker.example:80')).toBe(403);
    expect(await postWithHost(new URL(serve.origin).host)).toBe(200);
  });

  it('serves calls over HTTP with the token, in the query or as a bearer header', async () => {
    const byQuery = await post(`/api/system.info?token=${serve.token}`, {}, { origin: serve.origin });
    expect(byQuery.status).toBe(200);
    expect(await byQuery.json()).toMatchObject({ ok: true, value: { dataDir: serve.dataDir } });
    const byHeader = await post('/api/settings.get', {}, { authorization: `Bearer ${serve.token}` });
    expect(await byHeader.json()).toMatchObject({
      ok: true,
      value: { settings: { executionProvider: 'auto' } },
    });
  });

  it('maps validation errors to 400 with the field named', async () => {
    const response = await post(`/api/files.check?token=${serve.token}`, { path: '' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      ok: false,
      error: { code: 'invalid_request', message: expect.stringContaining('path:') },
    });
  });

  it('refuses WebSocket upgrades without the token or from another origin', async () => {
    await expect(openSocket('')).rejects.toThrow('HTTP 401');
    await expect(openSocket(`?token=${serve.token}`, 'http://evil.example')).rejects.toThrow('HTTP 403');
  });

  it('carries calls over the WebSocket', async () => {
    const socket = await openSocket(`?token=${serve.token}`, serve.origin);
    const reply = new Promise<unknown>((resolveReply) =>
      socket.once('message', (data) => resolveReply(JSON.parse(String(data)))),
    );
    socket.send(
      JSON.stringify({
        type: 'call',
        id: 7,
        method: 'files.check',
        payload: { path: serve.dataDir, expect: 'dir' },
      }),
    );
    expect(await reply).toMatchObject({
      type: 'result',
      id: 7,
      result: { ok: true, value: { ok: true, kind: 'dir' } },
    });
    socket.close();
  });

  it('serves the renderer with a strict CSP and never a file outside it', async () => {
    const page = await fetch(`${serve.origin}/`);
    // 200 when `npm run build` has run, else 503 naming the missing build; never a server error.
    expect([200, 503]).toContain(page.status);
    if (page.status === 200) {
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await page.text()).toContain('<div id="root">');
    }
    const traversal = await fetch(`${serve.origin}/..%2f..%2fpackage.json`);
    expect(await traversal.text()).not.toContain('"dependencies"');
  });
});
